"""Read and validate policy source files.

`load_source(path)` returns a `schema.Source` or raises `SourceError` naming the
file, the path inside it (``awards[3].amount_wan``) and the problem. Besides
the schema, it checks what pydantic cannot: unique clause ids, citations of
clauses that exist, quotes that really occur in the cited clause, and a unit
beside every figure.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Tuple

import yaml
from pydantic import ValidationError

from policy_kb.errors import SourceError
from policy_kb.figure_refs import resolve_figures
from policy_kb.paths import SOURCES_DIR
from policy_kb.schema import Source

_SPACE = re.compile(r"\s+")


def load_sources(sources_dir: Path = SOURCES_DIR) -> List[Source]:
    """Load every `*.yaml` in `sources_dir` (sorted by name); document ids must be unique."""
    files = sorted(Path(sources_dir).glob("*.yaml"))
    if not files:
        raise SourceError(str(sources_dir), "", "目录中没有 .yaml 政策源文件 (no source files)")
    return load_files(files)


def load_files(files: Iterable[Path]) -> List[Source]:
    """Load the given source files; document ids must be unique across them."""
    files = [Path(f) for f in files]
    sources, seen = [], {}
    for file in files:
        source = load_source(file)
        if source.id in seen:
            raise SourceError(str(file), "id", f"文档 id “{source.id}” 与 {seen[source.id]} 重复 (duplicate document id)")
        seen[source.id] = str(file)
        sources.append(source)
    _check_region_names(sources, [str(f) for f in files])
    return sources


def _check_region_names(sources: List[Source], files: List[str]) -> None:
    """At most one default award region; no two regions at the same place of the listing."""
    defaults = [(s, f) for s, f in zip(sources, files, strict=True) if s.default_for_awards]
    if len(defaults) > 1:
        raise SourceError(defaults[1][1], "default_for_awards",
                          f"“{defaults[0][0].region}”已是默认奖补地区 (a second default award region)")
    places: dict = {}
    for source, file in zip(sources, files, strict=True):
        if source.listed is not None and places.setdefault(source.listed, source.region) != source.region:
            raise SourceError(file, "listed", f"位置 {source.listed} 已属于“{places[source.listed]}” (listed twice)")


def load_source(file: Path) -> Source:
    """Parse and validate one source file."""
    data = _read_yaml(Path(file))
    resolve_figures(data, str(file))
    try:
        source = Source.parse_obj(data)
    except ValidationError as exc:
        raise _schema_error(file, exc) from None
    check_source(source, str(file))
    return source


def _read_yaml(file: Path) -> dict:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(str(file), where, f"YAML 语法错误 (YAML syntax error): {problem}") from None
    except OSError as exc:
        raise SourceError(str(file), "", f"无法读取文件 (cannot read): {exc}") from None
    if not isinstance(data, dict):
        raise SourceError(str(file), "", "文件顶层必须是映射 (top level must be a mapping)")
    return data


def _schema_error(file: Path, exc: ValidationError) -> SourceError:
    first = exc.errors()[0]
    path = loc_to_path(first["loc"])
    if first["type"] == "value_error.extra":
        problem = "未知字段 (unknown field)"
    elif first["type"] == "value_error.missing":
        problem = "缺少必填字段 (field required)"
    else:
        problem = f"取值不合法 (invalid value): {first['msg']}"
    return SourceError(str(file), path, problem)


def loc_to_path(loc: Tuple) -> str:
    """('awards', 3, 'amount_wan') -> 'awards[3].amount_wan'."""
    out = ""
    for part in loc:
        if part == "__root__":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def normalise_space(text: str) -> str:
    """Quotes are compared without whitespace, so line breaks in YAML do not matter."""
    return _SPACE.sub("", text)


def check_source(source: Source, file: str) -> None:
    """Cross-reference checks; raises SourceError on the first problem."""
    texts = _clause_texts(source, file)
    for path, clause, quote in iter_citations(source):
        if clause not in texts:
            raise SourceError(file, f"{path}.clause", f"引用的条款 “{clause}” 不存在 (cites a clause that does not exist)")
        if not quote.strip() or normalise_space(quote) not in texts[clause]:
            raise SourceError(file, f"{path}.quote", f"引文未出现在条款 “{clause}” 中 (quote not found in clause): {quote}")
    for path, has_value, unit in iter_figures(source):
        if has_value and not (unit and unit.strip()):
            raise SourceError(file, path, "数值缺少单位 (amount without unit)")
    _check_unique(file, "awards", [a.honor for a in source.awards])
    _check_unique(file, "incentives", [i.id for i in source.incentives])
    _check_unique(file, "targets", [t.id for t in source.targets])
    _check_unique(file, "figures", [f.id for f in source.figures])
    _check_unique(file, "programs", [p.id for p in source.programs])
    _check_unique(file, "points", [p.id for p in source.points])
    _check_point_numbers(source, file, texts)
    _check_incentive_cues(source, file)
    _check_incentive_sentences(source, file)
    if source.default_for_awards and not source.awards:
        raise SourceError(file, "default_for_awards", "没有奖补标准（awards）的文件不能作为默认奖补地区 (no award schedule)")


def _check_incentive_sentences(source: Source, file: str) -> None:
    """A sentence's placeholders name parameters of its incentive (or `name`)."""
    for i, inc in enumerate(source.incentives):
        for key, text in inc.sentences.items():
            try:
                names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
            except ValueError as exc:
                raise SourceError(file, f"incentives[{i}].sentences.{key}", f"占位符写法错误 (bad placeholder): {exc}") from None
            unknown = sorted(names - set(inc.parameters) - {"name"})
            if unknown:
                raise SourceError(file, f"incentives[{i}].sentences.{key}",
                                  f"占位符 {'、'.join(unknown)} 不是该优惠的参数 (not a parameter of the incentive)")


def _check_incentive_cues(source: Source, file: str) -> None:
    """A cue names a value that one of the incentive's list parameters has."""
    for i, inc in enumerate(source.incentives):
        values = {v for values in inc.parameters.values() for p in values if isinstance(p.value, list) for v in p.value}
        for value in inc.value_cues:
            if value not in values:
                raise SourceError(file, f"incentives[{i}].value_cues.{value}",
                                  "不是该优惠任何列表参数的取值 (not a value of a list parameter)")


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _check_point_numbers(source: Source, file: str, texts: dict) -> None:
    """Every number a point states must stand in its clause (or its 文号): a point is the
    clause said plainly, never a new figure typed beside it."""
    for i, point in enumerate(source.points):
        allowed = texts[point.clause] + normalise_space(point.basis or "")
        for number in _NUMBER.findall(point.text):
            if number not in allowed:
                raise SourceError(file, f"points[{i}].text",
                                  f"数字 {number} 未出现在条款 “{point.clause}” 中 (number not in the cited clause)")


def _clause_texts(source: Source, file: str) -> dict:
    texts = {}
    for i, clause in enumerate(source.clauses):
        if clause.id in texts:
            raise SourceError(file, f"clauses[{i}].id", f"条款编号 “{clause.id}” 重复 (duplicate clause id)")
        texts[clause.id] = normalise_space(clause.text)
    return texts


def _check_unique(file: str, field: str, keys: List[str]) -> None:
    seen = set()
    for i, key in enumerate(keys):
        if key in seen:
            raise SourceError(file, f"{field}[{i}]", f"“{key}” 重复 (duplicate entry)")
        seen.add(key)


def iter_citations(source: Source) -> Iterator[Tuple[str, str, str]]:
    """Every (path, clause id, quote) in the file."""
    for field in ("awards", "award_notes", "incentives", "targets", "figures", "departments", "procedures", "directions",
                  "points"):
        for i, item in enumerate(getattr(source, field)):
            yield f"{field}[{i}]", item.clause, item.quote
    for i, inc in enumerate(source.incentives):
        for name, values in inc.parameters.items():
            for j, value in enumerate(values):
                yield f"incentives[{i}].parameters.{name}[{j}]", value.clause, value.quote
    for i, program in enumerate(source.programs):
        yield f"programs[{i}]", program.clause, program.quote
        for j, check in enumerate(program.checks):
            yield f"programs[{i}].checks[{j}]", check.clause, check.quote


def iter_figures(source: Source) -> Iterator[Tuple[str, bool, Optional[str]]]:
    """Every (path of the value, value present?, unit) that needs a unit."""
    for i, award in enumerate(source.awards):
        yield f"awards[{i}].amount_wan", award.amount_wan is not None, award.unit
    for i, target in enumerate(source.targets):
        yield f"targets[{i}].value", target.value is not None, target.unit
    for i, figure in enumerate(source.figures):
        yield f"figures[{i}].value", figure.value is not None, figure.unit
    for i, inc in enumerate(source.incentives):
        for name, values in inc.parameters.items():
            for j, value in enumerate(values):
                yield f"incentives[{i}].parameters.{name}[{j}].value", value.value is not None, value.unit
