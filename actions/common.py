"""What every action shares: the knowledge base, entities of the latest message, reply parts.

Replies are built from knowledge-base records only; this module holds wording, never a
policy figure.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.settings import get_settings
from nlu.normalise import find_amounts, normalise_text
from nlu.question import Vocabulary, analyse
from policy_kb.answering import region_of_shares
from policy_kb.store import NATIONAL_REGION, Document, KnowledgeBase, open_kb

DRAFT_STATUS = "征求意见稿"
CAVEAT = "（本文件为征求意见稿，以正式发布文件为准）"
FEEDBACK_BUTTONS = [
    {"title": "有用", "payload": '/feedback{"feedback": "有用"}'},
    {"title": "没用", "payload": '/feedback{"feedback": "没用"}'},
]


def kb() -> KnowledgeBase:
    """The knowledge base (re-opened by the store when a rebuild swaps the file)."""
    return open_kb(get_settings().kb_path)


def entity_values(tracker: Tracker, entity: str) -> List[str]:
    """Values of `entity` in the latest user message, in order of appearance."""
    entities = tracker.latest_message.get("entities") or []
    ordered = sorted(entities, key=lambda e: e.get("start") or 0)
    return [str(e.get("value")) for e in ordered if e.get("entity") == entity and e.get("value") is not None]


def first_entity(tracker: Tracker, entity: str) -> Optional[str]:
    values = entity_values(tracker, entity)
    return values[0] if values else None


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def current_region(tracker: Tracker) -> Optional[str]:
    """Region named in this message, else the one remembered, else implied by a programme name."""
    named = first_entity(tracker, "region")
    if named:
        resolved = kb().resolve_region(named)
        if resolved:
            return resolved
    places = {kb().resolve_region(r) for r in analyse(latest_text(tracker), vocabulary()).regions} - {None}
    if len(places) == 1:
        return places.pop()  # "桂林的企业，项目2000万整": a city of a covered region
    if tracker.get_slot("region"):
        return tracker.get_slot("region")
    program = first_entity(tracker, "program")
    if program:
        return region_of_program(program)
    # "总投资4999万，是按10%还是30%算": shares that only one region's rules hold place the project there
    return region_of_shares(kb(), [span.value for span in find_amounts(normalise_text(latest_text(tracker)))
                                   if span.kind == "percent"])


def region_of_program(program_text: str) -> Optional[str]:
    """The region whose programme is named (项目库 → 六安市, 千企技改 → 广西壮族自治区)."""
    base = kb()
    canonical = base.aliases("program").get(program_text, program_text)
    for program in base.programs():
        if canonical in (program.id, program.name) or canonical in program.name:
            return program.region
    return None


def document_info(document_id: str) -> Document:
    return kb().document(document_id)


def citation_line(citation: Any, with_quote: bool = True) -> str:
    """`依据：《标题》三.（四）：“……”` — the web page shows lines starting with 依据 in grey.

    `citation` is any citation record: the store's `Citation` or a result's (award, tax, check).
    """
    line = f"依据：《{citation.document}》{citation.clause}"
    quote = citation.quote
    if with_quote and quote:
        line += f"：“{quote}”"
    return line


def caveat(tracker: Tracker, statuses: Iterable[Optional[str]]) -> Tuple[Optional[str], List[EventType]]:
    """The draft caveat, once per conversation, when an answer relied on a draft document."""
    if tracker.get_slot("caveat_shown") or DRAFT_STATUS not in set(statuses):
        return None, []
    return CAVEAT, [SlotSet("caveat_shown", True)]


def wan(value: Optional[float]) -> str:
    """`50.0` → `50万元`, `137.5` → `137.5万元`."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}万元"


def join_lines(lines: Iterable[Optional[str]]) -> str:
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=4)
def _vocabulary(kb_key: int) -> Vocabulary:
    base = kb()
    regions = {region: region for region in base.regions()}
    regions.update({alias: region for alias, region in base.aliases("region").items() if region != NATIONAL_REGION})
    return Vocabulary.load(base.topics(), regions)


def vocabulary() -> Vocabulary:
    return _vocabulary(id(kb()))


def said_so_far(dispatcher: Any) -> str:
    """What this turn has already said (a verdict does not repeat a line of the answer before it)."""
    return "".join(str(m.get("text") or "") for m in dispatcher.messages)
