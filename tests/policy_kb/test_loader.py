"""The loader rejects each kind of bad source with file, path and problem."""

from pathlib import Path

import pytest
import yaml

from policy_kb.errors import SourceError
from policy_kb.loader import load_files, load_source
from policy_kb.paths import SOURCES_DIR

GOOD = Path(__file__).parent / "fixtures" / "third.yaml"


def write(tmp_path: Path, data, name="bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def good() -> dict:
    return yaml.safe_load(GOOD.read_text(encoding="utf-8"))


def rejects(path: Path) -> SourceError:
    with pytest.raises(SourceError) as info:
        load_source(path)
    assert str(path) in str(info.value)
    return info.value


def test_real_sources_and_fixture_load():
    for path in [*sorted(SOURCES_DIR.glob("*.yaml")), GOOD]:
        assert load_source(path).clauses


def test_duplicate_clause_id(tmp_path):
    data = good()
    data["clauses"][2]["id"] = "一"
    err = rejects(write(tmp_path, data))
    assert err.path == "clauses[2].id"
    assert "重复" in err.problem and "duplicate clause id" in err.problem


def test_citation_of_missing_clause(tmp_path):
    data = good()
    data["figures"][0]["clause"] = "九.（九）"
    err = rejects(write(tmp_path, data))
    assert err.path == "figures[0].clause"
    assert "九.（九）" in err.problem and "does not exist" in err.problem


def test_quote_not_in_clause(tmp_path):
    data = good()
    data["departments"][0]["quote"] = "由市财政局受理"
    err = rejects(write(tmp_path, data))
    assert err.path == "departments[0].quote"
    assert "quote not found" in err.problem


def test_amount_without_unit(tmp_path):
    data = yaml.safe_load((SOURCES_DIR / "luan.yaml").read_text(encoding="utf-8"))
    data["awards"][3]["unit"] = None
    err = rejects(write(tmp_path, data))
    assert err.path == "awards[3].amount_wan"
    assert "amount without unit" in err.problem


def test_parameter_without_unit(tmp_path):
    data = yaml.safe_load((SOURCES_DIR / "national.yaml").read_text(encoding="utf-8"))
    del data["incentives"][0]["parameters"]["extra_rate"][0]["unit"]
    err = rejects(write(tmp_path, data))
    assert err.path == "incentives[0].parameters.extra_rate[0].value"
    assert "without unit" in err.problem


def test_unknown_field(tmp_path):
    data = good()
    data["figures"][0]["amount"] = 8
    err = rejects(write(tmp_path, data))
    assert err.path == "figures[0].amount"
    assert "unknown field" in err.problem


def test_missing_required_field(tmp_path):
    data = good()
    del data["title"]
    err = rejects(write(tmp_path, data))
    assert err.path == "title" and "field required" in err.problem


def test_yaml_syntax_error(tmp_path):
    err = rejects(write(tmp_path, "id: x\nclauses: [\n  - oops: : :\n"))
    assert "YAML" in err.problem and "行" in err.path


def test_duplicate_document_id(tmp_path):
    copy = write(tmp_path, good(), name="copy.yaml")
    with pytest.raises(SourceError) as info:
        load_files([GOOD, copy])
    assert "duplicate document id" in info.value.problem


def test_chinese_message_names_everything(tmp_path):
    data = good()
    data["figures"][0]["clause"] = "九"
    err = rejects(write(tmp_path, data))
    text = err.chinese()
    assert "bad.yaml" in text and "figures[0].clause" in text and "不存在" in text
