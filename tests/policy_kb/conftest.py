"""`ask`: a question planned over the session's knowledge base, as (Answer, its lines and citations)."""

import datetime as dt

import pytest

from nlu.question import Vocabulary, analyse
from policy_kb.answering import State, citation_text, plan


@pytest.fixture(scope="module")
def ask(kb):
    regions = {d.region: d.region for d in kb.documents()}
    regions.update(kb.aliases("region"))
    vocab = Vocabulary.load(kb.topics(), regions)

    def answer(text, **state):
        state.setdefault("today", dt.date(2026, 12, 1))
        result = plan(analyse(text, vocab), State(**state), kb)
        lines = [line for part in result.parts for line in part.lines]
        cites = [citation_text(c) for part in result.parts for c in part.citations]
        return result, "\n".join(lines + cites)

    return answer


@pytest.fixture(scope="module")
def vocab_question(kb):
    """The question analysis of a text over the session's knowledge base's vocabulary."""
    regions = {d.region: d.region for d in kb.documents()}
    regions.update(kb.aliases("region"))
    vocab = Vocabulary.load(kb.topics(), regions)
    return lambda text: analyse(text, vocab)
