"""Counts and token-alignment report for the held-out NLU test set.

Usage (from the repo root):
    .venv/bin/python tests/nlu/stats.py            # counts per intent and entity, markdown
    .venv/bin/python tests/nlu/stats.py --align    # also list spans that cut a jieba token

The set is loaded with Rasa's own reader, so a parse error here is a parse error in
`rasa test nlu`. The alignment check imitates the production pipeline's pre-tokenising
normalisation (traditional -> simplified, full-width -> half-width, both length-preserving)
and runs jieba twice: plain, and with the spec's entity vocabulary added as words (a stand-in
for the domain dictionary built from the knowledge base, which this set must not depend on).
"""
from __future__ import annotations

import argparse
import collections
import pathlib
import sys
import unicodedata

HERE = pathlib.Path(__file__).resolve().parent
HELDOUT = HERE / "heldout.yml"


def load(path: pathlib.Path = HELDOUT):
    """Load the set with Rasa's reader (raises on malformed YAML or annotations)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def intent_counts(td) -> collections.Counter:
    """Number of examples per intent."""
    return collections.Counter(m.get("intent") for m in td.intent_examples)


def entity_counts(td) -> collections.Counter:
    """Number of annotated spans per entity type."""
    return collections.Counter(e["entity"] for m in td.training_examples for e in m.get("entities", []))


def markdown_table(header: tuple[str, str], counts: collections.Counter) -> str:
    """A two-column markdown table, largest count first, with a total row."""
    rows = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    rows += [f"| {k} | {v} |" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append(f"| **total** | **{sum(counts.values())}** |")
    return "\n".join(rows)


def normalise(text: str) -> str:
    """Traditional -> simplified and full-width -> half-width, character by character."""
    import opencc

    converter = opencc.OpenCC("t2s")
    out = []
    for ch in text:
        simple = converter.convert(ch)
        half = unicodedata.normalize("NFKC", simple)
        out.append(half if len(half) == 1 else simple)
    return "".join(out)


def token_edges(tokenizer, text: str) -> set[int]:
    """Character offsets where a jieba token starts or ends."""
    edges = set()
    for _word, start, end in tokenizer.tokenize(text):
        edges.update((start, end))
    return edges


def misaligned(td, tokenizer) -> list[tuple[str, str, str]]:
    """(intent, text, span) for every entity span whose ends are not token boundaries."""
    bad = []
    for message in td.training_examples:
        text = normalise(message.get("text"))
        edges = token_edges(tokenizer, text)
        for ent in message.get("entities", []):
            if ent["start"] not in edges or ent["end"] not in edges:
                bad.append((message.get("intent"), message.get("text"), text[ent["start"]:ent["end"]]))
    return bad


def lexicon_tokenizer(td):
    """A jieba tokenizer that knows every annotated span and canonical value as a word."""
    import jieba

    tok = jieba.Tokenizer()
    for message in td.training_examples:
        text = normalise(message.get("text"))
        for ent in message.get("entities", []):
            tok.add_word(text[ent["start"]:ent["end"]], freq=100000)
            tok.add_word(normalise(str(ent["value"])), freq=100000)
    return tok


def report_alignment(td) -> int:
    """Print misaligned spans for plain jieba and lexicon jieba; return how many there were."""
    import jieba

    jieba.setLogLevel(60)
    total = 0
    for name, tok in (("plain jieba", jieba.Tokenizer()), ("jieba + entity lexicon", lexicon_tokenizer(td))):
        bad = misaligned(td, tok)
        total += len(bad)
        print(f"\n{name}: {len(bad)} misaligned span(s)")
        for intent, text, span in bad:
            print(f"  [{intent}] {text}  <- {span!r}: {' / '.join(tok.lcut(normalise(text)))}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--align", action="store_true", help="check spans against jieba tokens")
    args = parser.parse_args(argv)
    td = load()
    print(f"examples: {len(td.intent_examples)}, intents: {len(td.intents)}\n")
    print(markdown_table(("intent", "examples"), intent_counts(td)))
    print()
    print(markdown_table(("entity", "spans"), entity_counts(td)))
    if args.align:
        return 1 if report_alignment(td) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
