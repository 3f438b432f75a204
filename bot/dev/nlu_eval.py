"""Held-out NLU evaluation: intent macro-F1, entity F1 (type + normalised value), confusions.

Entities are compared as (type, value) multisets per message, on the pipeline's final output
(DIET plus the amount and knowledge-base extractors plus synonyms), because that is what the
dialogue sees. Writes reports/nlu.md.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

from bot.settings import REPO_ROOT

HELD_OUT = REPO_ROOT / "tests" / "nlu" / "heldout.yml"
REPORT = REPO_ROOT / "reports" / "nlu.md"
MODEL = REPO_ROOT / "models" / "current.tar.gz"


def load_examples(path: Path = HELD_OUT) -> List[Tuple[str, str, Counter]]:
    """(text, intent, Counter of (entity, value)) per example of a Rasa NLU file (default: the held-out set)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    return [
        (m.get("text"), m.get("intent"),
         Counter((e["entity"], str(e.get("value"))) for e in m.get("entities") or []))
        for m in data.intent_examples
    ]


async def predict(texts: List[str]) -> Tuple[List[Dict], float]:
    from bot.rasa import server

    server.prepare()  # parse as the served model parses (and time it so)
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    results, started = [], time.perf_counter()
    for text in texts:
        results.append(await agent.parse_message(text))
    return results, (time.perf_counter() - started) / max(1, len(texts))


def scores(examples, predictions) -> Dict[str, object]:
    from sklearn.metrics import f1_score

    gold_intents = [intent for _, intent, _ in examples]
    predicted = [p["intent"]["name"] for p in predictions]
    correct = predicted_total = gold_total = 0
    misses: Counter = Counter()
    for (_, _, gold), prediction in zip(examples, predictions, strict=True):
        found = Counter((e["entity"], str(e.get("value"))) for e in prediction.get("entities") or [])
        correct += sum((gold & found).values())
        predicted_total += sum(found.values())
        gold_total += sum(gold.values())
        for entity, value in (gold - found):
            misses[f"{entity}={value}"] += 1
    precision = correct / predicted_total if predicted_total else 0.0
    recall = correct / gold_total if gold_total else 0.0
    intents = sorted(set(gold_intents))
    return {
        # Macro-F1 over the intents of the test set: a prediction outside them (nlu_fallback)
        # still counts as a miss of the gold intent, but is not averaged in as a class of its own.
        "intent_macro_f1": f1_score(gold_intents, predicted, labels=intents, average="macro"),
        "intent_macro_f1_all_labels": f1_score(gold_intents, predicted, average="macro"),
        "intent_accuracy": sum(g == p for g, p in zip(gold_intents, predicted, strict=True)) / len(gold_intents),
        "entity_precision": precision,
        "entity_recall": recall,
        "entity_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "confusions": Counter((g, p) for g, p in zip(gold_intents, predicted, strict=True) if g != p).most_common(15),
        "entity_misses": misses.most_common(15),
    }


def report(result: Dict[str, object], count: int, latency_s: float) -> str:
    lines = [
        "# NLU evaluation on the held-out set (tests/nlu/)", "",
        f"- examples: {count}",
        f"- intent macro-F1 over the test intents: {result['intent_macro_f1']:.3f} "
        f"(accuracy {result['intent_accuracy']:.3f}; {result['intent_macro_f1_all_labels']:.3f} if nlu_fallback "
        f"predictions count as a class of their own)",
        f"- entity F1: {result['entity_f1']:.3f} (precision {result['entity_precision']:.3f}, recall {result['entity_recall']:.3f})",
        f"- parse latency (mean, one process): {latency_s * 1000:.1f} ms", "",
        "## Intent confusions (gold → predicted: count)", "",
    ]
    lines += [f"- {gold} → {pred}: {n}" for (gold, pred), n in result["confusions"]] or ["- none"]
    lines += ["", "## Entities most often missed (type=value: count)", ""]
    lines += [f"- {key}: {n}" for key, n in result["entity_misses"]] or ["- none"]
    return "\n".join(lines) + "\n"


def main() -> int:
    examples = load_examples()
    predictions, latency = asyncio.run(predict([text for text, _, _ in examples]))
    text = report(scores(examples, predictions), len(examples), latency)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    return 0
