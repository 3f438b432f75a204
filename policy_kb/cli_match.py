"""`policybot match`: batch matching of firms for tax and industry-bureau staff (SPEC §6).

The edge of `policy_kb.batch`: prints a summary and the bad rows (row number and reason)
in Chinese; a knowledge-base error is a message and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policy_kb.errors import PolicyKBError

_MAX_BAD_SHOWN = 20


@click.command("match", help="批量比对企业名单：每家企业输出各项目资格、未通过和待确认条件、奖补合计、税收优惠估算和政策告知书。"
                             " Match a CSV of firms against every programme, award and tax incentive.")
@click.argument("firms_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件 / output file")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="输出格式 / output format")
@click.option("--notices", "notices_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="为每家企业写一份 Markdown 政策告知书到该目录 / write one Markdown notice per firm here")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="知识库文件 / database file (default build/policy_kb.sqlite)")
@click.option("--no-progress", is_flag=True, help="不显示进度条 / no progress bar")
def match(firms_csv: Path, output: Path, fmt: str, notices_dir: Path, db_path: Path, no_progress: bool) -> None:
    from policy_kb import batch
    from policy_kb.store import open_kb

    try:
        report = batch.match(firms_csv, output, fmt=fmt, notices_dir=notices_dir, progress=not no_progress,
                             kb=open_kb(db_path) if db_path else None)
    except PolicyKBError as exc:
        click.echo(f"出错了：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已比对 {report.rows} 家企业（成功 {report.ok}，有误 {len(report.bad)}），"
               f"用时 {report.seconds:.2f} 秒，结果写入 {output}", err=True)
    for row_no, reason in report.bad[:_MAX_BAD_SHOWN]:
        click.echo(f"  第{row_no}行：{reason}", err=True)
    if len(report.bad) > _MAX_BAD_SHOWN:
        click.echo(f"  ……另有 {len(report.bad) - _MAX_BAD_SHOWN} 行有误，见输出文件的 error 列", err=True)
