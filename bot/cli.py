"""`policybot`: the command-line entry point (click). Groups live beside what they drive."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import click
import httpx

from bot.helpdesk.cli import report as report_command
from bot.helpdesk.cli import staff as staff_group
from bot.settings import get_settings
from policy_kb.cli import kb as kb_group
from policy_kb.cli_match import match as match_command


@click.group(help="技改政策助手命令行 / command line of the policy assistant.")
def main() -> None:
    """Top-level group; see `policybot --help`."""


@main.command(help="启动 Rasa、动作服务器和网关（Ctrl-C 全部停止）/ start the three processes together.")
def run() -> None:
    from bot.stack.single_node import serve_forever

    sys.exit(serve_forever(get_settings()))


@main.command(help="在终端里和正在运行的助手对话 / chat with the running assistant in the terminal.")
@click.option("--url", default=None, help="网关地址，默认 http://127.0.0.1:8000")
@click.option("--sender", default=None, help="会话 ID，默认随机生成")
def chat(url: str | None, sender: str | None) -> None:
    base = url or f"http://127.0.0.1:{get_settings().gateway_port}"
    sender = sender or f"cli-{uuid.uuid4().hex[:8]}"
    click.echo("输入问题后回车；输入 /quit 退出。")
    while True:
        try:
            text = click.prompt("你", prompt_suffix="：")
        except (EOFError, click.Abort):
            break
        if text.strip() == "/quit":
            break
        try:
            replies = httpx.post(f"{base}/api/chat", json={"sender": sender, "message": text}, timeout=30).json()
        except httpx.HTTPError as error:
            click.echo(f"无法连接助手（{error}）。请先运行 policybot run。", err=True)
            continue
        for reply in replies if isinstance(replies, list) else []:
            click.echo(f"助手：{reply.get('text', '')}")
            for index, button in enumerate(reply.get("buttons") or [], start=1):
                click.echo(f"  {index}. {button.get('title')}")


@main.command(help="备份知识库、工单、对话追踪库和客服账号到目录 DIR（运行中也可，结果一致）/ back up the node's databases.")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    from bot.stack.backup import BackupError
    from bot.stack.backup import backup as take_backup

    try:
        manifest = take_backup(get_settings(), directory)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for entry in manifest["databases"].values():
        click.echo(f"已备份 {entry['title']}：{directory / entry['file']}（{entry['bytes']} 字节）")
    for note in manifest["not_included"]:
        click.echo(f"注意：{note}")


@main.command(help="从 policybot backup 生成的目录 DIR 恢复（结构不兼容时拒绝）/ restore a backup.")
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已有的数据文件（请先停止服务）。")
def restore(directory: Path, force: bool) -> None:
    from bot.stack.backup import BackupError
    from bot.stack.backup import restore as put_back

    try:
        manifest = put_back(get_settings(), directory, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"已从 {directory} 恢复（备份时间 {manifest['created_at']}）：" +
               "、".join(str(entry["title"]) for entry in manifest["databases"].values()))


main.add_command(kb_group, "kb")
main.add_command(match_command, "match")
main.add_command(staff_group, "staff")
main.add_command(report_command, "report")

if __name__ == "__main__":
    main()
