"""Award calculator: the case table covers every title the knowledge base holds; citations are real."""

from __future__ import annotations

from pathlib import Path

import yaml

from policy_kb import awards

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "awards.yaml").read_text(encoding="utf-8"))["cases"]


def test_every_luan_title_has_a_case(kb):
    """A title added to the sources without a hand-worked case fails here."""
    tested = {h for case in CASES for h in case["input"]["honors"]}
    tested |= {kb.resolve_honor(h) for h in tested}
    assert {a.honor for a in kb.awards("六安市")} <= tested


def test_every_alias_resolves_to_the_same_amount(kb):
    schedule = {a.honor: a.amount_wan for a in kb.awards("六安市")}
    for alias, canonical in kb.aliases("honor").items():
        if canonical in schedule:
            [item] = awards.calculate("六安", [alias], kb=kb).items
            assert item.honor == canonical and item.amount_wan == schedule[canonical], alias


def test_citations_quote_their_clause(kb):
    result = awards.calculate("六安", [a.honor for a in kb.awards("六安市")], kb=kb)
    for item in result.items:
        assert item.citation.quote in kb.clause("luan", item.citation.clause).text
        assert item.citation.document == kb.document("luan").title
