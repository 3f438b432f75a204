"""The compiler: all tables, generated NLU files, atomic swap, friendly CLI errors."""

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from policy_kb.cli import kb as kb_cli
from policy_kb.compiler import build
from policy_kb.errors import SourceError
from policy_kb.paths import SOURCES_DIR

THIRD = Path(__file__).parent / "fixtures" / "third.yaml"
TABLES = {"documents", "clauses", "programs", "rules", "awards", "incentives", "parameters", "aliases",
          "departments", "targets", "procedures", "figures", "directions", "lexicon"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("kb")
    report = build(SOURCES_DIR, out / "kb.sqlite", extra_files=[THIRD],
                   userdict_path=out / "jieba" / "userdict.txt", lookups_path=out / "lookups.yml")
    return report, out


def test_tables_and_rows(built):
    report, out = built
    db = sqlite_utils.Database(out / "kb.sqlite")
    assert TABLES <= set(db.table_names())
    assert {r["id"] for r in db["documents"].rows} == {"luan", "guangxi", "national", "qingshan"}
    assert db["clauses"].count == report.clauses
    assert db["awards"].count == 12
    row = next(db.query("select * from awards where honor = '省级绿色工厂'"))
    assert (row["amount_wan"], row["unit"], row["clause"]) == (20, "万元", "三.（二）")
    assert db["parameters"].count > 20
    assert "clauses_fts" in db.table_names()


def test_rules_one_row_per_check(built):
    _, out = built
    db = sqlite_utils.Database(out / "kb.sqlite")
    checks = sum(len(yaml.safe_load(r["data"])["checks"]) for r in db["programs"].rows)
    assert db["rules"].count == checks


def test_userdict_in_jieba_format(built):
    _, out = built
    lines = (out / "jieba" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    words = {line.split(" ")[0] for line in lines}
    assert all(len(line.split(" ")) == 3 and line.split(" ")[1].isdigit() for line in lines)
    assert {"省级智能工厂", "省智能工厂", "广西壮族自治区", "市经信局", "研发费用加计扣除", "机器换人",
            "青山市工业和信息化局"} <= words


def test_rasa_lookups_and_synonyms(built):
    _, out = built
    data = yaml.safe_load((out / "lookups.yml").read_text(encoding="utf-8"))
    assert str(data["version"]) == "3.1"
    lookups = {e["lookup"]: e["examples"] for e in data["nlu"] if "lookup" in e}
    assert set(lookups) == {"region", "honor", "direction", "incentive", "catalog"}
    assert "- 省级智能工厂" in lookups["honor"] and "- 广西" in lookups["region"]
    synonyms = {e["synonym"]: e["examples"] for e in data["nlu"] if "synonym" in e}
    assert "- 省智能工厂" in synonyms["省级智能工厂"]
    assert "- 桂" in synonyms["广西壮族自治区"]
    assert "- 规模以上" in synonyms["规上"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_failed_build_leaves_old_database_byte_identical(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    db = tmp_path / "kb.sqlite"
    build(sources, db, userdict_path=None, lookups_path=None)
    before = digest(db)
    data = yaml.safe_load((sources / "luan.yaml").read_text(encoding="utf-8"))
    data["awards"][0]["clause"] = "九.（九）"
    (sources / "luan.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError):
        build(sources, db, userdict_path=None, lookups_path=None)
    assert digest(db) == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_rebuild_replaces_file_atomically(tmp_path):
    db = tmp_path / "kb.sqlite"
    build(SOURCES_DIR, db, userdict_path=None, lookups_path=None)
    first = db.stat().st_ino
    build(SOURCES_DIR, db, extra_files=[THIRD], userdict_path=None, lookups_path=None)
    assert db.stat().st_ino != first  # a new file was swapped in, not rewritten in place
    assert sqlite_utils.Database(db)["documents"].count == 4


def test_cli_build_reports_source_error_in_chinese(tmp_path):
    bad = tmp_path / "sources"
    bad.mkdir()
    (bad / "x.yaml").write_text("id: x\ntitle: [\n", encoding="utf-8")
    result = CliRunner().invoke(kb_cli, ["build", "--sources", str(bad), "--db", str(tmp_path / "k.sqlite"), "--no-nlu-files"])
    assert result.exit_code == 1
    assert "政策源文件有误" in result.stderr and "x.yaml" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_build_prints_progress_and_time(tmp_path):
    result = CliRunner().invoke(kb_cli, ["build", "--db", str(tmp_path / "k.sqlite"), "--no-nlu-files"])
    assert result.exit_code == 0, result.output
    assert "luan" in result.output and "用时" in result.output


def test_every_command_has_help_in_chinese_and_english():
    for name, command in kb_cli.commands.items():
        assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help), name
        assert any(ch.isascii() and ch.isalpha() for ch in command.help), name
