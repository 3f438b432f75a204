"""`policybot match`: batch matching of firms for tax and industry-bureau staff (docs/batch.md).

The edge of `policy_kb.batch` (CSV in, CSV/JSONL out) and of `policy_kb.bureau` (an Excel
workbook or CSV in, results.xlsx out: `policybot match firms.xlsx -o results.xlsx`, the same
code the staff console runs). Prints a summary and the bad rows (row number and reason) in
Chinese; a knowledge-base or file error is a message and exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policy_kb.errors import PolicyKBError

_MAX_BAD_SHOWN = 20


@click.command("match", help="批量比对企业名单（.xlsx 或 .csv）：每家企业输出各项目资格、未通过和待确认条件、奖补合计、"
                             "税收优惠估算和政策告知书；输出为 .xlsx 时每家企业每个项目一行，附原因、接近符合和有误的行。"
                             " Match a workbook or CSV of firms against every programme, award and tax incentive.")
@click.argument("firms_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件 / output file")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default=None,
              help="输出格式（默认按输出文件扩展名，否则 csv） / output format (default: from the output suffix)")
@click.option("--notices", "notices_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="为每家企业写一份政策告知书到该目录（CSV 输出为 Markdown，xlsx 输出为 PDF） / one notice per firm here")
@click.option("--issuer", default="", help="告知书落款的发文单位（xlsx 输出时） / issuing department on PDF notices")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="知识库文件 / database file (default build/policy_kb.sqlite)")
@click.option("--no-progress", is_flag=True, help="不显示进度条 / no progress bar")
def match(firms_csv: Path, output: Path, fmt: str, notices_dir: Path, issuer: str, db_path: Path,
          no_progress: bool) -> None:
    from policy_kb import batch
    from policy_kb.store import open_kb

    fmt = fmt or ("xlsx" if output.suffix.lower() == ".xlsx" else "jsonl" if output.suffix.lower() == ".jsonl" else "csv")
    if fmt == "xlsx" or firms_csv.suffix.lower() == ".xlsx":
        _match_workbook(firms_csv, output, fmt, notices_dir, issuer, db_path)
        return
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


def _match_workbook(firms: Path, output: Path, fmt: str, notices_dir: Path, issuer: str, db_path: Path) -> None:
    """A workbook in (or results.xlsx out): `policy_kb.bureau.match_file`, as the staff console runs it."""
    from policy_kb import bureau
    from policy_kb.store import open_kb

    if fmt != "xlsx":
        click.echo("出错了：从 Excel 工作簿比对时请输出 .xlsx（-o results.xlsx）。", err=True)
        sys.exit(1)
    try:
        kb = open_kb(db_path) if db_path else open_kb()
        matched = []
        keep = (lambda f: matched.append((f.row, f.name, f.region, f.flat, f.awards_total_wan, f.tax_saving_wan))
                if f.status != "error" else None) if notices_dir else None
        report = bureau.match_file(firms, output, kb=kb, sink=keep)
    except PolicyKBError as exc:
        click.echo(f"出错了：{exc}", err=True)
        sys.exit(1)
    s = report.summary
    click.echo(f"已比对 {s.rows} 家企业（成功 {s.ok}，有误 {s.bad_rows}），接近符合 {s.near_misses} 项次，"
               f"用时 {s.seconds:.2f} 秒，结果写入 {output}", err=True)
    for note in report.notes:
        click.echo(f"  说明：{note}", err=True)
    for bad in report.bad[:_MAX_BAD_SHOWN]:
        click.echo(f"  {bad.sheet}表{bad.reason if bad.reason.startswith('第') else f'第{bad.row}行：' + bad.reason}",
                   err=True)
    if len(report.bad) > _MAX_BAD_SHOWN:
        click.echo(f"  ……另有 {len(report.bad) - _MAX_BAD_SHOWN} 行有误，见结果文件的“有误的行”工作表", err=True)
    if notices_dir:
        _write_notices(matched, notices_dir, issuer, kb)


def _write_notices(firms, notices_dir: Path, issuer: str, kb) -> None:
    import datetime as dt

    from policy_kb import documents

    notices_dir.mkdir(parents=True, exist_ok=True)
    try:
        for name, data in documents.notices_for(firms, issuer, dt.date.today(), kb):
            (notices_dir / name).write_bytes(data)
    except documents.FontMissing as exc:
        click.echo(f"出错了：{exc}", err=True)
        sys.exit(1)
    click.echo(f"已写入 {len(firms)} 份 PDF 政策告知书到 {notices_dir}", err=True)
