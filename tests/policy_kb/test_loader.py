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


def _with_incentive(data: dict, **extra) -> dict:
    data["incentives"] = [{"id": "qingshan-subsidy", "name": "设备更新补助", "kind": "finance", "summary": "设备补助",
                           "clause": "一", "quote": "按设备投资额的8%给予补助",
                           "parameters": {"kinds": [{"value": ["生产性设备"], "unit": "类别", "clause": "一",
                                                     "quote": "购置生产性设备"}]}, **extra}]
    return data


def test_incentive_sentence_names_only_its_parameters(tmp_path):
    assert load_source(write(tmp_path, _with_incentive(good(), sentences={"what": "{name}限于{kinds}"})))
    err = rejects(write(tmp_path, _with_incentive(good(), sentences={"what": "结转{carry_forward_years}年"})))
    assert err.path == "incentives[0].sentences.what" and "carry_forward_years" in err.problem


def test_value_cue_names_a_value_of_a_list_parameter(tmp_path):
    assert load_source(write(tmp_path, _with_incentive(good(), value_cues={"生产性设备": ["生产设备"]})))
    err = rejects(write(tmp_path, _with_incentive(good(), value_cues={"环境保护": ["环保"]})))
    assert err.path == "incentives[0].value_cues.环境保护" and "not a value" in err.problem


def test_default_award_region_needs_a_schedule_and_is_unique(tmp_path):
    data = good()
    data["default_for_awards"] = True
    err = rejects(write(tmp_path, data))
    assert err.path == "default_for_awards" and "no award schedule" in err.problem
    with pytest.raises(SourceError) as info:
        load_files([SOURCES_DIR / "luan.yaml", write(tmp_path, {**yaml.safe_load((SOURCES_DIR / "luan.yaml").read_text(
            encoding="utf-8")), "id": "luan-copy", "region": "别的市"}, name="copy.yaml")])
    assert info.value.path == "default_for_awards" and "second default" in info.value.problem


def test_two_regions_cannot_share_a_place_in_the_listing(tmp_path):
    data = good()
    data["listed"] = 1  # 六安市's place
    with pytest.raises(SourceError) as info:
        load_files([SOURCES_DIR / "luan.yaml", write(tmp_path, data)])
    assert info.value.path == "listed" and "六安市" in info.value.problem
