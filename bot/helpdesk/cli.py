"""Command line for the helpdesk: `policybot staff add/remove/list` and `policybot report`."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import click

from bot.helpdesk.errors import StaffUserExists, StaffUserNotFound
from bot.helpdesk.store import SqliteTicketStore, TicketStore, default_store

_db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="工单数据库文件（默认：设置了 POLICYBOT_TICKET_STORE_URL 时用该数据库，否则 <data_dir>/helpdesk.sqlite）。",
)


def _open(db_path: Optional[Path]) -> TicketStore:
    return SqliteTicketStore(db_path) if db_path else default_store()


@click.group("staff")
def staff() -> None:
    """管理人工客服账号（登录工作台 /staff 用）。"""


@staff.command("add")
@click.argument("username")
@click.option("--department", default=None, help="所属部门（如 市经信局）；不填则可处理所有部门的工单。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行），便于脚本使用。")
@_db_option
def add(username: str, department: Optional[str], password_stdin: bool, db_path: Optional[Path]) -> None:
    """新增账号 USERNAME；密码以加盐 scrypt 哈希保存。"""
    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\r\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    if not password:
        raise click.UsageError("密码不能为空。")
    try:
        user = _open(db_path).add_staff(username, password, department or None)
    except StaffUserExists as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"已添加 {user.username}（{user.department or '全部部门'}）。")


@staff.command("remove")
@click.argument("username")
@_db_option
def remove(username: str, db_path: Optional[Path]) -> None:
    """删除账号 USERNAME，并使其所有登录令牌失效。"""
    try:
        _open(db_path).remove_staff(username)
    except StaffUserNotFound as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"已删除 {username}。")


@staff.command("list")
@_db_option
def list_staff(db_path: Optional[Path]) -> None:
    """列出所有账号及其部门。"""
    users = _open(db_path).list_staff()
    if not users:
        click.echo("还没有账号：用 `policybot staff add 用户名` 添加。")
    for user in users:
        click.echo(f"{user.username}\t{user.department or '全部部门'}\t{user.created_at}")


@click.command("report")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="每项列出多少条。")
@_db_option
def report(limit: int, db_path: Optional[Path]) -> None:
    """改进知识库用的清单：最常走兜底回复的问题、最常被评“没用”的问题、工单最多的类别。"""
    data = _open(db_path).report(limit)
    _section("最常由兜底回复回答的问题", data["fallback"])
    _section("最常被标为“没用”的问题", data["unhelpful"])
    _section("工单最多的类别", data["categories"])


def _section(title: str, rows: List[Tuple[str, int]]) -> None:
    click.echo(f"== {title} ==")
    if not rows:
        click.echo("  （暂无）")
    for text, count in rows:
        click.echo(f"  {count:>4}  {text}")
