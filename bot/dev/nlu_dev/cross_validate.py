"""Score an NLU model on the development set, and check training-data entity alignment.

The development set (`bot/dev/nlu_dev/dev.yml`) is written separately from the training data
and is never trained on; it stands in for the held-out set (`tests/nlu/`), which the NLU
owner must not read. Scores follow `bot/dev/nlu_eval.py`: intent macro-F1 (sklearn) and entity
F1 over (type, value) multisets of the pipeline's final output.

Usage:
    .venv/bin/python -m bot.dev.nlu_dev.cross_validate score /tmp/nlu-tune/tune.tar.gz
    .venv/bin/python -m bot.dev.nlu_dev.cross_validate align bot/rasa/data/nlu
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import List

from bot.dev.nlu_eval import load_examples, scores
from bot.settings import RASA_DIR, REPO_ROOT

DEV_SET = Path(__file__).resolve().parent / "dev.yml"
JIEBA_DICT = REPO_ROOT / "build" / "jieba" / "userdict.txt"


async def _predict(model: Path, texts: List[str]):
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def score(model: Path, data: Path, show_errors: bool) -> None:
    """Print intent macro-F1/accuracy, entity P/R/F1 and the errors of `model` on `data`."""
    from sklearn.metrics import f1_score

    examples = load_examples(data)
    predictions = asyncio.run(_predict(model, [text for text, _, _ in examples]))
    result = scores(examples, predictions)
    gold = [intent for _, intent, _ in examples]
    predicted = [p["intent"]["name"] for p in predictions]
    print(f"examples {len(examples)}")
    print(f"intent macro-F1 {result['intent_macro_f1']:.3f}  accuracy {result['intent_accuracy']:.3f}")
    print(f"entity F1 {result['entity_f1']:.3f}  P {result['entity_precision']:.3f}  R {result['entity_recall']:.3f}")
    labels = sorted(set(gold))
    per_intent = f1_score(gold, predicted, labels=labels, average=None)
    print("per-intent F1: " + ", ".join(f"{name} {f:.2f}" for name, f in zip(labels, per_intent, strict=True) if f < 1))
    if not show_errors:
        return
    for (text, intent, ents), p in zip(examples, predictions, strict=True):
        found = Counter((e["entity"], str(e.get("value"))) for e in p.get("entities") or [])
        name, conf = p["intent"]["name"], p["intent"].get("confidence", 0.0)
        if name != intent:
            print(f"  INTENT {intent} -> {name} ({conf:.2f}): {text}")
        if found != ents:
            print(f"  ENTITY {text}: missing {dict(ents - found)} extra {dict(found - ents)}")


def align(path: Path) -> int:
    """Print entity spans that do not start and end on jieba token boundaries; return count."""
    import jieba
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu.normalise import normalise_text

    jieba.load_userdict(str(JIEBA_DICT))
    bad = 0
    for message in load_data(str(path)).intent_examples:
        text = normalise_text(message.get("text"))
        bounds, offset = {0}, 0
        for token in jieba.cut(text):
            offset += len(token)
            bounds.add(offset)
        for entity in message.get("entities") or []:
            if entity["start"] not in bounds or entity["end"] not in bounds:
                bad += 1
                print(f"misaligned {entity['entity']} '{text[entity['start']:entity['end']]}' in: "
                      f"{'/'.join(jieba.cut(text))}")
    print(f"{bad} misaligned spans")
    return bad


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("score")
    s.add_argument("model", type=Path)
    s.add_argument("--data", type=Path, default=DEV_SET)
    s.add_argument("--errors", action="store_true")
    a = sub.add_parser("align")
    a.add_argument("path", type=Path, nargs="?", default=RASA_DIR / "data" / "nlu")
    args = parser.parse_args(argv)
    if args.command == "score":
        score(args.model, args.data, args.errors)
        return 0
    return 1 if align(args.path) else 0


if __name__ == "__main__":
    sys.exit(main())
