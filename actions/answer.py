"""The question-first answer: analyse the message, plan the answer from the knowledge base,
render it. A follow-up (“忘了说，我们是高新技术企业”) is read in the context of the question
before it, kept in the `answer_context` slot."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.awards import unlevelled_honors, with_shared_level
from actions.common import (
    FEEDBACK_BUTTONS,
    caveat,
    entity_values,
    first_entity,
    join_lines,
    kb,
    latest_text,
    region_of_program,
    said_so_far,
    vocabulary,
)
from actions.facts import (
    CORRECTION_CUES,
    FLAG_ENTITIES,
    derived_lines,
    facts_in_message,
    profile_from,
    verdict_text,
)
from nlu.normalise import find_amounts, normalise_text, to_simplified
from nlu.question import Question, analyse, denied_at, first_key
from policy_kb import eligibility
from policy_kb.answering import Answer, State, citation_text, dedupe, plan, projects_counted, title_count
from policy_kb.errors import PolicyKBError
from policy_kb.wording import fmt_number

_COMPARED = re.compile(r"哪个|哪一个|比较|对比|区别|不同|相比|比起|一样吗|差别")
HANDOFF_BUTTON = {"title": "转人工", "payload": "/request_human"}
CHECK_BUTTON = {"title": "判断我的项目", "payload": "/ask_eligibility"}
# What a follow-up carries over from the question before it.
CONTEXT_FLAGS = ("high_tech", "small_profit", "industry", "ic_or_machine_tool", "manufacturing")
LEVEL_WORDS = ("国家级", "省级", "市级")
# The figures each incentive computes with: a later question naming it uses the ones said before.
TOPIC_FACTS = {
    "rd-super-deduction": ("rd_expense_wan", "rd_intangible_wan", "rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan"),
    "tech-transfer-exemption": ("tech_transfer_income_wan", "revenue_wan", "transfer_cost_wan", "transfer_taxes_wan",
                                "licence_years"),
    "equipment-one-time-deduction": ("equipment", "in_use_year", "in_use_month", "in_use_year_rel"), "special-equipment-credit": ("equipment", "vat_rate_pct", "vat_deducted", "invoice_vat_wan", "freight_wan"),
    "accelerated-depreciation": ("equipment",),
    "advanced-manufacturing-vat-credit": ("vat_input_wan", "vat_refund_increment_wan", "input_ratio_pct"), "high-tech-rate": ("taxable_income_wan",),
    "small-low-profit-rate": ("taxable_income_wan", "staff_count", "total_assets_wan"),
}
TOTAL_WORDS = ("一共", "总共", "合计", "加起来", "总计", "共计")
ADDITIVE_CUES = ("还", "另外", "再", "也", "以及", "加上", "同时", "又", "第二笔", "第二个", "第三笔", "另一笔", "另一个")
STANDING_FACTS = ("licence_years",)
# What the firm is (not one asset's or one deal's circumstance): said once, it holds for every later question.
FIRM_CIRCUMSTANCES = ("small_scale_vat", "sole_proprietor", "partnership", "deemed_tax", "credit_low", "not_manufacturing")
PARAMETER_FACTS = ("in_use_month", "tariff_rate_pct", "income_tax_rate_pct", "amortisation_years", "vat_rate_pct",
                   "vat_deducted", "tax_payable_wan", "taxable_income_wan")
SUMMED_FACTS = ("tech_transfer_income_wan",)  # the 500万 exemption is per year, over all transfers
TAX_FACT_KEYS = ("rd_expense_wan", "rd_intangible_wan", "rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan",
                 "equipment", "tech_transfer_income_wan", "vat_input_wan", "tax_payable_wan", "revenue_wan",
                 "transfer_cost_wan", "transfer_taxes_wan", "taxable_income_wan", "loan_wan", "customs_value_wan",
                 "tariff_rate_pct", "income_tax_rate_pct", "amortisation_years", "rd_offset_wan", "rd_fiscal_wan",
                 "rd_other_wan", "in_use_year", "in_use_month", "in_use_year_rel", "staff_count", "total_assets_wan",
                 "rd_five_wan", "vat_refund_increment_wan", "input_ratio_pct", "freight_wan", "licence_years",
                 "vat_rate_pct", "vat_deducted", "income_after_deductions", "rd_by_year", "invoice_vat_wan")


def region_buttons() -> List[Dict[str, str]]:
    """One button per covered region, in the order the sources list them."""
    base = kb()
    return [{"title": base.region_label(region), "payload": json_payload("inform", region=region)}
            for region in base.listed_regions()]


def json_payload(intent: str, **entities: str) -> str:
    """'/inform{"region": "六安市"}'."""
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False)


def state_of(tracker: Tracker) -> State:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    honors = honors_named(tracker)
    context = tracker.get_slot("answer_context") or {}
    before = list(context.get("honors") or [])
    denied = denied_honors(tracker)
    text = latest_text(tracker)
    relevelled = re.search(r"(?:是|换成|改成)(?:国家级|省级|市级|县级)的?[，,]?(?:不是|而不是)|如果[^，。？?]{0,14}(?:是|换成|改成)(?:国家级|省级|市级|县级)",
                           text)  # "那如果其中智能工厂那个是省级的不是市级的": that title at the other level, not one more
    if before and honors and (any(cue in text for cue in CORRECTION_CUES) or relevelled):
        # "不对不对，技术中心是省级的" / "智能工厂是省级的，不是市级的": that title at its right level;
        # the other titles stay
        cores = {_without_level(h) for h in honors} | {c for c in denied if len(c) > 2}
        kept = [h for h in before if not any(_without_level(h).endswith(c) or c.endswith(_without_level(h)) for c in cores)]
        honors = list(dict.fromkeys([*kept, *honors]))
    elif before and (denied or honors and any(cue in text for cue in ADDITIVE_CUES)):
        # "去年那个是省级智能工厂，不是数字化车间，重新算下": the titles before, corrected or added to
        kept = [h for h in before if not any(h.endswith(core) for core in denied)]
        honors = list(dict.fromkeys([*kept, *honors]))
    elif not honors and before and _continues(tracker):
        said = latest_text(tracker)  # "是市级的，不是省级": the level affirmed, not the one denied
        level = next((word for word in sorted(LEVEL_WORDS, key=lambda w: said.find(w)) if word in said
                      and not denied_at(said, said.find(word))), "")
        # "一共能拿多少" after naming the titles; "省级的" after "工业设计中心奖励"
        honors = [_at_level(h, level) for h in context["honors"]]
    regions = named_regions(tracker)
    program = first_entity(tracker, "program")
    implied = region_of_program(program) if program else None  # 千企技改 → 广西
    compared = [r for p in entity_values(tracker, "program") for r in [region_of_program(p)] if r and r not in regions]
    if regions and compared and _COMPARED.search(text):
        regions = [*regions, *dict.fromkeys(compared)]  # "千企技改和六安的技改项目库，哪个门槛低": both programmes
    return State(region=tracker.get_slot("region"), intent=intent, honors=honors,
                 regions_named=regions or ([implied] if implied else []),
                 honor_counts=dict(context.get("honor_counts") or {}))


def _at_level(honor: str, level: str) -> str:
    """'市级智能工厂' asked again "如果是省级的呢" → '省级智能工厂'; no level named: as it was."""
    return level + _without_level(honor) if level else honor


def _without_level(honor: str) -> str:
    """'省级数字化车间' → '数字化车间'."""
    return next((honor[len(word):] for word in LEVEL_WORDS if honor.startswith(word)), honor)


def named_regions(tracker: Tracker) -> List[str]:
    """Region entities of the latest message, except one the user denies (“不是六安市的”)."""
    text = latest_text(tracker)
    entities = sorted((e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "region"),
                      key=lambda e: e.get("start") or 0)
    return [str(e.get("value")) for e in entities
            if e.get("value") is not None and not denied_at(text, e.get("start") or 0)]


def denied_honors(tracker: Tracker) -> List[str]:
    """Titles the message denies (“不是数字化车间”), without their level."""
    text = latest_text(tracker)
    found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "honor"]
    denied = [str(e.get("value")) for e in found if e.get("start") is not None and denied_at(text, e["start"])]
    return [_without_level(h) for h in denied]


def honors_named(tracker: Tracker) -> List[str]:
    """Titles of the latest message (not those it denies); a title without a level takes one named
    after it (“企业技术中心也评上省级了”) or before it (“市级绿色工厂和数字化车间”)."""
    text = latest_text(tracker)
    found = sorted((e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "honor"),
                   key=lambda e: e.get("start") or 0)
    kept = [e for e in found if e.get("value") and not (e.get("start") is not None and denied_at(text, e["start"]))
            and not _another_kind_of_project(text, e)]
    # "企业技术中心是市级的、工业设计中心是省级的": a level said right after a title is that title's
    named = [_level_after(text, e) + str(e["value"]) for e in kept]
    honors = with_shared_level(list(dict.fromkeys(named)))
    level = next((word for word in LEVEL_WORDS if word in text), "")
    unlevelled = unlevelled_honors()  # 高端化改造强链项目
    honors = [h if h.startswith(LEVEL_WORDS) or not level or h in unlevelled else level + h for h in honors]
    levels = sorted((w for w in LEVEL_WORDS if w in text and not denied_at(text, text.find(w))), key=text.find)  # not "不是市级的"
    if len(honors) == 1 and len(levels) > 1:  # "省级工业设计中心奖多少？市级的呢？": the title at each level
        known = {award.honor for award in kb().awards(None)}
        each = [_at_level(honors[0], word) for word in levels]
        # (a level no schedule lists — 国家级 — stays, for the honest "没有规定国家级称号的奖励")
        honors = [h for h in each if h in known or h.startswith(("国家级", "县级"))] or honors
    return honors


def _another_kind_of_project(text: str, entity: Dict[str, Any]) -> bool:
    """“5G+工业互联网试点示范项目”: 示范项目 named after another qualifier is not the 技改示范项目."""
    start, end = entity.get("start"), entity.get("end")
    if start is None or end is None or not to_simplified(text[start:end]).endswith("示范项目"):
        return False
    said = to_simplified(text[start:end])
    before = to_simplified(text[max(0, start - 2):start])
    return said in ("示范项目", "试点示范项目") and not before.endswith(("技改", "改造", "级", "市", "省", "的", "个", "为", "了", "上"))


def _level_after(text: str, entity: Dict[str, Any]) -> str:
    """The level said right after an unlevelled title (“技术中心是市级的”), else ""."""
    value = str(entity.get("value"))
    if value.startswith(LEVEL_WORDS) or entity.get("end") is None:
        return ""
    window = to_simplified(text[entity["end"]:entity["end"] + 10])  # ("被認定為省級": the same words)
    after = re.match(r"(?:也|都)?(?:被)?(?:认定为|认定成|评为|评定为|评上了?|是|为|属于|评的是|评的)?(国家级|省级|市级)", window)
    return after.group(1) if after else ""


def _continues(tracker: Tracker) -> bool:
    q = analyse(latest_text(tracker), vocabulary())
    return not [t for t in q.topics if t != "awards"] and q.aspect in (None, "amount")


def question_of(tracker: Tracker) -> Question:
    """The latest message analysed, completed from the previous question: the firm's status
    (高新, 小微, industry) always carries over; a message with no topic of its own is a follow-up
    and takes the previous topics and facts (a bare amount corrects the one amount given before)."""
    q = analyse(latest_text(tracker), vocabulary())
    context = tracker.get_slot("answer_context") or {}
    own_amounts = bool(q.tax_facts())
    q_own_facts = dict(q.facts)
    for flag in CONTEXT_FLAGS:
        if not getattr(q, flag) and context.get(flag) and not (flag == "high_tech" and q.not_high_tech) \
                and not (flag == "small_profit" and q.not_small_profit):
            setattr(q, flag, context[flag])
    previous_tax = {k: v for k, v in (context.get("facts") or {}).items() if k in TAX_FACT_KEYS}
    bare_said = q.facts.get("other_amounts") or []
    if q.topics and len(bare_said) == 1 and not q.tax_facts() and len(previous_tax.get("equipment") or []) == 1 \
            and any(cue in q.text for cue in CORRECTION_CUES):
        # "不好意思我说错了，是四百八十万…那这台能一次性扣吗": the unit said before, at the corrected price
        q.facts["equipment"] = [{**previous_tax["equipment"][0], "value_wan": q.facts.pop("other_amounts")[0]}]
    if q.tax_facts() and previous_tax and any(cue in q.text for cue in ADDITIVE_CUES):
        q.facts = _added(previous_tax, q.facts)  # "还买了个节能设备200万" adds to the R&D said before
        q.topics = list(dict.fromkeys([*(context.get("topics") or []), *q.topics]))
    elif q.tax_facts() and previous_tax and any(cue in q.text for cue in CORRECTION_CUES) \
            and set(q.tax_facts()) < set(previous_tax) and "equipment" not in q.tax_facts():
        # "不好意思说错了，我们自己的研发费用是四百五十万": that figure corrected, the others said before kept
        q.facts = {**previous_tax, **q.facts}
        q.topics = list(dict.fromkeys([*(context.get("topics") or []), *q.topics]))
    elif q.tax_facts() and previous_tax and re.search(r"这\d+(?:\.\d+)?万(?:元)?(?:里|中|当中)|里面有|里头有|其中", q.text):
        # "这300万里面有100万是委托大学做的": a part of the figure before, not a new one
        before_rd = previous_tax.get("rd_expense_wan")
        if "rd_intangible_wan" in q.facts and "rd_expense_wan" not in q.facts and before_rd \
                and before_rd > q.facts["rd_intangible_wan"]:
            # "研发费四百来万" … "其中100万形成专利": the rest of the total is expensed
            q.facts["rd_expense_wan"] = round(before_rd - q.facts["rd_intangible_wan"], 4)
        q.facts = {**previous_tax, **q.facts}
        q.topics = list(dict.fromkeys([*(context.get("topics") or []), *q.topics]))
    # ("那是算哪一年扣" with the month of use: the estimate again, with the year it falls in)
    # ("关税税率按8%算的话…": a rate or term of the computation said later is the estimate again)
    computing = not q.aspects or bool(set(q.aspects) & {"compute", "amount"}) or bool(set(PARAMETER_FACTS) & set(q.facts))
    if "timing" in q.aspects and "in_use_month" in (context.get("facts") or {}) and all(
            t in (context.get("topics") or []) or "equipment" in TOPIC_FACTS.get(t, ()) for t in q.topics):
        computing = True  # "12月份才投入使用" … "那一次性扣除是哪一年扣": the year of the unit said before
    if q.regions and not q.topics and not q.tax_facts() and context.get("facts") and all(
            t in TOPIC_FACTS for t in context.get("topics") or ["-"]):
        computing = True  # "那如果是广西的企业呢，比例一样吗" after a national estimate: the same estimate
    changed = q.not_high_tech or q.not_small_profit or (q.high_tech and not context.get("high_tech")) \
        or (q.small_profit and not context.get("small_profit"))
    changed = changed or (q.ic_or_machine_tool and not context.get("ic_or_machine_tool"))  # "如果我们是名单里的集成电路企业呢"
    status_only = set(q.topics) <= {"high-tech-rate", "small-low-profit-rate"} and not q.tax_facts() and changed \
        and bool(previous_tax)
    if status_only and any(cue in q.text for cue in CORRECTION_CUES + ("现在", "已经", "其实", "如果", "要是", "假如")):
        # "说错了，我们高新证书到期没续上，现在不是高新了": the estimate again, at the new rate
        q.topics, q.aspects, computing = [], [], True
    before_topics = [t for t in context.get("topics") or [] if t != "tax-claiming"
                     and vocabulary().kinds.get(t) == "incentive"]
    if q.topics == ["tax-claiming"] and before_topics and not q.tax_facts():
        # "研发费用加计扣除要先去税务局备案吗" … "今年7月预缴的时候忘了报了，还能享受吗": that incentive's claim
        q.topics = [*before_topics[:1], "tax-claiming"]
    if context and not q.topics and not q.other_places:
        q.topics = list(context.get("topics") or [])
        previous = dict(context.get("facts") or {}) if computing else {}  # "这个5%以后还能享受吗" asks no sum
        bare = q.facts.pop("other_amounts", None)
        if re.search(r"普票|普通发票|小规模|不能抵扣|没法抵扣|抵扣不了|没有抵扣|没抵扣", q.text):
            # "搞错了，我们是小规模纳税人，开的是普票": no VAT credited, the invoice's whole amount counts
            previous.pop("invoice_vat_wan", None)
            previous.pop("vat_deducted", None)
        if bare and len(bare) == 1 and len(previous.get("equipment") or []) == 1 and not q.tax_facts() \
                and re.search(r"价税合计|发票金额|(?<!不)含税|设备款|买价|价款|发票上", q.text):
            # "…价税合计226万，那要怎么算": the unit's price said again, not the VAT figure before
            gross = {"gross": True} if re.search(r"价税合计|(?<!不)含税", q.text) else {}
            previous["equipment"] = [{**previous["equipment"][0], "value_wan": bare[0], **gross}]
            bare = None
        amounts = [k for k, v in previous.items() if isinstance(v, (int, float)) and k.endswith("_wan")]
        if bare and len(amounts) == 1 and not q.tax_facts():
            previous[amounts[0]] = bare[-1]  # "不好意思打错了，是八百万"
        elif bare and not amounts and len(previous.get("equipment") or []) == 1 and not q.tax_facts():
            previous["equipment"] = [{**previous["equipment"][0], "value_wan": bare[-1]}]  # "不对，发票金额是580万"
        elif bare and len(bare) == 1 and not previous and not q.tax_facts() and len(q.topics) == 1:
            previous.update(_bare_amount_of(q.topics[0], bare[0], tracker))  # "我们买了一批环保设备，能抵税吗" … "420万"
        if q.facts.get("rd_intangible_wan") is not None and previous.get("rd_expense_wan") == q.facts["rd_intangible_wan"]:
            previous.pop("rd_expense_wan")  # "那如果这500万研发最后形成了无形资产呢": the same money, now capitalised
        q.facts = {**_corrected(previous, q.facts), **q.facts}
        if "revenue_wan" in q.facts and {"transfer_cost_wan", "transfer_taxes_wan"} & set(q.facts) and not q.topics:
            q.topics = ["tech-transfer-exemption"]  # the transfer's figures, corrected: the transfer again
        if not q.aspects:
            q.aspects = list(context.get("aspects") or [])
        if not q.details and context.get("details") and (q.regions or q.towns_named) and not q.facts:
            # "设备补贴能补多少" … "我们在六安": the detail asked before, now for that place
            q.details = dict(context["details"])
            q.detail_near = {k: tuple(v) for k, v in (context.get("detail_near") or {}).items()}
            q.detail_department = dict(context.get("detail_department") or {})
    elif previous_tax and not q.tax_facts() and computing and all(
            t in (context.get("topics") or []) or set(TOPIC_FACTS.get(t, ())) & set(previous_tax) for t in q.topics):
        q.facts = {**_corrected(previous_tax, q.facts), **q.facts}  # "这笔技术转让要交多少企业所得税？" after its figures
    if q.high_tech and not context.get("high_tech") and "income_tax_rate_pct" not in q_own_facts \
            and q.facts.get("income_tax_rate_pct") is not None:
        q.facts.pop("income_tax_rate_pct")  # "财务说高新证书下来了，按15%算呢": the 25% said before no longer holds
    _carry_standing(q, context, own_amounts)
    units = q.facts.get("equipment") or []
    if len(units) == 1 and not own_amounts and not units[0].get("special_purpose") and "special-equipment-credit" in q.topics:
        # "刚才那个设备是环保专用设备目录里的，还能再抵点税吗": the unit said before, now with its purpose
        purpose = first_key(q.text, vocabulary().tables["purposes"])
        if purpose:
            q.facts["equipment"] = [{**units[0], "special_purpose": purpose}]
    if set(q.topics) <= {"awards"} and not any(w in q.text for w in LEVEL_WORDS) and not honors_named(tracker):
        q.levels_before = list(context.get("levels") or [])  # "获评了国家级示范工厂" … "能奖多少钱"
    place = context.get("place_elsewhere")
    regional = any(vocabulary().kinds.get(t) in ("program", "award", "measure") for t in q.topics) or q.case_question
    if place and not q.regions and not q.other_places and not q.firm_region and regional \
            and not tracker.get_slot("region"):
        # "安徽滁州的企业" … "评上了省级绿色工厂，市里能奖多少": still a firm the sources do not reach
        q.other_places, q.firm_elsewhere = [place], True
    return q


def _bare_amount_of(topic: str, amount: float, tracker: Tracker) -> Dict[str, Any]:
    """The one figure an incentive asked about before is computed from, given alone in the follow-up
    (the equipment's purpose said in the turns before stays with it)."""
    key = (TOPIC_FACTS.get(topic) or ("",))[0]
    if key != "equipment":
        return {key: amount} if key.endswith("_wan") else {}
    unit: Dict[str, Any] = {"value_wan": amount}
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"][-3:]
    purpose = next((p for t in reversed(texts) for p in [first_key(t, vocabulary().tables["purposes"])] if p), None)
    if purpose and topic == "special-equipment-credit":
        unit["special_purpose"] = purpose
    return {"equipment": [unit]}


def _figures_of(topics: List[str], facts: Dict[str, Any]) -> bool:
    """“我们想贷五千万搞设备更新” then “有没有贴息政策”: the figures said before belong to the topic asked now."""
    own = {"equipment-loan-interest-subsidy": ("loan_wan",), "imported-equipment-tariff-exemption": ("customs_value_wan", "tariff_rate_pct"),
           **{t: keys for t, keys in TOPIC_FACTS.items()}}
    return any(key in facts for t in topics for key in own.get(t, ()))


def _carry_standing(q: Question, context: Dict[str, Any], own_amounts: bool) -> None:
    """What stays true of the same matter in a follow-up about it: a licence's term (“许可期3年”
    said before “许可费的所得200万，能免吗”) and the circumstances said of it (“股东作价入股的
    设备” before “这台设备能一次性扣除吗”) — the latter only while no new amount is named, since a
    new amount may be a different asset."""
    firm = [c for c in context.get("circumstances") or [] if c in FIRM_CIRCUMSTANCES]
    q.circumstances = list(dict.fromkeys([*q.circumstances, *firm]))  # "我们是核定征收的小厂", then any question
    before_topics = context.get("topics") or []
    same = not q.topics or not before_topics or bool(set(q.topics) & set(before_topics))
    if not context or not same:
        return
    before = context.get("facts") or {}
    for key in STANDING_FACTS:
        if key in before and key not in q.facts:
            q.facts[key] = before[key]
    if not own_amounts:
        q.circumstances = list(dict.fromkeys([*q.circumstances, *(context.get("circumstances") or [])]))


def _corrected(before: Dict[str, Any], now: Dict[str, Any]) -> Dict[str, Any]:
    """The facts before, less those a newer figure of the same meaning replaces: a transfer's revenue
    said again (“收入是1000万不是900万”) replaces the 转让收入 taken as the income before."""
    kept = dict(before)
    if "revenue_wan" in now:
        kept.pop("tech_transfer_income_wan", None)
    return kept


def _added(before: Dict[str, Any], now: Dict[str, Any]) -> Dict[str, Any]:
    """Facts of a follow-up that adds (“第二笔…所得400万”): lists grow, a second transfer adds up,
    anything else said again replaces what was said before."""
    merged = dict(before)
    for key, value in now.items():
        if isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]
        elif key in SUMMED_FACTS and isinstance(merged.get(key), (int, float)):
            merged[key] = merged[key] + value
        else:
            merged[key] = value
    return merged


def context_of(q: Question, tracker: Optional[Tracker] = None) -> Dict[str, Any]:
    facts = {k: v for k, v in q.facts.items() if k != "other_amounts"}
    before = (tracker.get_slot("answer_context") or {}) if tracker is not None else {}
    if not facts and before.get("facts") and (not q.topics or set(q.topics) & set(before.get("topics") or [])
                                              or _figures_of(q.topics, before["facts"])):
        facts = dict(before["facts"])  # a rule asked in between ("比例是多少") keeps the figures for later
    elif not facts and before.get("facts"):
        # "顺便问下，千企技改对投资额有啥要求" between: the tax figures stay for "刚才那笔研发费用能少交多少"
        facts = {k: v for k, v in before["facts"].items() if k in TAX_FACT_KEYS}
    honors: List[str] = []
    if tracker is not None:
        before = (tracker.get_slot("answer_context") or {}).get("honors") or []
        named = honors_named(tracker)
        honors = list(dict.fromkeys([*before, *named]))
        if before and named and any(cue in latest_text(tracker) for cue in CORRECTION_CUES):
            honors = list(state_of(tracker).honors)  # "哦搞错了，是省级的绿色工厂": the corrected titles replace the wrong one
    counts = dict((tracker.get_slot("answer_context") or {}).get("honor_counts") or {}) if tracker is not None else {}
    counts.update({h: n for h in honors for n in [title_count(q.text, h)] if n})
    said = honors_named(tracker) if tracker is not None else []
    if len(said) == 1 and said[0] not in counts:
        many = projects_counted(q.text)  # "两个车间都新认定为市级数字化车间": each counts in a later total
        if many:
            counts[said[0]] = many
    elif not said and len(honors) == 1 and honors[0] not in counts:
        many = projects_counted(q.text)  # "市级技改示范项目奖多少" … "那我们今年有三个项目都评上了呢": that title, three times
        if many:
            counts[honors[0]] = many
    place = ((tracker.get_slot("answer_context") or {}).get("place_elsewhere")) if tracker is not None else None
    if q.firm_elsewhere and q.other_places:
        place = max(q.other_places, key=q.text.find)  # "我们湖南长沙的": where the firm is (the city), for the questions after
    elif q.regions or q.firm_region:
        place = None  # a covered place said later replaces it
    return {"topics": q.topics, "facts": facts, "aspects": q.aspects, "honors": honors, "honor_counts": counts,
            "place_elsewhere": place, "details": dict(q.details), "detail_near": {k: list(v) for k, v in q.detail_near.items()},
            "detail_department": dict(q.detail_department),
            "circumstances": q.circumstances, "levels": [w for w in LEVEL_WORDS if w in q.text] or q.levels_before,
            **{flag: getattr(q, flag) for flag in CONTEXT_FLAGS}}


def answer_for(text: str, state: State) -> Answer:
    return plan(analyse(text, vocabulary()), state, kb())


def render(answer: Answer) -> str:
    """Lines of every part, one 依据 line per clause cited, the region question if it matters."""
    lines: List[str] = []
    for part in answer.parts:
        lines += part.lines
    cites = dedupe(c for part in answer.parts for c in part.citations)
    lines += [citation_text(c) for c in cites[:3]]
    if answer.ask_region:
        lines.append("您在哪个地区？我可以按您所在地区详细说明。")
    return join_lines(lines)


def buttons_for(answer: Answer) -> List[Dict[str, Any]]:
    buttons: List[Dict[str, Any]] = []
    if answer.ask_region:
        buttons += region_buttons()
    if "program" in answer.topics_answered and not answer.start_form:
        buttons.append(CHECK_BUTTON)
    if answer.offer_handoff:
        buttons.append(HANDOFF_BUTTON)
    return buttons + FEEDBACK_BUTTONS


def answer_events(dispatcher: CollectingDispatcher, tracker: Tracker, allow_form: bool) -> Optional[List[EventType]]:
    """Answer the latest message; None when it is the start of an eligibility check (the form's)."""
    q = question_of(tracker)
    other = _switches_region(analyse(latest_text(tracker), vocabulary()), tracker)
    if other:  # "那如果同样的项目放在广西做呢": the same project checked against the other region
        return [SlotSet("region", other), *verdict_events(dispatcher, tracker, other)]
    if _corrects_project(analyse(latest_text(tracker), vocabulary()), tracker):
        # "不好意思说错了，这个项目在目录里是限制类": the same project checked again with the fact
        # (by the form when it is starting on this message: it asks what is still open)
        return None if allow_form else verdict_events(dispatcher, tracker, tracker.get_slot("region"))
    if CHANCE_CUES.search(latest_text(tracker)) and len(latest_text(tracker)) <= 14 and tracker.get_slot("region") \
            and any(tracker.get_slot(slot) is not None for slot in PROJECT_SLOTS) and not (q.topics or q.tax_facts()):
        # "还有戏吗" after a verdict: the verdict again, with what would make it pass
        return verdict_events(dispatcher, tracker, tracker.get_slot("region"))
    numbered = numbered_events(dispatcher, tracker, q)
    if numbered is not None:  # "问三个问题：1. …吗 2. …多少 3. …什么条件": each answered in its turn
        return numbered
    what_if = what_if_events(dispatcher, tracker, q)
    if what_if is not None:  # "所得正好500万，要交税吗？要是501万呢": both figures answered
        return what_if
    several = several_projects_events(dispatcher, tracker, q)
    if several is not None:  # "两家厂，一家在六安投了180万…一家在广西投了600万…分别能进项目库吗"
        return several
    answer = plan(q, state_of(tracker), kb())
    events: List[EventType] = [SlotSet("answer_context", context_of(q, tracker))]
    if answer.region and answer.region != tracker.get_slot("region"):
        events.append(SlotSet("region", answer.region))
    if answer.start_form:
        other = [part for part in answer.parts if part.kind in ("compute", "awards", "rule", "timing", "uncovered", "deferral")]
        if other:  # "能进千企技改吗？另外研发费用350万能省多少税": the tax part first, then the check
            dispatcher.utter_message(text=render(Answer(parts=other)), buttons=FEEDBACK_BUTTONS)
        if allow_form:
            return None  # the form takes it from here (its validator keeps the facts)
        return events + verdict_events(dispatcher, tracker, answer.region)
    note, shown = caveat(tracker, answer.statuses())
    dispatcher.utter_message(text=join_lines([render(answer), note]), buttons=buttons_for(answer))
    return events + shown


def numbered_segments(text: str) -> List[str]:
    """The questions a message numbers (“1. 入库有门槛吗 2. 设备奖补多少”), each with the words before
    the first number (the firm: “我们是霍山县的规上企业，问几个问题：”); [] unless it numbers at least
    two and every one is a question (“下面谁能用：1.个体工商户 2.合伙企业” numbers cases, not questions)."""
    return _with_preamble(*_numbered_items(text))


def _with_preamble(preamble: str, items: List[str]) -> List[str]:
    joint = "，" if preamble and not preamble.endswith(("，", "。", "：", ":")) else ""
    return [f"{preamble}{joint}{item}" for item in items]


def _numbered_items(text: str) -> Tuple[str, List[str]]:
    """The words before the first number and the numbered questions themselves (see numbered_segments)."""
    marks = list(_NUMBER_MARK.finditer(text))
    order = ["".join(ch for ch in m.group() if ch in _ORDINALS) for m in marks]
    if len(marks) < 2 or [_ORDINALS.index(o[0]) % 9 for o in order if o] != list(range(len(marks))):
        return "", []  # 1, 2, 3 … in order ("，3台设备都在500万以下" is not a third question)
    starts = [m.end() for m in marks]
    ends = [m.start() for m in marks[1:]] + [len(text)]
    items = [text[a:b].strip(" ，,；;。") for a, b in zip(starts, ends, strict=True)]
    if not all(_ASKS.search(item) for item in items):
        return "", []
    preamble = re.sub(r"(?:有|问|请教|咨询)?[几两三四五六七八九十\d]+(?:个|件)?(?:问题|事情|事)[：:，,]?\s*$", "",
                      text[:marks[0].start()]).strip()
    return preamble, items


_NUMBER_MARK = re.compile(r"(?:^|(?<=[\s，,。；;？?！!：:]))(?:[1-9](?:[.、．)）]|\s+)|(?<=\s)[1-9](?=[\u4e00-\u9fa5])|[①②③④⑤⑥⑦⑧⑨]|[（(][1-9一二三四五][)）]"
                          r"|第[一二三四五](?:个问题|个|问|点|条)?[，,：:、]|[一二三四五]、)")
_ORDINALS = "123456789①②③④⑤⑥⑦⑧⑨一二三四五六七八九"
_ASKS = re.compile(r"[？?]|吗|么|多少|怎么|什么|哪|几|能不能|可不可以|是否|有没有|要不要|如何|咋|啥")


def numbered_events(dispatcher: CollectingDispatcher, tracker: Tracker, q: Question) -> Optional[List[EventType]]:
    """Numbered questions answered one by one, in their order, under their numbers; None when the
    message numbers none, or one of them starts an eligibility check (the form asks what it needs)."""
    preamble, items = _numbered_items(latest_text(tracker))
    if not items:
        return None
    segments = _with_preamble(preamble, items)
    state = state_of(tracker)
    # the places the message names hold for every question; a programme's region only for its own
    state.regions_named = list(dict.fromkeys([*named_regions(tracker), *q.regions]))
    groups: List[List[int]] = []
    texts: List[str] = []
    for number, (segment, item) in enumerate(zip(segments, items, strict=True), start=1):
        if groups and not analyse(item, vocabulary()).topics:
            # "2、…这台设备投资抵免能抵多少？3、今年应纳税额才12万，抵不完咋办": the question before, continued
            groups[-1].append(number)
            texts[-1] += "；" + item
        else:
            groups.append([number])
            texts.append(segment)
    if len(groups) < 2:
        return None
    answers = [plan(analyse(text, vocabulary()), state, kb()) for text in texts]
    if any(a.start_form or not a.parts for a in answers):
        return None
    blocks = ["、".join(map(str, numbers)) + ". " + render(Answer(parts=a.parts, ask_region=False))
              for numbers, a in zip(groups, answers, strict=True)]
    if any(a.ask_region for a in answers):
        blocks.append("您在哪个地区？我可以按您所在地区详细说明。")
    whole = Answer(parts=[p for a in answers for p in a.parts], ask_region=any(a.ask_region for a in answers),
                   topics_answered=[t for a in answers for t in a.topics_answered],
                   offer_handoff=any(a.offer_handoff for a in answers))
    note, shown = caveat(tracker, whole.statuses())
    dispatcher.utter_message(text=join_lines(["\n\n".join(blocks), note]), buttons=buttons_for(whole))
    events: List[EventType] = [SlotSet("answer_context", context_of(q, tracker))]
    region = next((a.region for a in answers if a.region), None)
    if region and region != tracker.get_slot("region"):
        events.append(SlotSet("region", region))
    return events + shown


_WHAT_IF = re.compile(r"(?:^|(?<=[，,。；;？?！!\s]))(?:那|那么)?(?:要是|如果|假如|假设|若是|换成)([^，,。；;？?！!]*?)"
                      r"(?:呢|的话呢|的话|又是多少|是多少|怎么算|又怎么算|会怎样)?(?:[？?]|(?=[，,。；;！!\s]|$))")
_WHAT_IF_VERBS = re.compile(r"^(?:明年|今年|以后|将来)?[^，。\d]{0,6}?(?:到了|达到|变成|有|是|为|到)?$")


def what_if_texts(text: str) -> Optional[Tuple[str, str, str]]:
    """“技术转让所得正好500万，要交企业所得税吗？要是501万呢？我们不是高新”: the question as asked
    and the same question with the other figure — (asked, what-if, the figure said) — or None unless the
    message holds one what-if with one figure in 万 and, outside it, one amount to put it in place of: the
    only one, or the one after the word the what-if names (“利润大概180万…要是利润到了320万呢”)."""
    normal = normalise_text(text)
    found = [m for m in _WHAT_IF.finditer(normal)
             if len([a for a in find_amounts(m.group(1)) if a.kind == "money"]) == 1]
    if len(found) != 1:
        return None
    clause = found[0]
    said_amount = next(a for a in find_amounts(clause.group(1)) if a.kind == "money")
    words = clause.group(1)[:said_amount.start]
    if not _WHAT_IF_VERBS.match(words) or "万" not in clause.group(1)[said_amount.start:said_amount.end + 1]:
        return None  # ("要是再买一台200万的设备呢": another unit, not the same figure changed)
    rest = (normal[:clause.start()] + normal[clause.end():]).strip()
    amounts = [a for a in find_amounts(rest) if a.kind == "money"]
    core = re.sub(r"^(?:明年|今年|以后|将来)|(?:到了|达到|变成|有|是|为|到)$", "", words).strip()[-2:]
    if core:  # "要是利润到了320万": the amount said after 利润
        amounts = [a for a in amounts if core in rest[max(0, a.start - 10):a.start]]
    if len(amounts) != 1 or "万" not in rest[amounts[0].start:amounts[0].end + 1]:
        return None
    figure = f"{fmt_number(said_amount.value)}万"
    tail = re.sub(r"^万?元?", "", rest[amounts[0].end:])
    other = rest[:amounts[0].start] + figure + tail
    return (rest, other, figure) if other != rest else None


def what_if_events(dispatcher: CollectingDispatcher, tracker: Tracker, q: Question) -> Optional[List[EventType]]:
    """A figure asked about again in the same message (see what_if_texts): each answered, the second
    under “要是X”; None when the message has no such figure or either would start a check."""
    texts = what_if_texts(latest_text(tracker))
    if texts is None:
        return None
    asked, other, figure = texts
    questions = [analyse(text, vocabulary()) for text in (asked, other)]
    if not (questions[0].tax_facts() or "taxable_income_wan" in questions[0].facts):
        return None  # (a programme's figures get the check, which asks what it needs)
    state = state_of(tracker)
    answers = [plan(question, state, kb()) for question in questions]
    if any(a.start_form or not a.parts or not any(p.kind == "compute" for p in a.parts) for a in answers):
        return None
    first = render(Answer(parts=answers[0].parts, ask_region=False))
    second = [line for p in answers[1].parts if p.kind == "compute" for line in p.lines
              if line not in first]  # the notes both share are said once
    whole = Answer(parts=[p for a in answers for p in a.parts], topics_answered=answers[0].topics_answered,
                   offer_handoff=any(a.offer_handoff for a in answers))
    note, shown = caveat(tracker, whole.statuses())
    dispatcher.utter_message(text=join_lines([first, f"要是{figure}：", *second, note]), buttons=buttons_for(whole))
    return [SlotSet("answer_context", context_of(q, tracker)), *shown]


CHANCE_CUES = re.compile(r"还有戏|有戏吗|还有机会|有希望|还有希望|还能报吗|还能申报|还能入库|还能进吗|那怎么办|咋办|怎么补救|还能补救")
PROJECT_SLOTS = ("fixed_asset_investment_wan", "above_designated_size", "filed_or_approved", "direction")


def _switches_region(q: Question, tracker: Tracker) -> Optional[str]:
    """The region a message names on its own, when the conversation knows the project (its facts
    are in the slots): the project is checked there."""
    if q.topics or q.tax_facts() or q.other_places or q.details:
        return None
    named = {kb().resolve_region(r) for r in q.regions} - {None}
    if len(named) != 1:
        return None
    region = named.pop()  # (the region slot already holds it: the NLU's entity fills it)
    return region if any(tracker.get_slot(slot) is not None for slot in PROJECT_SLOTS) else None


def _corrects_project(q: Question, tracker: Tracker) -> bool:
    """A message that only states a fact of the project the conversation has checked (its facts
    are in the slots, its region known), with no question of its own about anything else."""
    text = latest_text(tracker)
    changed = re.search(r"变成|变为|改成|改为|追加|调整为|调整到|增加到|提高到|变更为|减少到|缩减到", text) \
        or any(cue in text for cue in CORRECTION_CUES)
    allowed = {"program", "filing"} if changed else {"program"}  # "…总投资变成2600万…备案已经重新做了"
    if q.flags.get("filed_or_approved") is not None and not re.search(r"[？?]|吗|怎么|哪|什么|多久|谁|要不要", text):
        allowed = {"program", "filing"}  # "备案下来了": the filing, done
    details = set(q.details) - set(vocabulary().tables.get("checked_details") or [])  # "这个项目是限制类": the check's
    if q.topics and not set(q.topics) <= allowed or q.tax_facts() or details or q.other_places:
        return False
    if set(q.aspects) - {"exclusions", "conditions"} or not tracker.get_slot("region"):
        return False
    if not any(tracker.get_slot(slot) is not None for slot in PROJECT_SLOTS):
        return False
    facts = facts_in_message(tracker)  # (a corrected amount gets the planner's check of that figure)
    return bool(facts) and (bool(changed) or not {"fixed_asset_investment_wan", "investment_this_year_wan",
                                                  "output_growth_pct"} & set(facts))  # "总投资变成2600万": checked again


_PROJECT_MARK = re.compile(r"(?:另外一家|另一家|一家|另外一个项目|另一个项目|另外一个|另一个|一个项目|一个|第一个|第二个|第三个|"
                           r"[AB甲乙]项目|项目[AB甲乙一二]|[甲乙丙丁ABCD](?:公司|企业|厂)|(?<=[：:；;。])[甲乙丙丁](?=[，,：:]))"
                           r"(?=[^，。；,;]{0,12}?(?:在|投|花|是|做|搞|上|规)|[，,：:][^，。；,;]{0,12}?(?:在|投|花|是|做|搞|上|规|属))")
_FIRM_LETTER = re.compile(r"(?:(?<=[：:；;。，,])|^)[甲乙丙丁ABCD](?:公司|企业|厂)")  # "；C厂北海的，项目属于限制类"
_SHARED = re.compile(r"[都均]是|[都均]已|都备|都办|都已|都在|都属于|都不是|都还|全部|两家都|两个都")
_CATALOG_SAID = re.compile(r"(鼓励类|允许类|限制类|淘汰类)")
_CASE_ASKED = re.compile(r"分别|各自|能不能进|能进|能不能报|能报|能不能入|能入|能申报|能不能申报|够不够|符合|能不能享受|行不行|可以吗|能吗")


def project_segments(text: str) -> List[str]:
    """The message cut at each project it introduces (“一家在六安投了180万……，一家在广西投了600万……”);
    [] unless it names at least two."""
    starts = sorted({m.start() for m in _PROJECT_MARK.finditer(text)} | {m.start() for m in _FIRM_LETTER.finditer(text)})
    if len(starts) < 2:
        return []
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def place_segments(text: str, q: Question, places: List[str]) -> List[str]:
    """The message cut at each factory it places (“桂林厂技改投资1200w…，长沙厂投资八百万…”); [] unless
    it places at least two, one of them where the sources do not reach."""
    if not q.other_places and len(set(q.regions)) < 2:
        return []  # ("六安那个是自动化改造300万，广西那个是智能化改造450万": two covered regions' factories)
    starts = sorted({m.start() for name in places for m in re.finditer(
        re.escape(name) + r"(?:的|那个|这个)?(?:厂|公司|分厂|工厂|项目)|" + re.escape(name) + r"(?:那个|这个|那家|这家)(?=是|在|投|[，,])",
        text)})
    if len(starts) < 2:
        return []
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def several_projects_events(dispatcher: CollectingDispatcher, tracker: Tracker, q: Question) -> Optional[List[EventType]]:
    """Several projects in one message, each with its own place or investment: each checked on its
    own, against its own region's programme (the facts said of all of them — “都是规上” — shared)."""
    text = latest_text(tracker)
    if "税" in text or not _CASE_ASKED.search(text) or not ({"program"} & set(q.topics) or q.case_question):
        return None
    vocab = vocabulary()
    base = kb()
    covered = [name for name, _ in vocab.regions] + [c for cues in vocab.tables["places_inside"].values() for c in cues]
    segments = project_segments(text) or place_segments(
        text, q, [*q.other_places, *(name for name in covered if name in text and len(name) >= 2)])
    parsed = [analyse(segment, vocab) for segment in segments]
    if len(segments) > 2 and not project_segments(text):
        # "…广西那个今年能投产。": a later sentence of a factory said before belongs to it
        merged: List[str] = []
        seen: Dict[str, int] = {}
        for segment, part in zip(segments, parsed, strict=True):
            region = next(filter(None, (base.resolve_region(r) for r in part.regions)), None)
            if region in seen and not part.facts.get("fixed_asset_investment_wan"):
                merged[seen[region]] += segment
            else:
                seen.setdefault(region or "", len(merged))
                merged.append(segment)
        segments, parsed = merged, [analyse(segment, vocab) for segment in merged]
    # ("A厂…投资八百万…；B厂是分厂，不是法人；C厂…属于限制类": a firm without its amount, judged on what is said)
    if len(parsed) < 2 or not any(p.facts.get("fixed_asset_investment_wan") for p in parsed) \
            or not all(p.facts.get("fixed_asset_investment_wan") or p.flags or _CATALOG_SAID.search(p.text) for p in parsed):
        return None
    offsets = [text.find(segment) for segment in segments]
    both = _SHARED.search(text)
    if both:  # "都是规上", "两个都已备案": the flags of the clauses that say it of all of them
        shared = {}
        for clause in re.split(r"[，,。；;：:]", text):
            if _SHARED.search(clause):
                shared.update(analyse(clause, vocab).flags)
    else:
        shared = {k: v for k, v in q.flags.items() if all(k not in p.flags for p in parsed)}
    named = {base.resolve_region(r) for r in q.regions} - {None}
    fallback = next(iter(named)) if len(named) == 1 else tracker.get_slot("region")
    directions = sorted(base.aliases("direction").items(), key=lambda item: -len(item[0]))
    lines = [f"您说了{len(segments)}个项目，分别判断："]
    needs_info = False
    for number, (segment, part, start) in enumerate(zip(segments, parsed, offsets, strict=True), 1):
        region = next(filter(None, (base.resolve_region(r) for r in part.regions)), None) or (
            fallback if len(named) <= 1 else None)
        amount = part.facts.get("fixed_asset_investment_wan")
        if not part.regions and part.other_places and amount:  # "长沙厂投资八百万": a place the sources do not reach
            place = part.other_places[-1]
            covered = "或".join(base.short_region(r) for r in base.regions())
            lines.append(f"项目{number}（{place}，固定资产投资{fmt_number(amount)}万元）：我没有收录{place}的政策文件（不在覆盖范围内），"
                         f"不能按{covered}的政策判断，建议向{place}的工业和信息化主管部门（经信部门）咨询。")
            continue
        invested = f"固定资产投资{fmt_number(amount)}万元" if amount else "固定资产投资未说明"
        if not region:
            lines.append(f"项目{number}（{invested}）：没有说在哪个地区，请告诉我它在六安还是广西。")
            continue
        profile: Dict[str, Any] = {"region": region, **shared, **part.flags}
        if amount:
            profile["fixed_asset_investment_wan"] = amount
        catalog = _CATALOG_SAID.search(segment)
        if catalog and not denied_at(segment, catalog.start()):
            profile["industry_catalog"] = catalog.group(1)  # (the NLU's entity, where it has one, wins below)
        said = next((canonical for alias, canonical in directions if alias in segment), None)
        if said:
            profile["direction"] = said  # (the NLU's entity, where it has one inside the segment, wins)
        for entity in tracker.latest_message.get("entities") or []:
            inside = entity.get("start") is not None and start <= entity["start"] < start + len(segment)
            if inside and entity.get("entity") == "direction" and entity.get("value"):
                profile["direction"] = entity["value"]
            flag = FLAG_ENTITIES.get((entity.get("entity"), entity.get("value"))) if inside else None
            if flag and not denied_at(text, entity["start"]) and flag[0] not in part.flags:
                profile[flag[0]] = flag[1]  # "甲公司规上，…": that firm's own 规上
        try:
            results = eligibility.evaluate(profile, kb=base)
        except PolicyKBError as error:
            lines.append(f"项目{number}：暂时无法判断：{error}")
            continue
        firm = re.match(r"[甲乙丙丁ABCD](?:公司|企业|厂)", segment)
        lines.append(f"{firm.group(0) if firm else f'项目{number}'}（{base.short_region(region)}，{invested}）：")
        lines += [verdict_text(result, said_so_far(dispatcher)) for result in results]
        needs_info = needs_info or any(result.status == "needs_info" for result in results)
    if needs_info:
        lines.append("补充上面打“?”的情况，我就能给出结论（一次说一个项目的情况即可）。")
    dispatcher.utter_message(text=join_lines(lines), buttons=[CHECK_BUTTON, *FEEDBACK_BUTTONS])
    return [SlotSet("answer_context", context_of(q, tracker))]


def verdict_events(dispatcher: CollectingDispatcher, tracker: Tracker, region: Optional[str]) -> List[EventType]:
    """A project question outside the form: the verdict on what is known, facts remembered."""
    facts = facts_in_message(tracker)
    region = region or tracker.get_slot("region")
    profile = {**profile_from(tracker, region), **facts}
    events: List[EventType] = [SlotSet(slot, value) for slot, value in facts.items()]
    if not region:
        dispatcher.utter_message(text="请问您的企业在哪个地区？我按所在地区的文件帮您判断。", buttons=region_buttons())
        return events
    try:
        results = eligibility.evaluate(profile, kb=kb())
    except PolicyKBError as error:
        dispatcher.utter_message(text=f"暂时无法判断：{error}")
        return events
    texts = [*derived_lines(tracker), *(verdict_text(result, said_so_far(dispatcher)) for result in results)]
    if any(result.status == "needs_info" for result in results):
        texts.append("补充上面打“?”的情况，我就能给出结论。")
    note, shown = caveat(tracker, [kb().program_document(r.program_id).status for r in results])
    dispatcher.utter_message(text=join_lines(texts + [note]), buttons=[CHECK_BUTTON, *FEEDBACK_BUTTONS])
    return events + shown


def covered_answer_events(dispatcher: CollectingDispatcher, tracker: Tracker,
                          whole: bool = False, deferral_too: bool = False) -> Optional[List[EventType]]:
    """For a message the NLU filed as a request for a person but that names no person and asks
    what the sources answer: the answer (with a 转人工 button). None otherwise; with ``whole``,
    also None when the sources leave a part of it unanswered (“奖补资金还没到账” asks after a
    payment the files say nothing of: that is a person's job). With ``deferral_too`` an honest
    deferral is an answer too (a message misfiled as a payment question, with no payment in it)."""
    q = question_of(tracker)
    if q.asks_person:
        return None
    other = _switches_region(analyse(latest_text(tracker), vocabulary()), tracker) if deferral_too else None
    if other:  # "那如果同样的项目放在我们广西的子公司做呢" (filed as a payment question): the project there
        return [SlotSet("region", other), *verdict_events(dispatcher, tracker, other)]
    if not q.asks_person and _corrects_project(analyse(latest_text(tracker), vocabulary()), tracker):
        # "不对不对，算错了，是230万，备案也办了" (filed as a complaint): the project checked again
        return verdict_events(dispatcher, tracker, tracker.get_slot("region"))
    answer = plan(q, state_of(tracker), kb())
    if answer.start_form or not answer.parts or (answer.kind != "answer" and not deferral_too):
        return None
    if whole and (answer.offer_handoff or any(part.kind == "deferral" for part in answer.parts)):
        return None
    note, shown = caveat(tracker, answer.statuses())
    buttons = [HANDOFF_BUTTON, *(b for b in buttons_for(answer) if b != HANDOFF_BUTTON)]
    dispatcher.utter_message(text=join_lines([render(answer), note]), buttons=buttons)
    return [SlotSet("answer_context", context_of(q, tracker)), *shown]


def side_answer_events(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Inside the form, a message with no fact for it that asks about something the sources
    answer: the answer (or the honest deferral), nothing when it only concerns the programme."""
    q = question_of(tracker)
    state = state_of(tracker)
    for detail in vocabulary().tables.get("checked_details") or []:
        q.details.pop(detail, None)  # "是限制类的": a fact for the form, not a question beside it
    if not (q.topics or q.details) or set(q.topics) <= {"program"} and not q.details \
            or not (q.aspects or q.yes_no or state.honors or q.details):
        return []  # ("造纸行业能降到多少" names no topic: the detail it asks is answered honestly)
    answer = plan(q, state, kb())
    if answer.start_form or not answer.parts:
        return []
    dispatcher.utter_message(text=render(answer), buttons=buttons_for(answer))
    return [SlotSet("answer_context", context_of(q, tracker))]


class ActionAnswer(Action):
    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _says_nothing(tracker):
            dispatcher.utter_message(response="utter_anything_else")  # "好的" / "不用了" with nothing open
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "goodbye" and (_GOODBYE.search(latest_text(tracker)) or not analyse(latest_text(tracker), vocabulary()).flags):
            dispatcher.utter_message(response="utter_goodbye")  # ("备案下来了" after a check: the fact, checked again)
            return []
        if intent == "greet" and (_GREETING.search(latest_text(tracker)) or not (
                (tracker.get_slot("answer_context") or {}).get("topics") or _names_a_place(latest_text(tracker)))):
            dispatcher.utter_message(response="utter_greet")  # ("在舒城县" after an answer: the place, answered)
            q = analyse(latest_text(tracker), vocabulary())
            if any(getattr(q, flag) for flag in CONTEXT_FLAGS):
                # "你好，我们是高新技术企业": the status is kept for the questions after the greeting
                return [SlotSet("answer_context", context_of(q, tracker))]
            return []
        if intent == "bot_capabilities" and (_CAPABILITIES_ASKED.search(latest_text(tracker))
                                             or not (tracker.get_slot("answer_context") or {}).get("topics")):
            dispatcher.utter_message(response="utter_capabilities")  # "你能帮我做什么"
            return []
        # ("具体是哪些情况能享受" after an answer, whatever the NLU made of it: a follow-up)
        return answer_events(dispatcher, tracker, allow_form=False) or []


_GOODBYE = re.compile(r"再见|拜拜|bye|先这样|就这样吧|没事了|不用了|不聊了|下次再|回头再|走了", re.I)
_GREETING = re.compile(r"你好|您好|早上好|上午好|中午好|下午好|晚上好|在吗|在不在|有人吗|有人在|哈喽|嗨|hello|hi\b", re.I)


def _names_a_place(text: str) -> bool:
    q = analyse(text, vocabulary())
    return bool(q.regions or q.towns_named or q.other_places)


_CAPABILITIES_ASKED = re.compile(r"你(?:能|会|可以)|能做什么|能干什么|能干啥|能做啥|有什么功能|有啥功能|怎么用|你是谁|你是什么|"
                                 r"能帮我什么|能帮什么|能帮我啥|能帮啥|都能问|可以问什么|能问什么|能问啥|怎么问|主要能|查哪些")


def _says_nothing(tracker: Tracker) -> bool:
    """A yes or no with no question, fact or status in it."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent not in ("affirm", "deny"):
        return False
    text = latest_text(tracker)
    if any(word in text for word in LEVEL_WORDS) or text.rstrip("？?。.！! ").endswith("呢") \
            or re.search(r"[？?]|啥|什么|怎么|办法|吗", text):
        return False  # "如果是省级的呢", "不能的话还有啥办法": a follow-up, whatever the NLU made of it
    q = analyse(text, vocabulary())
    status = q.high_tech or q.not_high_tech or q.small_profit or q.industry
    return not (q.topics or q.facts or status or q.details or q.other_places or q.regions or q.towns_named)


def deferral_line(tracker: Tracker) -> Optional[str]:
    """The honest "文件没有规定……" for a message that goes to a person (payment, complaint)."""
    answer = plan(question_of(tracker), state_of(tracker), kb())
    # "评上的20万奖励多久到账": the award answers the title, and one of its lines says the files are silent
    # (the award's own line first: it names the region whose award the title is)
    order = {"awards": 0, "deferral": 1}
    silent = [line for part in sorted(answer.parts, key=lambda part: order.get(part.kind, 2))
              for line in part.lines if "没有规定" in line]
    return silent[0] if silent else None
