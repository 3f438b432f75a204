"""`policybot staff add/remove/list` and `policybot report`, through click's runner."""

from __future__ import annotations

import click
from click.testing import CliRunner

from bot.helpdesk.cli import report, staff
from bot.helpdesk.store import NewTicket


def test_add_with_password_on_stdin_then_sign_in(store):
    result = CliRunner().invoke(staff, ["add", "alice", "--department", "市经信局", "--password-stdin"],
                                input="长一点的密码\n")
    assert result.exit_code == 0, result.output
    assert "已添加 alice（市经信局）" in result.output
    assert store.verify_password("alice", "长一点的密码").department == "市经信局"


def test_add_prompts_twice_for_the_password(store):
    result = CliRunner().invoke(staff, ["add", "bob"], input="pw1\npw1\n")
    assert result.exit_code == 0, result.output
    assert store.verify_password("bob", "pw1").department is None


def test_duplicate_user_and_unknown_user_are_errors(store):
    runner = CliRunner()
    runner.invoke(staff, ["add", "alice", "--password-stdin"], input="pw\n")
    duplicate = runner.invoke(staff, ["add", "alice", "--password-stdin"], input="pw\n")
    assert duplicate.exit_code == 1 and "已存在" in duplicate.output
    missing = runner.invoke(staff, ["remove", "nobody"])
    assert missing.exit_code == 1 and "没有用户 nobody" in missing.output


def test_list_and_remove(store):
    runner = CliRunner()
    runner.invoke(staff, ["add", "alice", "--department", "市经信局", "--password-stdin"], input="pw\n")
    runner.invoke(staff, ["add", "chief", "--password-stdin"], input="pw\n")
    listing = runner.invoke(staff, ["list"]).output.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["alice", "市经信局"], ["chief", "全部部门"]]
    assert runner.invoke(staff, ["remove", "alice"]).exit_code == 0
    assert [u.username for u in store.list_staff()] == ["chief"]


def test_explicit_db_path(tmp_path, store):
    db = tmp_path / "other.sqlite"
    CliRunner().invoke(staff, ["add", "x", "--password-stdin", "--db", str(db)], input="pw\n")
    assert store.list_staff() == []
    assert "x" in CliRunner().invoke(staff, ["list", "--db", str(db)]).output


def test_report_lists_what_to_improve(store):
    for _ in range(3):
        store.log_fallback("u", "个人所得税怎么交")
    store.record_feedback("u", "六安省级智能工厂奖励多少", useful=False)
    store.create_ticket(NewTicket(sender="u", category="资金拨付"))
    output = CliRunner().invoke(report, ["--limit", "5"]).output
    assert "最常由兜底回复回答的问题" in output and "   3  个人所得税怎么交" in output
    assert "   1  六安省级智能工厂奖励多少" in output
    assert "   1  资金拨付" in output


def test_report_on_an_empty_database(store):
    assert CliRunner().invoke(report, []).output.count("（暂无）") == 3


def test_every_command_has_help():
    commands = [report, staff] + list(staff.commands.values())
    for command in commands:
        assert command.help and command.help.strip(), command.name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{command.name} {param.name}"
