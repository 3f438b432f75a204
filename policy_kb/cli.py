"""Command line of the knowledge base: `policybot kb build|search|show|ingest`.

The edge of the library: named exceptions become short Chinese messages and exit
status 1, never a traceback.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from policy_kb.errors import PolicyKBError, SourceError
from policy_kb.paths import DEFAULT_DB, SOURCES_DIR


def friendly_errors(func):
    """Turn knowledge-base errors into a Chinese message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except SourceError as exc:
            click.echo(exc.chinese(), err=True)
        except PolicyKBError as exc:
            click.echo(f"出错了：{exc}", err=True)
        sys.exit(1)

    return wrapper


@click.group("kb", help="政策知识库：构建、检索、查看条款、起草新文件。 Policy knowledge base: build, search, show, ingest.")
def kb() -> None:
    pass


@kb.command("build", help="校验政策源文件并编译为 SQLite 知识库（原子替换）。 Validate the YAML sources and compile the SQLite KB atomically.")
@click.option("--sources", "sources_dir", type=click.Path(file_okay=False, path_type=Path), default=SOURCES_DIR,
              show_default=True, help="政策源文件目录 / directory of source YAML files")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
              show_default=True, help="输出数据库 / output database file")
@click.option("--no-nlu-files", is_flag=True, help="不生成 jieba 词典和 Rasa 查找表 / skip the generated NLU files")
@friendly_errors
def build_cmd(sources_dir: Path, db_path: Path, no_nlu_files: bool) -> None:
    from policy_kb import compiler, generated

    kwargs = {"userdict_path": None, "lookups_path": None} if no_nlu_files else {
        "honors_path": generated.HONORS_TABLE, "regions_domain_path": generated.REGIONS_DOMAIN,
        "profile_vocabulary_path": generated.PROFILE_VOCABULARY}
    compiler.build(sources_dir, db_path, echo=click.echo, **kwargs)


@kb.command("search", help="用中文问题检索条款。 Rank clauses for a Chinese question.")
@click.argument("query")
@click.option("--region", default=None, help="地区，如 六安 / 广西 / region filter (national clauses always included)")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="返回条数 / number of hits")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="知识库文件 / database file (default build/policy_kb.sqlite)")
@friendly_errors
def search_cmd(query: str, region: str, k: int, db_path: Path) -> None:
    from policy_kb.search import search
    from policy_kb.store import open_kb

    hits = search(query, region=region, k=k, kb=open_kb(db_path))
    if not hits:
        click.echo("没有找到相关条款。 No matching clause.")
    for rank, hit in enumerate(hits, 1):
        click.echo(f"{rank}. 《{hit.document}》{hit.clause}  (score {hit.score:.2f})")
        click.echo(f"   {_snippet(hit.text)}")


def _snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width] + "…"


@kb.command("show", help="显示文件或条款原文及引用，如 luan 或 guangxi:三.（四）。 Print a document or a clause with its citation.")
@click.argument("ref")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="知识库文件 / database file")
@friendly_errors
def show_cmd(ref: str, db_path: Path) -> None:
    from policy_kb.store import open_kb

    kb_ = open_kb(db_path)
    doc_id, _, clause_id = ref.partition(":")
    if not clause_id:
        _show_document(kb_, doc_id)
        return
    clause = kb_.clause(doc_id, normalise_clause_id(clause_id))
    click.echo(clause.text)
    click.echo(f"—— 引自《{clause.document}》{clause.clause}（{clause.status}）")


def normalise_clause_id(text: str) -> str:
    """Accept 三（四） / 三.(四) / 三、（四） for the stored id 三.（四）."""
    text = text.strip().replace("(", "（").replace(")", "）").replace("、", ".")
    return re.sub(r"(?<=[^.])（", ".（", text)


def _show_document(kb_, doc_id: str) -> None:
    doc = kb_.document(doc_id)
    click.echo(f"《{doc.title}》")
    click.echo(f"发文机关 issuer: {doc.issuer}  地区 region: {doc.region}  状态 status: {doc.status}")
    click.echo(f"文号 number: {doc.doc_number or '（无）'}  核对日期 as of: {doc.as_of}")
    for note in doc.notes:
        click.echo(f"  注：{note}")
    for clause in kb_.clauses(doc_id):
        click.echo(f"  {clause.clause:<10} {clause.heading or ''}")


@kb.command("ingest", help="从政策原文起草源文件（需人工复核）。 Draft a source YAML from a raw policy text, for review.")
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="草稿输出路径 / draft YAML to write")
@click.option("--id", "doc_id", default=None, help="文件 id，默认取文件名 / document id (default: file name)")
@click.option("--region", default="", help="地区 / region of the document")
@friendly_errors
def ingest_cmd(text_file: Path, output: Path, doc_id: str, region: str) -> None:
    from policy_kb import ingest

    draft = ingest.draft_source(text_file.read_text(encoding="utf-8"), doc_id=doc_id or _safe_id(text_file.stem),
                                region=region, source_file=text_file.name)
    output.write_text(ingest.draft_yaml(draft), encoding="utf-8")
    click.echo(f"已写出草稿 (draft written): {output}：{len(draft['clauses'])} 条条款，"
               f"{len(draft['candidates'])} 个待复核数字 (candidates for review)")


def _safe_id(stem: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-") or "draft"
