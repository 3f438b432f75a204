"""One end-to-end run: train the real config.yml pipeline on a tiny data set and parse."""

import time  # phases are printed (run with -s): ~60 s on an idle 2-core machine
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def nlu_only_config(tmp_path: Path) -> Path:
    """config.yml's pipeline, pointed at the fixture dictionary and without the KB.

    The KB is left out so the test does not depend on `policybot kb build`; the rule
    tables in nlu/resources still give filing/scale/honour entities.
    """
    config = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "JiebaTokenizer":
            component["dictionary_path"] = str(FIXTURES / "jieba")
        if component["name"] == "nlu.components.KBEntityExtractor":
            component["use_kb"] = False
    slim = {key: config[key] for key in ("recipe", "language", "assistant_id", "pipeline")}
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(slim, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.slow
async def test_trained_pipeline_normalises_and_extracts(tmp_path):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    started = time.monotonic()
    model = train_nlu(
        config=str(nlu_only_config(tmp_path)),
        nlu_data=str(FIXTURES / "nlu.yml"),
        output=str(tmp_path / "models"),
        fixed_model_name="nlu",
    )
    assert model, "training produced no model"
    trained = time.monotonic()
    agent = Agent.load(model)
    loaded = time.monotonic()
    result = await agent.parse_message("我們是規上企業，總投資３０００萬，今年能投800萬，已經備案")
    parse_start = time.monotonic()
    await agent.parse_message("六安省智能工厂奖励多少")
    done = time.monotonic()
    print(
        f"train {trained - started:.1f}s, load {loaded - trained:.1f}s, "
        f"parse {1000 * (done - parse_start):.0f} ms"
    )

    assert result["intent"]["name"] == "inform"
    entities = {(e["entity"], e["value"]) for e in result["entities"]}
    assert {
        ("scale", "规上"),
        ("investment", "3000"),
        ("investment_this_year", "800"),
        ("filing", "已备案"),
    } <= entities
    assert len(result["entities"]) == 4
