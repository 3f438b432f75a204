"""Schema of a policy source file (`policy_kb/sources/*.yaml`), pydantic v1.

Structure only: every model forbids unknown fields. The cross-references
(clause ids that must exist, quotes that must occur in the cited clause, units
beside every figure) are checked by `policy_kb.loader`, which knows the path of
each value inside the file and can name it in the error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, Extra, Field

from policy_kb.rules_schema import Program

DocStatus = Literal["征求意见稿", "正式", "verified", "secondary"]
FactStatus = Literal["verified", "secondary"]
AliasKind = Literal[
    "region", "honor", "term", "direction", "incentive", "scale", "program",
    "catalog", "department", "filing", "project_type",
]


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


class Cited(_Strict):
    """Anything that comes from a clause: the clause id and a short verbatim quote."""

    clause: str
    quote: str


class Clause(_Strict):
    """One numbered unit of the document; `text` holds its lines verbatim."""

    id: str
    heading_path: List[str] = []
    heading: Optional[str] = None
    text: str
    # False for a title block or an editorial note: kept for `show`, left out of search.
    searchable: bool = True


class Award(Cited):
    """One honour of an award schedule. `amount_wan: null` means no fixed amount."""

    honor: str
    level: Optional[str] = None
    category: Optional[str] = None
    amount_wan: Optional[float] = None
    unit: Optional[str] = None
    basis: str = "新认定每个"
    funding: Optional[str] = None
    note: Optional[str] = None


class Note(Cited):
    """A sentence the assistant must be able to say, with its source."""

    text: str


class ParameterValue(Cited):
    """One dated value of an incentive parameter."""

    value: Any
    unit: Optional[str] = None
    effective_from: Optional[dt.date] = None
    effective_to: Optional[dt.date] = None
    basis: Optional[str] = None
    status: FactStatus = "verified"
    note: Optional[str] = None


class Incentive(Cited):
    """A national tax or finance incentive; parameters are keyed by name, then by date."""

    id: str
    name: str
    kind: Literal["tax", "finance", "context"] = "tax"
    estimated: bool = False
    summary: str
    basis: Optional[str] = None
    status: FactStatus = "verified"
    parameters: Dict[str, List[ParameterValue]] = {}
    notes: List[str] = []
    # A rate that follows from the firm's status (高新技术企业, 小型微利企业): the estimates use
    # it, but it is no measure the assistant explains or estimates on its own.
    firm_rate: bool = False
    # Words of a question that name one value of a list parameter (环保 → 环境保护), in the
    # order they are tried.
    value_cues: Dict[str, List[str]] = {}
    # What the estimates say about the incentive's conditions, by key; `{parameter}` is the
    # parameter in effect (a 比例 as a percentage), `{name}` the incentive's name.
    sentences: Dict[str, str] = {}


class Target(Cited):
    """A quantified goal of the policy (每年300个以上 …)."""

    id: str
    name: str
    value: Optional[float] = None
    unit: Optional[str] = None
    comparison: Optional[str] = None
    period: Optional[str] = None


class Figure(Cited):
    """A quantified provision that is not a goal (a threshold, a share, a cap)."""

    id: str
    name: str
    value: Optional[float] = None
    unit: Optional[str] = None
    comparison: Optional[str] = None


class Department(Cited):
    name: str
    handles: List[str] = []


class Procedure(Cited):
    id: str
    name: str
    description: str
    department: Optional[str] = None


class Direction(Cited):
    name: str
    description: Optional[str] = None


class Topic(_Strict):
    """What a question can be about (a programme, a measure, an incentive), with the words
    that name it. A topic declared in several sources is one topic: their cues add up."""

    id: str
    name: str
    kind: Literal["program", "award", "measure", "incentive", "document"] = "measure"
    cues: List[str] = []


Aspect = Literal[
    "threshold", "amount", "rate", "conditions", "who", "exclusions", "procedure", "materials",
    "timing", "where", "definition", "overview", "interaction",
]


class Point(Cited):
    """One statement people ask about, with its clause and quote: the answer to (topic, aspect).

    `basis` names the official document (文号) for national facts; `status: secondary` means the
    official text should be checked. `department` is who can say more.
    """

    id: str
    topic: str
    aspects: List[Aspect] = Field(..., min_items=1)
    text: str
    basis: Optional[str] = None
    status: Optional[FactStatus] = None
    department: Optional[str] = None
    # Only for firms of one kind: the name of the question's flag (e.g. ic_or_machine_tool).
    applies_to: Optional[str] = None
    # The firm's circumstances (nlu/resources/question.yaml `circumstances`) in which the topic's
    # incentive does not apply, this point saying why: 核定征收, 合伙企业, 财政拨款 ….
    excludes: List[str] = Field(default_factory=list)
    # What the point is about when it is narrower than its topic's incentive (增量留抵退税 under
    # 增值税加计抵减): the name a reply gives when this point rules the firm out.
    subject: Optional[str] = None
    # How people ask about this statement in words it does not use ("大学那边还能再加计吗" for the
    # contractor's bar): a message holding one is asking this point, even beside an estimate.
    asked: List[str] = Field(default_factory=list)


class Alias(_Strict):
    alias: str
    canonical: str
    kind: AliasKind


class Source(_Strict):
    """A whole source file: metadata, clauses and machine-readable parts."""

    id: str = Field(..., regex=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    short_title: Optional[str] = None
    issuer: str
    region: str
    status: DocStatus
    as_of: dt.date
    published: Optional[dt.date] = None
    doc_number: Optional[str] = None
    source_file: Optional[str] = None
    # Who answers what the document leaves open (named in honest deferrals).
    contact: Optional[str] = None
    # How the assistant names the region: as users say it (六安, 广西), in lists and on its
    # button (default: the short name), and where it stands when the covered regions are
    # listed (greeting, region buttons, unknown region).
    region_short: Optional[str] = None
    region_label: Optional[str] = None
    listed: Optional[int] = None
    # The region an award question that names none is answered for (said in the reply).
    default_for_awards: bool = False
    notes: List[str] = []
    clauses: List[Clause] = Field(..., min_items=1)
    awards: List[Award] = []
    award_notes: List[Note] = []
    incentives: List[Incentive] = []
    targets: List[Target] = []
    figures: List[Figure] = []
    departments: List[Department] = []
    procedures: List[Procedure] = []
    directions: List[Direction] = []
    aliases: List[Alias] = []
    topics: List[Topic] = []
    points: List[Point] = []
    programs: List[Program] = []
