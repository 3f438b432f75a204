"""Answer planning: from an analysed question and what the conversation knows to a structured
answer — a computation with its trace, the rule sentence that answers the aspect asked, the
start of the eligibility check, or an honest deferral. Deterministic; no Rasa imports.

Every sentence with a figure comes from a knowledge-base point, a computation whose numbers are
shown, or the user's own words. Actions only render the `Answer`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from nlu.normalise import chinese_number, find_amounts
from nlu.question import Question, denied_at
from policy_kb import awards as award_calc
from policy_kb import tax
from policy_kb.errors import PolicyKBError
from policy_kb.store import NATIONAL_REGION, Citation, KnowledgeBase, Point
from policy_kb.wording import fmt_number as num
from policy_kb.wording import fmt_pct as pct
from policy_kb.wording import fraction_words

REGIONAL_TOPIC_KINDS = ("program", "award", "measure", "document")
_COUNT_WORDS = "零一两三四五六七八九十"
# Regional topics named by words that also fit a tax question (申报, 时间, 部门).
_TAX_AMOUNTS = ("rd_expense_wan", "rd_intangible_wan", "rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan",
                "tech_transfer_income_wan")
# The firm's figures each incentive's estimate is made from.
_TOPIC_FACTS = {tax.RD: _TAX_AMOUNTS[:4], tax.EQUIP: ("equipment",), tax.SPECIAL: ("equipment",),
                tax.TRANSFER: ("tech_transfer_income_wan",), "advanced-manufacturing-vat-credit": ("vat_input_wan",)}
# A question about the programme may be answered by its plan, filing or statistics points.
PROGRAM_FAMILY = ("program", "plan", "filing", "statistics")
GENERIC_REGIONAL = ("plan", "organisation", "approval", "document", "filing")
PROCEDURE_WORDS = ("申请", "申报", "流程", "报送", "提交")  # a point that describes how to apply
# The question asks what an incentive saves (beside the tax due)
_SAVING_ASKED = re.compile(r"省|少交|少缴|少纳|优惠多少|减免多少|免多少|免掉多少|免了多少|减了多少|差多少|节约|便宜|优惠了|比原来|比不享受|对比")
# "其中", "这300万里有100万是委托…": a part named inside the total said before
_INSIDE = re.compile(r"其中|里有|里面有|里头有|当中有|之中有|这\d+(?:\.\d+)?万(?:元)?(?:里|中|当中)|包含了|包括了")
# The project's own figures (what the eligibility check reads).
_PROJECT_FACTS = {"fixed_asset_investment_wan", "investment_this_year_wan", "output_growth_pct"}
# A point that says the sources leave something open: the reply names who can settle it.
SILENT_MARKERS = ("没有规定", "未规定", "尚未确认", "未经确认", "没有载明", "没有核实", "说法不一")
_PROGRAMME_ASPECTS = {"conditions", "threshold", "who", "exclusions", "timing", "procedure", "materials"}
_COMPARED = ("一样", "相同", "比照", "参照", "对比", "比一比", "有没有区别")  # "芜湖奖多少？是不是跟六安一样"
GENERIC_TAX = "tax-claiming"
INTEREST_SUBSIDY, IMPORT_EXEMPTION = "equipment-loan-interest-subsidy", "imported-equipment-tariff-exemption"  # how every income-tax incentive is claimed: named beside a specific one
# What a programme's projects get ("入库以后有什么好处"): award and finance points naming them.
BENEFIT_TOPICS = ("awards", "finance")
PROGRAMME_PROJECT_CUES = ("项目库", "千企技改", "入库", "入选", "技术改造项目", "技改项目")
_STOP_GRAMS = {"什么", "多少", "怎么", "可以", "能不", "不能", "我们", "一下", "请问", "是不", "有没", "没有", "政策", "这个", "那个"}
# What a deferral says is missing, by the aspect asked.
MISSING = {
    "timing": "具体的申报或办理时间", "where": "受理窗口、网址或联系方式", "materials": "需要提交的具体材料",
    "procedure": "具体的办理流程", "amount": "具体金额", "definition": "这个概念的界定",
    "threshold": "这方面的具体标准", "rate": "具体比例", "who": "适用对象的具体范围",
    "conditions": "这方面的具体条件", "exclusions": "排除情形", "interaction": "能否同时享受",
}
ASPECT_PREFERENCE = {  # an aspect that no point has falls back to the nearest one that does
    "conditions": ("who", "threshold"), "who": ("conditions",), "threshold": ("conditions",),
    "compute": ("rate", "amount", "definition"), "amount": ("rate",), "benefit": ("overview", "amount", "conditions"), "rate": ("amount",), "overview": ("conditions", "who"),
    "definition": ("conditions", "rate", "threshold"),
}


@dataclass
class Part:
    """One answered part of a message: its lines and the clauses they rest on."""

    kind: str  # rule | compute | awards | form | deferral | uncovered | ask_amount
    lines: List[str]
    citations: List[Citation] = field(default_factory=list)


@dataclass
class Answer:
    parts: List[Part] = field(default_factory=list)
    start_form: bool = False
    region: Optional[str] = None
    ask_region: bool = False
    offer_handoff: bool = False
    buttons: List[Dict[str, str]] = field(default_factory=list)
    topics_answered: List[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.start_form and not self.parts:
            return "form"
        kinds = {p.kind for p in self.parts}
        return "deferral" if kinds <= {"deferral", "uncovered"} and kinds else "answer"

    def statuses(self) -> List[str]:
        return [c.status for p in self.parts for c in p.citations]


@dataclass
class State:
    """What the conversation knows: the remembered region, the NLU intent, titles named."""

    region: Optional[str] = None
    intent: Optional[str] = None
    honors: Sequence[str] = ()
    regions_named: Sequence[str] = ()
    today: dt.date = field(default_factory=dt.date.today)
    honor_counts: Dict[str, float] = field(default_factory=dict)  # "两个市级数字化车间" said in an earlier turn


# 小型微利企业's three caps: (the firm's fact, the KB parameter, the words, the unit).
_SMALL_PROFIT_CAPS = (("taxable_income_wan", "income_cap_wan", "年应纳税所得额", "万元"), ("staff_count", "staff_cap", "从业人数", "人"),
                      ("total_assets_wan", "assets_cap_wan", "资产总额", "万元"))

# "能按120%吗？还是100%": the rates a question asks about (not one it only names: "也能抵免10%，什么样的改造算")
_RATE_ASKED = re.compile(r"(?<=按)\d+(?:\.\d+)?%|(?<=还是)\d+(?:\.\d+)?%|\d+(?:\.\d+)?%(?=还是|吗)")
# "技术转让所得是不是就是合同金额", "转让收入就算所得吗": whether 所得 is the contract's amount
_INCOME_IS_CONTRACT = re.compile(
    r"所得[^，。？?]{0,4}(?:是不是|是否|就是|等于|算不算|就按)[^，。？?]{0,4}(?:合同|收入|转让价|价款|金额|转让费)"
    r"|(?:合同金额|合同额|合同价|转让收入|转让价款|转让费)[^，。？?]{0,4}(?:是不是|就是|算不算|等于|当作|就算|能算)[^，。？?]{0,3}所得")


def plan(q: Question, state: State, kb: KnowledgeBase) -> Answer:
    """The answer to `q` (see the module docstring)."""
    planner = _Planner(q, state, kb)
    return planner.run()


class _Planner:
    def __init__(self, q: Question, state: State, kb: KnowledgeBase):
        self.q, self.state, self.kb = q, state, kb
        self.kinds = {t.id: t.kind for t in kb.topics()}
        named = [kb.resolve_region(r) for r in [*state.regions_named, *q.regions]]
        self.regions = list(dict.fromkeys(r for r in named if r))
        if not q.other_places and not (state.region and not self.regions):
            # "千企技改是不是只给大企业": the programme's own name places the question (beside a region said:
            # "千企技改和六安的项目库哪个门槛低")
            named_programme = [r for r in kb.regions() for p in kb.programs(r)
                               if any(n in q.text for n in re.findall(r"“([^”]{2,})”", p.name))]
            self.regions = list(dict.fromkeys([*self.regions, *named_programme]))
        self.region = self.regions[0] if len(self.regions) == 1 else None
        self.answer = Answer(region=self.region)
        # "准备建数字化车间，投资350万，能入库吗": a title the project builds, not one awarded
        self.honors = [] if _builds_a_title(q) or _names_a_title_as_a_kind(q) else list(state.honors)
        # "去年评的市级企业技术中心已经拿了10万，今年又新认定了…今年能拿多少": a title already paid is not counted again
        self.paid_honors = [h for h in self.honors if re.search(
            rf"{re.escape(h)}[^，,。？?；;]{{0,4}}?(?:(?:已经|已)(?:拿了|领了|拿到|领到|到账|发了)|拿过|领过|(?:拿了|领了)\d)", q.text)]
        if self.honors and "awards" not in q.topics and {"program", "priority"} & set(q.topics) \
                and re.search(r"入选|入库|进库|纳入|能进|优先", q.text) and not re.search(r"奖|补|钱|资金|多少|一共|合计|总共|加起来", q.text):
            self.honors = []  # "我们是自治区级企业技术中心，但投资只有400万，能不能优先入选": a status, not money asked
        if self.paid_honors and len(self.paid_honors) < len(self.honors):
            self.honors = [h for h in self.honors if h not in self.paid_honors]
        else:
            self.paid_honors = []
        self.rates_asked = set(_RATE_ASKED.findall(q.text))  # "能按120%吗？还是100%"
        self.income_tax_saved: Optional[float] = None  # the estimate's income-tax saving, once made
        self.customs_from_price = False  # the tariff is estimated on the equipment's price (no 完税价格 said)
        self.detail_region: Optional[str] = None  # the region a detail's nearest point chose (no place asked)
        self.vat_credit_wan: Optional[float] = None  # the VAT credit estimated, when one is
        self.credit_carried = False  # the year's tax could not take the whole equipment credit
        self.rd_year_saving: Optional[float] = None  # this year's R&D saving, when the intangible's years are known
        self.year_saving_shown = False  # … and this year's real saving was shown beside it

    # --- routing -------------------------------------------------------------------------

    def run(self) -> Answer:
        q = self.q
        if not q.topics and "分公司" in q.details and q.flags.get("independent_legal_person") is False:
            q.topics = ["program"]  # "分公司没有独立法人资格，是总公司统一核算的" after a check: the check again
        if _OFF_TOPIC.search(q.text) and not (q.topics or q.facts or q.details or q.flags or self.honors):
            # "帮我看看明天六安天气怎么样，要去金寨县跑项目": not a policy question at all
            covered = "、".join(self.kb.short_region(r) for r in self.kb.regions())
            self.answer.parts.append(Part("uncovered", [
                f"抱歉，这个问题超出了我的范围，相关信息我没有收录。我只回答{covered}技改政策和相关国家税收优惠的问题，比如“项目能否入选”"
                "“奖补多少”“加计扣除怎么算”。需要人工帮助请说“转人工”。"]))
            return self.answer
        if TASK_REQUEST.search(q.text) and not (q.facts or q.details or q.flags or self.honors):
            # "帮我写一份可研报告": a task for the bot to do, not a question the clauses answer
            self.answer.parts.append(Part("uncovered", [TASK_REPLY]))
            return self.answer
        if self._only_a_place():
            self.answer.parts.append(Part("ack", [
                f"好的，按{self.kb.short_region(self.region)}的政策为您解答。可以问我入库/入选条件、奖补金额、税收优惠或办理流程；"
                "想判断项目能否入选，点“判断我的项目”。"]))
            self.answer.topics_answered.append("program")  # offers the check button
            return self.answer
        if q.programmes_outside:
            # "超长期特别国债支持设备更新，补助比例是多少": a scheme not held is said as such, never priced
            self.answer.parts.append(self._programme_not_held())
            incentives_named = [t for t in q.topics if self.kinds.get(t) == "incentive" and t != GENERIC_TAX]
            if not incentives_named and not self.honors:
                return self.answer
        if q.local_own:
            self.answer.parts.append(self._local_not_held())  # "县里自己还有没有配套奖励": the county's own is not held
        if self.region and q.flags and not (q.topics or q.facts or q.details or q.aspects or q.case_question
                                            or q.other_places or q.yes_no or "?" in q.text or "？" in q.text):
            self.answer.start_form = True  # "我们在六安，做新能源电池的规上企业": the firm described, the check goes on
            return self.answer
        if not q.topics and q.aspects and set(q.aspects) <= {"overview", "benefit"} and not (
                q.facts or q.details or q.flags or self.honors or q.other_places):
            # "我想了解一下我们公司能享受什么政策": what there is, national and by region
            self.answer.parts.append(self._incentive_list())
            regions = self.regions or self.kb.listed_regions()
            names = [f"{self.kb.short_region(r)}：{'、'.join(p.name for p in self.kb.programs(r))}" for r in regions
                     if self.kb.programs(r)]
            if names:
                self.answer.parts.append(Part("rule", [f"地区的技改政策有——{'；'.join(names)}（入库/入选条件和奖补）。"]))
                self.answer.topics_answered.append("program")
            self.answer.ask_region = not self.region
            return self.answer
        source = self._source_asked()
        if source:  # "千企技改是哪里的政策", "加计扣除是哪个文件规定的": the document, its issuer and its reach
            self.answer.parts.append(source)
            return self.answer
        if q.unreadable_amount:  # "研发费用-500万能加计多少": no estimate on a figure that cannot be right
            self.answer.parts.append(Part("ask_amount", [q.unreadable_amount]))
            return self.answer
        self._other_covered_region()
        self._region_from_figures()
        if not self.regions and not self.state.region and q.detail_near:
            # "按行业调整，制糖能降到多少": only one document has the rule the detail belongs to
            near = {p.region for p in self.kb.points(None) if p.id in _near_ids(q)}
            if len(near) == 1 and NATIONAL_REGION not in near:
                self.regions = list(near)
                self.region = self.regions[0]
                self.detail_region = self.region  # no place asked: the other document is silent too
        if q.towns_named and _TOWN_DOCUMENTS.search(q.text):
            # "霍邱县自己有没有配套补贴？县里的文件你们有没有": the county's own documents are not held
            covered = "、".join(self.kb.short_region(r) for r in self.kb.regions())
            town = next((f"{q.towns_named[0]}{s}" for s in "县区市" if f"{q.towns_named[0]}{s}" in q.text), q.towns_named[0])
            self.answer.parts.append(Part("uncovered", [
                f"我没有收录{town}自己的政策文件（只收录了{covered}的技改文件和全国适用的税收优惠），"
                f"{town}有没有另外的扶持政策，请向当地经信（工信）部门咨询。"]))
        town = self._town_covered()
        if town:  # "我们霍山的企业能用吗": the county is in the region, so the region's document applies
            self.answer.parts.append(town)
        several = self._quoted_terms()
        if several:  # "‘四位一体’创建和‘三品’行动，分别是指啥": each term with the sentence that says it
            self.answer.parts.append(several)
            return self.answer
        undefined = self._undefined_term()
        if undefined:  # "自己造的设备算不算“购进”" (a point defines it) / "什么样的企业算“行业小巨人”" (none does)
            self.answer.parts.append(undefined)
            self.answer.offer_handoff = self.answer.offer_handoff or undefined.kind == "deferral"
            return self.answer
        if self._only_a_status():
            self.answer.parts.append(self._status_noted())
            return self.answer
        self._asked_detail()
        incentives = [t for t in q.topics if self.kinds.get(t) == "incentive"]
        if {"staff_count", "total_assets_wan"} & set(q.facts) and "small-low-profit-rate" not in incentives \
                and not self._regional_figures():
            incentives.append("small-low-profit-rate")  # "应纳税所得额280万，员工50人，资产3000万": the three caps
            q.topics.append("small-low-profit-rate")  # a tax question, not the start of a project check
        regional = [t for t in q.topics if self.kinds.get(t) in REGIONAL_TOPIC_KINDS]
        if incentives == [GENERIC_TAX] and self.regions and "program" in q.topics and not q.tax_facts():
            incentives = []  # "六安技改项目入库的申报表在哪下载": the programme's forms, not the tax return's
        tax_asked = bool(incentives or q.tax_facts() or self._asks_tax())
        if not tax_asked and not regional and (q.high_tech or q.small_profit) and (q.aspects or q.yes_no):
            tax_asked = True  # "小微企业的从业人数是看年底那个数吗": a question about the status's own rate
        if "directions" in regional and "threshold" in q.aspects and "program" not in regional \
                and "definition" not in q.aspects:
            regional.insert(0, "program")  # "ERP、MES算信息化改造吗？有投资门槛没": the library's threshold
        if not q.topics and self.regions and not tax_asked and set(q.aspects) & _PROGRAMME_ASPECTS:
            regional = ["program"]  # "广西来宾…安全性能提升改造，这种项目效益条件怎么算": the region's programme
        if set(q.topics) == {"filing"} and self.regions and not tax_asked \
                and {"fixed_asset_investment_wan", "investment_this_year_wan"} <= set(q.facts):
            regional = ["program", *regional]  # "总投资6000万，已经核准，今年计划完成650万…还有戏吗": the project's check
        if not q.topics and len(self.regions) > 1 and not tax_asked and not q.details \
                and not set(q.aspects) & {"materials", "procedure", "timing", "where"}:
            # "想对比一下六安和广西的技改政策有什么不同": the two programmes' conditions side by side
            self._conditions_list()
            return self.answer
        # "东莞的企业，想问千企技改的申报条件": a programme named does not place the firm in its region
        compared = q.other_places and q.regions and any(w in q.text for w in _COMPARED)
        elsewhere = q.firm_elsewhere or q.asks_elsewhere
        both_asked = q.asks_elsewhere and not q.firm_elsewhere and not q.firm_region and not compared \
            and any(self.kb.short_region(r) in q.text for r in self.regions)  # a place named, not a programme
        if q.other_places and (not q.regions or compared or elsewhere) and (regional or self.honors or not tax_asked) \
                and not both_asked:
            national = [t for t in incentives if t != GENERIC_TAX] if tax_asked and not regional and not self.honors else []
            self.answer.parts.append(self._uncovered(national=national))
            if tax_asked and (incentives or "税" in q.text):  # ("东莞…投了一千多万换设备" asks no tax)
                self._tax(incentives)
            return self.answer
        if both_asked and regional:
            # "安徽省里对省级智能工厂奖多少？六安市里又奖多少": the place not held said, the covered one answered
            self.answer.parts.append(self._uncovered())
        if q.other_places and not q.regions and tax_asked and not q.firm_region \
                and (q.firm_elsewhere or q.asks_elsewhere or not q.tax_facts()):
            # ("委托给上海的高校做": the partner's place, not the firm's — no uncovered notice)
            # "重庆对技改项目贷款贴息是怎么规定的": that place's own rules are not held; the national ones follow
            self.answer.parts.append(self._uncovered(national=[t for t in incentives if t != GENERIC_TAX]
                                                     if not regional else []))
        if tax_asked:
            self._tax(incentives)
            self._validity(incentives)
            if self.region and not regional and re.search(r"一样|相同|同样|不同|区别|差别|如果是|要是", q.text):
                # "那如果是广西的企业呢，比例一样吗": national incentives do not change with the region
                self.answer.parts.append(Part("rule", [
                    f"以上是国家税收优惠，全国统一适用，{self.kb.short_region(self.region)}的企业也一样。"]))
            if incentives and not self.regions:  # "加计扣除什么时候申报" is not about 千企技改's plan
                regional = [t for t in regional if t not in GENERIC_REGIONAL]
            if q.tax_facts() and not self.regions and not self.honors:
                regional = [t for t in regional if t != "directions"]  # "花了260万做了智能化改造，能抵免多少"
            if {INTEREST_SUBSIDY, "tech-renovation-relending"} & set(incentives):
                if not self.regions:
                    regional = [t for t in regional if t != "finance"]  # the national loan measure answers it
                elif "finance" not in regional:
                    regional.append("finance")  # "六安技改项目贷款贴息贴几个点": and what 六安's document says
            if "fiscal_funds" in q.circumstances and not self.regions:
                regional = [t for t in regional if t not in ("awards", "finance")]  # "科技厅拨的专项资金" is the money's source
        if self.honors or "awards" in regional:
            self._awards()
        self._tax_and_award_total()
        defines = "definition" in q.aspects and bool({"renovation", "directions"} & set(regional)) \
            and not q.case_question and not self._regional_figures()
        # "入库项目的投资数据报给谁", "千企技改碰到大问题哪个机构统筹": the measure's own answer, not the programme's
        measure_asked = set(regional) & {"statistics", "organisation"} and set(q.aspects) & {"where", "timing"} \
            and not q.case_question and not self._regional_figures()
        if ("program" in regional or self._asks_own_case() or self._asks_a_programme_rule()) and not defines \
                and not measure_asked:
            self._program()  # ("千企技改里说的技术改造是指什么": the meaning answers it, not the programme's rules)
        for topic in regional:
            after_entry = topic == "statistics" and self._after_entry()  # "入库之后还有什么义务"
            if topic in ("program", "awards") or (
                    ("program" in self.answer.topics_answered or self.answer.start_form) and topic in PROGRAM_FAMILY
                    and not after_entry):
                if topic == "filing" and "备案" not in self._shown():
                    self._filing_beside_programme()  # "…有没有投资额要求？要不要办备案？": both asked
                continue  # answered with the programme, or the form's business
            if topic == "directions" and ("program" in regional and q.aspect not in ("definition", "overview")
                                          or self.answer.start_form):
                continue  # "自动化改造，投资260万，能入库吗" names a direction, it does not ask about it
            if topic == "priority" and topic in self.answer.topics_answered:
                continue  # "是不是小巨人就能直接进": said with the check's lead
            if topic in ("directions", "priority") and "awards" in regional and q.aspect in ("amount", None) \
                    and self.answer.parts:
                continue  # "高端化强链项目一事一议能给多少", "专精特新企业奖多少": the award answers it
            self._measure(topic)
        self._unanswered_details()
        self._unanswered_quantity()
        self._unanswered_materials()
        self._capacity_added()
        self._figure_denied()
        self._missed_claim_lead()
        self._late_choice_lead()
        self._alternative_met_lead()
        self._listed_as_not_exempt()
        self._law_since_unconfirmed()
        self._drop_repeated_lines()
        self.answer.parts = [part for part in self.answer.parts if any(part.lines)]  # never an empty reply
        if not self.answer.parts and not self.answer.start_form:
            self.answer.parts.append(self._deferral(None))
        if any(p.kind == "deferral" for p in self.answer.parts):
            self.answer.offer_handoff = True
        return self.answer

    def _filing_beside_programme(self) -> None:
        """The programme's own filing requirement, when the programme's answer left it out."""
        for region in self._target_regions():
            points = [p for p in self._points("program", region) if "备案" in p.text and p.region == region]
            if points:
                self.answer.parts.append(self._rule_part(self._rank(points)[:1]))

    def _validity(self, incentives: List[str]) -> None:
        """What the sources say about when an incentive runs, against the years the question names:
        “听说中小企业500万以上的设备可以100%一次性扣除” gets the point that this rule has ended; “要是
        2028年才买设备” (after the rule's end date) is told the sources do not say what comes after."""
        text = self.q.text.replace("万元", "万")
        shown = self._shown()
        for topic in incentives:
            for point in self.kb.points(None, topic):
                if "到期" not in point.text or point.text in shown:
                    continue
                tokens = {t.replace("万元", "万") for t in re.findall(r"\d+%|\d+万元以上|\d{4}年", point.text)}
                tokens |= {"中小"} if "中小" in point.text else set()
                if sum(t in text for t in tokens) >= 2:
                    self.answer.parts.append(Part("rule", [point.text], [point.citation]))
        asked_years = [int(y) for y in re.findall(r"(20\d\d)年", self.q.text)]
        if not asked_years:
            return
        for topic in incentives:
            ends = [(int(m.group(1)), p) for p in self._by_aspect(self.kb.points(None, topic))
                    for m in [re.search(r"至(20\d\d)年12月31日", p.text)] if m]
            if not ends:
                continue
            end, point = max(ends, key=lambda e: e[0])
            start = re.search(r"(20\d\d)年1月1日至", point.text)
            earlier = [y for y in asked_years if start and y < int(start.group(1))]
            for before in self.kb.points(None, topic):  # "我们2023年买的设备当年算不算": the window before
                spans = [int(y) for y in re.findall(r"(20\d\d)年(?:1月1日|12月31日)", before.text)]
                if earlier and before is not point and spans and min(spans) <= earlier[0] <= max(spans) \
                        and before.text not in shown:
                    lead = (f"可以，{earlier[0]}年购进的适用此前的政策（不是现行规定）：" if self.q.yes_no and topic == tax.EQUIP
                            and re.search(r"不能|不可以|能不能|能否|还能|可以吗|能吗", self.q.text) else "")
                    self.answer.parts.append(Part("rule", [lead + before.text], [before.citation]))
                    shown += before.text
            later = [y for y in asked_years if y > end]
            if later:
                name = self.kb.incentive(topic).name
                lines = [] if point.text in shown else [point.text]
                lines += [f"{name}的现行规定执行至{end}年12月31日；{later[0]}年的情况政策摘要没有规定，"
                          f"要看届时是否延续，建议咨询{self._who(topic, None)}。"]
                self.answer.parts.append(Part("deferral", lines, [point.citation]))
                self.answer.offer_handoff = True

    def _capacity_added(self) -> None:
        """“钢厂技改顺便要扩一点产能，还能适用县区备案那条吗”: the clause shown is for projects that add no
        capacity — the firm's project does, so that clause is not its (said first)."""
        if not _CAPACITY_ADDED.search(self.q.text):
            return
        for part in self.answer.parts:
            for point in self.kb.points(None, "filing"):
                if "不新增产能" in point.text and point.text in part.lines:
                    self.answer.parts.insert(0, Part("rule", [
                        "不适用“不新增产能、产品品种”的那一条：它只适用于不新增产能、产品品种的技改项目，贵企业的项目要新增产能。"
                        f"新增产能的项目由哪一级备案或核准，文件没有规定，建议咨询{self._who('filing', point)}。"],
                        [point.citation]))
                    self.answer.offer_handoff = True
                    return

    def _law_since_unconfirmed(self) -> None:
        """A VAT measure's rule said in 2026 or later: whether it continues under the 增值税法 in force since
        2026-01-01 is not confirmed, and is said beside it (“留抵退税怎么申请”)."""
        if self.state.today.year < 2026:
            return
        shown = self._shown()
        for part in self.answer.parts:
            if part.kind != "rule":
                continue
            text = "".join(part.lines)
            for point in self.kb.points(None, "advanced-manufacturing-vat-credit"):
                if "增值税法施行后" not in point.text or point.text in shown:
                    continue
                named = [w for w in ("加计抵减", "留抵退税", "技术转让免征增值税") if w in point.text]
                if any(w in text for w in named) or "留抵税额" in text and "留抵退税" in named:
                    part.lines.append(point.text)
                    if _LAW_ASKED.search(self.q.text):
                        # asked about the law: who can confirm it
                        part.lines.append(f"建议咨询{self._who(point.topic, point)}。需要的话我可以帮您转人工。")
                        self.answer.offer_handoff = True
                    part.citations.append(point.citation)
                    return

    def _alternative_met_lead(self) -> None:
        """“产值涨不了太多，但改完能从规下变规上，这样算不算数”: the rule's other branch is the firm's."""
        if not (self.q.flags.get("above_size_after_project") and re.search(r"算不算|算数|算吗|行不行|可以吗|行吗|能不能", self.q.text)):
            return
        for part in self.answer.parts:
            if part.kind == "rule" and part.lines and "或改造后可新增成为规模以上工业企业" in part.lines[0]:
                part.lines[0] = f"算：效益要求两项满足其一即可，改造后能新增成为规模以上工业企业的也符合。{part.lines[0]}"
                return

    def _leading_rule(self) -> Optional[Part]:
        """The answer's first part, when it is a rule (a verdict word is put before its first line)."""
        first = self.answer.parts[0] if self.answer.parts else None
        return first if first is not None and first.kind == "rule" and first.lines else None

    def _late_choice_lead(self) -> None:
        """“22年买的设备，当时没一次性扣除，今年还能补扣吗”: no — a year not chosen cannot be changed later."""
        if tax.EQUIP not in self.q.topics or not _LATE_CHOICE.search(self.q.text):
            return
        point = next((p for p in self.kb.points(None, tax.EQUIP) if "以后年度不得再改为一次性扣除" in p.text), None)
        if point and point.text not in self._shown():
            self.answer.parts.insert(0, Part("rule", [f"不能。{point.text}"], [point.citation]))

    def _missed_claim_lead(self) -> None:
        """“7月预缴的时候忘了报了，还能享受吗”: yes, when the point shown says a claim missed is not lost."""
        if not (self.q.yes_no and _MISSED_CLAIM.search(self.q.text)):
            return
        first = self._leading_rule()
        if first and re.search(r"不影响以后享受|追溯补享|可以补享", first.lines[0]):
            first.lines[0] = f"可以。{first.lines[0]}"

    def _listed_as_not_exempt(self) -> None:
        """“其中有几台在《国内投资项目不予免税的进口商品目录》里，这几台关税能免吗”: no."""
        if not (self.q.yes_no and re.search(r"(?:有|其中|这几台|这台|都)[^，。？?]{0,12}在[^，。？?]{0,4}《?国内投资项目不予免税", self.q.text)):
            return
        first = self._leading_rule()
        if first and "不予免税的进口商品目录》内的商品除外" in first.lines[0]:
            first.lines[0] = f"不能。列入该目录的设备不免关税：{first.lines[0]}"

    def _figure_denied(self) -> None:
        """“是不是按15%的一半也就是7.5%交税”: a rate the user puts forward that the rule shown does not
        give (it gives another) is denied first."""
        amount = re.search(r"(?:奖|补贴|补助|给|拿)(\d+(?:\.\d+)?)万(?:元)?(?:吧|吗|对吗|对不对|没错吧)|"
                           r"是不是(?:奖|给|补)?(\d+(?:\.\d+)?)万|(\d+(?:\.\d+)?)万(?:元)?(?:吧|对吗|对不对|没错吧)", self.q.text)
        if amount:  # "省级企业技术中心在六安是奖50万吧": the amount the schedule gives instead
            said = next(g for g in amount.groups() if g)
            for part in self.answer.parts:
                for i, line in enumerate(part.lines):
                    award = re.fullmatch(r"[^：，。]{2,20}：(\d+(?:\.\d+)?)万元", line)
                    if award and award[1] != said and f"{said}万" not in self._shown():
                        part.lines[i] = f"不是{said}万元。{line}"
                        return
                    if award and award[1] == said and len([p for p in self.answer.parts if p.kind == part.kind]) == 1:
                        part.lines[i] = f"是的。{line}"
                        return
        rates = re.findall(r"(?<=按)(\d+(?:\.\d+)?)%|(\d+(?:\.\d+)?)%(?=[^，。？?]{0,2}?(?:交|缴|计|征|算))", self.q.text)
        rates = [a or b for a, b in rates]
        if not re.search(r"是不是|是否|对吗|对不对|没错吧|吧[？?]", self.q.text) or not rates:
            return
        first = self._leading_rule()
        if first is None:
            return
        said, text = rates[-1], "".join(first.lines)
        shown = set(re.findall(r"按(\d+(?:\.\d+)?)%", text))
        if shown and f"{said}%" not in text:
            first.lines[0] = f"不是{said}%。{first.lines[0]}"

    def _drop_repeated_lines(self) -> None:
        """Two topics deferring the same detail say it once (“没有规定受理窗口……” for 加计扣除 and 申报)."""
        seen = set()
        deferred: Set[str] = set()  # details already said not to be in the sources
        for part in self.answer.parts:
            kept = []
            dropped_deferral = False
            for line in part.lines:
                if line and line in seen:
                    continue
                silent = re.search(r"没有规定([^。，；]{2,30})。$", line or "")
                if silent and silent[1] in deferred:
                    dropped_deferral = True  # "…都没有规定房产税和城镇土地使用税" said above: not again
                    continue
                if dropped_deferral and line.startswith("建议咨询"):
                    continue
                if silent and "都没有规定" in line:  # (each document's own silence is said for each)
                    deferred.add(silent[1])
                if line and line.startswith("相关的规定是：") and line.split("：", 1)[1] in seen:
                    continue  # the closest rule was said in full above it
                award = re.fullmatch(r"([^：，。]{2,20})：(\d+(?:\.\d+)?万元)", line or "")
                if award and any(f"{award[1]}{award[2]}" in earlier for earlier in seen):
                    continue  # "省级绿色工厂：20万元" after a deferral that listed "省级绿色工厂20万元"
                seen.add(line)
                kept.append(line)
            if part.kind == "deferral" and kept and kept[0].startswith("相关的规定是") and part.lines[0] not in kept:
                # the deferral itself was said before: its "closest rule" alone would dangle
                kept = [kept[0].replace("相关的规定是：", "", 1), *(line for line in kept[1:] if not line.startswith("建议咨询"))]
            part.lines = kept

    def _unanswered_details(self) -> None:
        """A detail asked about that no line of the answer mentions: say the sources do not give it."""
        text = self._shown()
        missing = [d for d, cues in self.q.details.items() if d not in text and not any(c in text for c in cues)]
        covered = self._points_naming(missing)
        for point in covered.values():  # "去年亏了两百万，加计扣除还有用吗": a point says it, beside the estimate
            self.answer.parts.append(Part("rule", [point.text], [point.citation]))
        missing = [d for d in missing if d not in covered]
        if not missing:
            return
        national = any(self.kinds.get(t) == "incentive" for t in self.q.topics) or self._asks_tax() \
            or self.q.high_tech or self.q.small_profit
        near = self._detail_near(missing)
        if near and not national:
            # "造纸行业能降到多少": 广西 allows an adjustment by industry and names no figure
            document = self.kb.document_of_region(near.region)
            both = self.detail_region == near.region
            # "用电能不能享受电价优惠" (no place asked): neither document gives it; 广西's comes closest
            scope = f"{self._regional_documents()}都" if both else f"《{document.title}》"
            said = f"（{self.kb.short_region(near.region)}）" if both else ""
            who = self._contact(near.region) or '当地工信部门'
            if both:
                who = "；".join(f"{self.kb.short_region(r)}：{self._contact(r)}" for r in self.kb.regions()
                               if r != NATIONAL_REGION and self._contact(r))
            self.answer.parts.append(Part("deferral", [
                f"关于{'、'.join(missing)}：{scope}没有规定。",
                f"相关的规定是{said}：{near.text}",
                f"建议咨询{who}。需要的话我可以帮您转人工。"], [near.citation]))
            self.answer.offer_handoff = True
            return
        region = self.region or self.state.region
        document = self.kb.document_of_region(region) if region and not national and region != NATIONAL_REGION else None
        # "广西的，车间装修费能算进技改投资额吗": the region's own document, not both
        scope = "国家税收优惠政策摘要" if national else f"《{document.title}》" if document else self._regional_documents()
        named = [self.q.detail_department[d] for d in missing if self.q.detail_department.get(d)]
        who = named[0] if len(named) == len(missing) and len(set(named)) == 1 else self._who("tax" if national else None, None)
        self.answer.parts.append(Part("deferral", [f"关于{'、'.join(missing)}：{scope}没有规定，建议咨询{who}。"]))
        self.answer.offer_handoff = True

    def _unanswered_quantity(self) -> None:
        """A number asked (“多少天内补齐”, “每年有多少名额”, “具体多少钱”) that no line of a rule answer
        gives: the rule stays, and the reply says the sources do not give the number."""
        kinds = {part.kind for part in self.answer.parts}
        if not kinds or kinds - {"rule", "awards"} or self.answer.start_form or self.q.facts:
            return
        text = self._shown()
        for asked, answered, what in _QUANTITIES:
            if asked.search(self.q.text) and not answered.search(text):
                cites = [c for part in self.answer.parts for c in part.citations]
                document = next((d for d in self.kb.documents() for c in cites if d.id == c.document_id), None)
                scope = "国家税收优惠政策摘要" if not document or document.region == NATIONAL_REGION else f"《{document.title}》"
                region = document.region if document and document.region != NATIONAL_REGION else None
                who = self._contact(region) if region else self._who("tax", None)
                self.answer.parts.append(Part("deferral", [f"{scope}没有规定{what}，建议咨询{who or '当地工信部门'}。"]))
                self.answer.offer_handoff = True
                return

    def _unanswered_materials(self) -> None:
        """“贴几年？去哪个银行申请，要准备啥材料”: the rule answers the rest; the materials, which no
        line names, are said to be left open."""
        kinds = {part.kind for part in self.answer.parts}
        if "materials" not in self.q.aspects or len(self.q.aspects) < 2 or kinds != {"rule"} or self.answer.start_form:
            return
        if re.search(r"材料|资料|凭证|清单|证明|票据|留存|备查", self._shown()):
            return
        cites = [c for part in self.answer.parts for c in part.citations]
        documents = {c.document_id for c in cites}
        if len(documents) != 1:
            return
        document = next((d for d in self.kb.documents() if d.id in documents), None)
        national = document is None or document.region == NATIONAL_REGION
        scope = "国家政策摘要" if national else f"《{document.title}》"
        self.answer.parts.append(Part("deferral", [f"{scope}没有规定{MISSING['materials']}。"]))
        self.answer.offer_handoff = True

    def _detail_near(self, missing: List[str]) -> Optional[Point]:
        """The point nearest to a detail the sources leave open (`detail_near`), in a region asked."""
        wanted = [i for d in missing for i in self.q.detail_near.get(d, ())]
        regions = self.regions or ([self.state.region] if self.state.region else self.kb.regions())
        for point_id in filter(None, wanted):
            point = next((p for p in self.kb.points(None) if p.id == point_id), None)
            if point and (point.region in regions or point.region == NATIONAL_REGION) and point.text not in self._shown():
                return point
        return None

    def _shown(self) -> str:
        return "".join(line for part in self.answer.parts for line in part.lines if line)

    def _points_naming(self, details: List[str]) -> Dict[str, Point]:
        """A detail asked → a point of the question's topics whose text names it (by the detail's cues)."""
        found: Dict[str, Point] = {}
        pool = [p for t in self.q.topics for p in self.kb.points(None, t)
                if self.kinds.get(t) == "incentive" or p.region in self.regions]
        national = [p for p in self.kb.points(None) if p.region == NATIONAL_REGION and p not in pool] \
            if any(self.kinds.get(t) == "incentive" for t in self.q.topics) or "税" in self.q.text else []
        text = re.sub(r"(?:不是|并非|不属于)[\u4e00-\u9fa5]{1,6}", "", self.q.text)  # "（不是专用设备）" names no point
        for detail in details:
            cues = self.q.details.get(detail, [])
            naming = [p for p in pool if any(c in p.text for c in cues)]
            if self.q.high_tech or self.q.tech_sme:  # "评上高新…亏损能往后结转几年": the point for their status first
                naming.sort(key=lambda p: 0 if "高新技术企业" in p.text else 1)
            point = naming[0] if naming else None
            if point is None:  # "高新技术企业…亏损能多结转几年": a national point of another incentive names both
                point = next((p for p in national if any(c in p.text for c in cues) and any(
                    text[i:i + 4] in p.text for i in range(len(text) - 3) if not any(c in text[i:i + 4] for c in cues))), None)
            if point:
                found[detail] = point
        return found

    def _only_a_place(self) -> bool:
        """"我们是六安的企业": a region said on its own sets the context; it asks nothing."""
        q = self.q
        said = q.topics or q.facts or q.flags or q.details or q.other_places or q.aspects or q.case_question
        status = q.high_tech or q.not_high_tech or q.small_profit or q.industry
        return bool(self.region) and not said and not status and not self.honors \
            and (self.state.intent == "inform" or len(q.text.strip(" ，。,.!！?？的")) <= 6)

    def _only_a_status(self) -> bool:
        """“我们公司去年评上了高新技术企业”: the firm's status said on its own asks nothing yet."""
        q = self.q
        status = q.high_tech or q.small_profit or q.industry or q.ic_or_machine_tool or q.manufacturing
        said = q.topics or q.facts or q.flags or q.details or q.other_places or q.aspects or q.case_question
        asks = q.yes_no or "?" in q.text or "？" in q.text or "怎么" in q.text
        return bool(status) and not said and not asks and not self.honors and not q.asks_person

    def _status_noted(self) -> Part:
        """What the status changes in the estimates that follow, each line from the knowledge base."""
        q, kb = self.q, self.kb
        noted, lines, cites = [], [], []
        if q.high_tech:
            rate = kb.parameter("high-tech-rate", "high_tech_cit_rate")
            noted.append("高新技术企业")
            lines.append(f"后面的企业所得税估算按高新技术企业{pct(rate.value)}税率计算。")
            cites.append(self._point_citation("high-tech-rate", "rate") or rate.citation)
        if q.small_profit:
            rate = kb.parameter("small-low-profit-rate", "effective_rate")
            noted.append("小型微利企业")
            lines.append(f"后面的企业所得税估算按小型微利企业实际税负{pct(rate.value)}计算（须同时满足小型微利企业的条件）。")
            cites.append(self._point_citation("small-low-profit-rate", "rate") or rate.citation)
        if q.ic_or_machine_tool:
            point = next((p for p in kb.points(None, "rd-super-deduction") if p.applies_to == "ic_or_machine_tool"), None)
            noted.append("集成电路或工业母机企业")
            if point:
                lines.append(point.text)
                cites.append(point.citation)
        if q.manufacturing and not q.industry:
            noted.append("制造业企业")
        if q.industry:
            noted.append(q.industry)
            if self._excluded_industry():
                point = self._first_point("rd-super-deduction", "exclusions")
                lines.append(f"注意：{q.industry}在研发费用加计扣除的负面清单上，研发费用不能加计扣除。")
                if point:
                    cites.append(point.citation)
        head = f"好的，已记下：{'、'.join(noted)}。"
        tail = "可以告诉我研发费用、设备投资等金额，我帮您估算能少缴多少税。"
        return Part("ack", [head, *lines, tail], cites)

    def _asks_a_programme_rule(self) -> bool:
        """“广西投资高于2000万的项目有什么额外要求”: a rule asked of a class of projects that the
        question names by a programme figure (a threshold, not the firm's own amount)."""
        q = self.q
        return bool(q.rule_mentions) and not q.topics and not q.facts and bool(self.regions) \
            and q.aspect in ("conditions", "threshold", "timing", "who")

    def _asks_tax(self) -> bool:
        # ("纳税信用是D级，还能报千企技改吗": the firm's record, not a tax question)
        return "税" in _without_records(self.q.text) and self.q.aspect in ("compute", "rate", "who", "conditions", "exclusions", "overview",
                                                         "benefit", None)

    def _asks_own_case(self) -> bool:
        """The user asks about their own project: a case question ("我们够不够", "能入选吗"), the
        project's figures given with nothing else asked about, or the NLU's eligibility intent with
        no rule aspect. Awards, incentives, titles or a tax figure in the message make it a question
        about those, whatever the NLU called it."""
        near = _near_ids(self.q)
        if near and any(p.topic in PROGRAM_FAMILY for p in self.kb.points(None) if p.id in near) \
                and not (self.q.case_question and _PROJECT_FACTS & set(self.q.facts)):  # ("纳税信用C级，投资300万…能入库吗")
            return False  # "制糖调到多少", "多大能纳入自治区重大工业项目？我们项目3个亿": the rule's open detail
        if self.q.case_question:
            # "设备一次性扣除…明年买的还行不行": a case about an incentive, not about the programme
            return not (any(self.kinds.get(t) == "incentive" for t in self.q.topics)
                        and not any(self.kinds.get(t) in REGIONAL_TOPIC_KINDS for t in self.q.topics))
        facts = _PROJECT_FACTS
        if self.q.details and not facts & set(self.q.facts):
            return False  # "制糖行业调成多少": a detail of the rule asked, not the firm's project
        # "入选后能拿多少钱" asks the award, not the check; "能报千企技改吗？入选了给多少" asks both
        money_asked = "awards" in self.q.topics and bool(re.search(r"多少|几万|几个钱", self.q.text)) and not self.q.yes_no
        if "program" in self.q.topics and (facts & set(self.q.facts) or self.q.flags) and not self.honors \
                and not money_asked:
            return True  # "…350万，已经备案，规上，能进项目库吗？另外研发费用120万…": the check, beside the rest
        other_topics = [t for t in self.q.topics if t not in PROGRAM_FAMILY and t != "directions"]
        status = self.q.high_tech or self.q.small_profit or self.q.industry
        if other_topics or self.q.tax_facts() or self.q.other_places or self.honors or status:
            return False
        if facts & set(self.q.facts) or (self.q.flags and self.q.own_case):
            return True
        if "statistics" in self.q.topics and not self.q.case_question:
            return False  # "进了项目库，统计上报按技改投资报还是按新建项目报": the duty after entry, not the check
        if self.state.intent == "ask_eligibility" and not self.q.aspects and not self.q.details:
            return True  # "继续判断吧", "千企技改能不能进"
        return self.state.intent in ("ask_eligibility", "inform") and self.q.aspect in (None, "conditions") \
            and (self.q.own_case or self.state.intent == "inform")

    def _target_regions(self) -> List[str]:
        if self.regions:
            return self.regions
        if self.state.region:
            return [self.state.region]
        return self.kb.regions()

    # --- parts -----------------------------------------------------------------------------

    def _after_entry(self) -> bool:
        """“手续上要办什么？进库以后还要报什么数据”: the duties after entry, asked beside the entry."""
        return bool(re.search(r"(?:入库|进库|入选|纳入项目库|进去)(?:之后|以后|后)|进了[^，。？?]{0,8}库|入了[^，。？?]{0,8}库", self.q.text)) \
            and "statistics" in self.q.topics

    def _points(self, topic: str, region: Optional[str]) -> List[Point]:
        topics = PROGRAM_FAMILY if topic == "program" else (topic,)
        if topic == "program" and self._after_entry():
            topics = tuple(t for t in topics if t != "statistics")  # answered on their own
        return [p for t in topics for p in self.kb.points(region, t) if region is None or p.region == region]

    def _applies(self, points: List[Point]) -> List[Point]:
        """Points for a kind of firm (集成电路/工业母机) only when the question is about one."""
        if re.search(r"比例更高|更高的比例|更高比例|有没有更高|还有更高|有没有高一点|最高能按|最高的比例", self.q.text) \
                and "rate" in self.q.aspects:
            return points  # "加计扣除按百分之多少？有没有比例更高的": who gets the higher rate is the answer
        # "我们是做数控机床的，研发加计扣除能按120%吗": the rate named is the listed firms' — whose it is, is the answer
        return [p for p in points if not p.applies_to or getattr(self.q, p.applies_to, False)
                or any(rate in p.text for rate in self.rates_asked) and not getattr(self.q, "ic_not_listed", False)]

    def _by_aspect(self, points: List[Point]) -> List[Point]:
        """Points that answer the aspect asked (or the nearest aspect); all of them when none was asked —
        and, first, any point the question asks in its own words (“大学那边还能不能就这笔钱再加计扣除”),
        beside what the rest of the question asks (“这算研发吗？…还有研发失败了的费用能不能加计”)."""
        points = self._applies(points)
        asked = self._asked(points)
        if asked and len(re.findall(r"[？?]", self.q.text.rstrip("？? "))) == 0 and not re.search(r"还有(?!吗|么|没)|另外|以及", self.q.text):
            return asked  # one question, asked in the point's own words
        chosen = self._by_aspect_only(points)
        return [*asked, *(p for p in chosen if p not in asked)]

    def _by_aspect_only(self, points: List[Point]) -> List[Point]:
        aspects = [a for a in self.q.aspects if a not in ("compute", "overview")] or self.q.aspects
        if "definition" in aspects and set(aspects) <= {"definition", "conditions", "threshold", "who"}:
            defining = self._defining(points)
            if defining is not None:
                return defining
        quoted = [m.words for m in self.q.rule_mentions if re.search(r"那条|这条|那一条|这一条|那个条件|这个条件|那个要求|这个要求", self.q.text)]
        named = [p for p in points if any(w in p.text for w in quoted)]
        if named:  # "是不是就不符合15%那条了": the rule the figure names, whatever aspect the words suggest
            return named
        subject = [p for p in points if p.subject and p.subject[-4:] in self.q.text]
        if subject:  # "增值税留抵退税我们制造业能不能申请，怎么申请": the measure asked, not its topic's other one
            core = subject[0].subject[-4:]
            points = [p for p in points if p in subject or core in p.text]
            if _LAW_ASKED.search(self.q.text):
                return [p for p in points if "增值税法" in p.text] + subject  # "增值税法施行后还按原来的办法退吗"
            if not any(set(p.aspects) & set(aspects) for p in points):
                return subject
        several = self._several_aspects()
        union = [p for p in points if set(p.aspects) & set(several)]
        if len(several) > 1 and union:
            return union  # "要什么条件？需要办什么手续": each aspect's point (see _rule_part)
        named_rate = [p for p in points if p.applies_to and any(rate in p.text for rate in self.rates_asked)]
        for aspect in aspects:
            hits = [p for p in points if aspect in p.aspects]
            if hits:  # ("算不算集成电路企业，研发能不能按120%": whose rate 120% is, beside the aspect's point)
                return [*named_rate, *(p for p in hits if p not in named_rate)]
        for aspect in aspects:  # the nearest aspects together; the ranking picks among them
            nearby = set(ASPECT_PREFERENCE.get(aspect, ()))
            hits = [p for p in points if nearby & set(p.aspects)]
            if hits:
                return hits
        return points if not aspects or set(aspects) <= {"overview", "compute", "amount"} else []

    def _region_from_figures(self) -> None:
        """“总投资4999万，是按10%还是30%算”: no region named, but the shares asked are one region's rule
        only — the answer is that region's (and says so by its document)."""
        if self.regions or self.state.region or self.q.other_places or self.q.tax_facts() \
                or any(self.kinds.get(t) == "incentive" for t in self.q.topics):
            return  # ("10%税额抵免" is the tax's rate, not a programme's share)
        if not (self._regional_figures() or {"program", "awards"} & set(self.q.topics)):
            return
        region = region_of_shares(self.kb, {float(m) for m in re.findall(r"(\d+(?:\.\d+)?)\s*%", self.q.text)})
        if region:
            self.regions, self.region = [region], region
            self.answer.region = region

    def _regional_figures(self) -> bool:
        return bool(_PROJECT_FACTS & set(self.q.facts))

    def _source_asked(self) -> Optional[Part]:
        """“千企技改是哪里的政策”, “这个项目库是哪个文件定的”: the document the programme or rule is in, who
        issued it and whom it covers (a firm elsewhere told it is not for it); for a national incentive,
        the official text it rests on. None when the message asks something else as well."""
        q = self.q
        if not _SOURCE_ASKED.search(q.text) or q.tax_facts() or q.case_question or q.details or q.other_places \
                or not set(q.aspects) <= {"definition", "overview", "where", "who"}:
            return None  # ("千企技改申报时间是哪个文件规定的": the time asked, answered with its clause)
        incentives = [t for t in q.topics if self.kinds.get(t) == "incentive" and t not in (GENERIC_TAX, "tax-claiming")]
        regional = [t for t in q.topics if self.kinds.get(t) in REGIONAL_TOPIC_KINDS]
        if incentives and not regional:
            lines, cites = [], []
            for topic in incentives:
                point = next(iter(self.kb.points(None, topic)), None)
                if point is None:
                    continue
                basis = point.citation.basis or point.citation.document
                lines.append(f"{self._topic_name(topic)}的依据是{basis}（国家政策，全国适用）。")
                cites.append(point.citation)
            return Part("rule", lines, cites) if lines else None
        named = [r for r in self.kb.regions() for p in self.kb.programs(r)
                 if any(n in q.text for n in re.findall(r"“([^”]{2,})”", p.name))]
        regions = named if len(named) == 1 else self.regions or ([] if self.state.region else self.kb.listed_regions())
        regions = regions or [self.state.region]
        if not regional or not regions or len(named) > 1:
            return None
        lines, cites = [], []
        for region in regions:  # ("这个项目库是哪里的政策", no place said: each covered region's)
            document = self.kb.document_of_region(region)
            if document is None:
                continue
            subject = "、".join(p.name for p in self.kb.programs(region)) if named or "program" in regional \
                else f"{self.kb.short_region(region)}的{self._topic_name(regional[0])}"  # "奖补是哪个文件规定的"
            lines.append(f"{subject}是{document.region}的政策，出自《{document.title}》（{document.issuer}），"
                         f"面向{self.kb.short_region(region)}的企业和项目。")
            point = next((p for p in self.kb.points(region, "document") if p.region == region), None)
            if point:
                lines.append(point.text)
                cites.append(point.citation)
        firm = self.kb.resolve_region(q.firm_region) if q.firm_region else None
        if lines and len(regions) == 1 and firm and firm != regions[0]:
            here, there = self.kb.short_region(firm), self.kb.short_region(regions[0])
            own = "、".join(p.name for p in self.kb.programs(firm))
            lines[0] += f"贵企业在{here}，不能申报{there}的项目" + (f"；{here}对应的是{own}。" if own else "。")
        return Part("rule", lines, cites) if lines else None

    def _topic_name(self, topic: str) -> str:
        return next((t.name for t in self.kb.topics() if t.id == topic), topic)

    def _other_covered_region(self) -> None:
        """“我们是六安的企业，能不能去报广西的千企技改”: a firm in one covered region asking about the
        other's programme is told it is not for it, and answered for its own region."""
        q = self.q
        firm = self.kb.resolve_region(q.firm_region) if q.firm_region else None
        others = [r for r in self.regions if r != firm]
        regional = [t for t in q.topics if self.kinds.get(t) in REGIONAL_TOPIC_KINDS] or self.honors
        if not firm or firm not in self.regions or not others or not regional or any(w in q.text for w in _COMPARED):
            return
        here, there = self.kb.short_region(firm), self.kb.short_region(others[0])
        own = "、".join(p.name for p in self.kb.programs(firm))  # "想报那个千企技改": what the firm's region has instead
        self.answer.parts.append(Part("uncovered", [
            f"{there}的技改政策面向{there}的企业和项目，贵企业在{here}，不能申报{there}的项目；"
            + (f"{here}对应的是{own}，下面按{here}的政策说明。" if own else f"下面按{here}的政策说明。")]))
        self.regions, self.region = [firm], firm
        self.answer.region = firm

    def _undefined_term(self) -> Optional[Part]:
        """A standard or definition asked (“高成长性企业是什么标准”, “什么样的企业算行业小巨人”, “智能工厂
        要达到什么标准才能认定”) of a term the sources use but never define: say so, with the line that
        uses it. None when a point defines the term, or the sources never use it (the usual path)."""
        q = self.q
        asks = _STANDARD_ASKED.search(q.text) or ("definition" in q.aspects and _QUOTED.search(q.text)) \
            or (_QUOTED.search(q.text) and re.search(r"具体(?:咋|怎么|如何)(?:操作|办|弄)", q.text))
        inclusive = self._inclusive_words()
        if inclusive:
            return inclusive
        if not asks and set(q.aspects) == {"definition"} and not q.tax_facts() and not q.facts and not q.detail_near \
                and not any(self.kinds.get(t) == "award" for t in q.topics):
            # "容缺审批是什么意思", "一室一中心是指啥": a term a document uses (in quotes there) and no point defines
            term = _defined_term(q.text)
            regions = set(self._target_regions())
            pool = [p for p in self.kb.points(None) if p.region in regions | {NATIONAL_REGION}]
            used = term and len(term) >= 3 and not self._names_an_incentive(term) and not any(
                t in PROGRAM_FAMILY or self.kinds.get(t) == "incentive" for t in q.topics)  # (those answer the usual way)
            holders = [p for p in pool if used and term in _unquoted(p.text)]
            if holders:  # the point that says it, whichever document's it is
                chosen = self._rank(holders)[0]
                defined = any(f"{lead}{term}{tail}" in _unquoted(chosen.text) for lead, tail in _DEFINING)
                scope = "政策摘要" if chosen.region == NATIONAL_REGION else f"《{self.kb.document_of_region(chosen.region).title}》"
                if defined and not self.region:  # "啥叫技术改造": each document that defines it, in its own words
                    each = [p for p in holders if p.region != chosen.region and p.region != NATIONAL_REGION
                            and any(f"{lead}{term}{tail}" in _unquoted(p.text) for lead, tail in _DEFINING)]
                    others = list({p.region: p for p in reversed(each)}.values())
                    if others:
                        return Part("rule", [chosen.text, *(p.text for p in others)],
                                    [chosen.citation, *(p.citation for p in others)])
                lines = [chosen.text] + ([] if defined else [
                    f"{scope}只提到“{term}”，没有规定它的具体界定；更具体的要求建议咨询"
                    f"{chosen.department or self._contact(chosen.region) or '当地工信部门'}。"])
                return Part("rule", lines, [chosen.citation])
            part = self._term_in_clauses(term, regions) if used else None
            if part:
                return part
        if not asks or q.tax_facts() or q.facts.get("fixed_asset_investment_wan") is not None or q.detail_near:
            return None  # (a detail the table names, with its nearest point, is deferred by name)
        if set(q.aspects) - {"definition", "conditions", "threshold", "procedure"} and not _STANDARD_ASKED.search(q.text):
            return None  # "“一事一议”指什么，哪类项目适用": the part about who is answered the usual way
        term = _standard_term(q.text) or _defined_term(q.text)
        if not term:
            return None
        if term in ("以上", "以下", "以内"):  # "200万整算不算“以上”": the figure itself counts
            numbers = re.findall(r"\d+(?:\.\d+)?万", q.text)
            regions = set(self._target_regions()) | {NATIONAL_REGION}
            holding = [p for p in self.kb.points(None) if p.region in regions and any(f"{n}元{term}" in p.text for n in numbers)]
            if holding:
                return Part("rule", [holding[0].text, f"“{term}”含本数：正好等于也算达到。"], [holding[0].citation])
        regions = set(self._target_regions()) | {NATIONAL_REGION}
        pool = [p for p in self.kb.points(None) if p.region in regions]
        head = _longest_head(term, pool)
        if head and len(head) < 3 and len(term) > 3:
            head = None  # "工业精品" is not "工业": the term itself is what the points lack
        if head and self._names_an_incentive(head):
            return None  # "‘加计抵减’是个什么概念": an incentive's own name — its rule says what it is
        if not head and f"“{term}”" in q.text or not head and len(term) >= 4:
            return self._term_in_clauses(term, regions)
        if not head or len(head) < 3 and f"“{head}”" not in q.text:
            return None  # a two-character word only when quoted (“购进”)
        defining = [p for p in pool if any(f"{lead}{head}{tail}" in p.text for lead, tail in _DEFINING)]
        if defining:
            if q.topics:
                return None  # the topic's own answer picks it (see _defining)
            chosen = self._rank(defining)[:1]
            return Part("rule", [p.text for p in chosen], [p.citation for p in chosen])
        topical = [p for p in pool if head in p.text and p.topic in q.topics]  # "专用设备抵免说的‘目录’": that topic's
        near = self._rank(topical or [p for p in pool if head in p.text])[0]
        scope = "国家税收优惠政策摘要" if near.region == NATIONAL_REGION else f"《{self.kb.document_of_region(near.region).title}》"
        who = near.department or self._contact(near.region) or self._who(near.topic, near)
        return Part("deferral", [f"{scope}没有规定“{head}”的具体标准、界定或办法。", f"文件里提到它的地方是：{near.text}",
                                 f"建议咨询{who}。需要的话我可以帮您转人工。"], [near.citation])

    def _inclusive_words(self) -> Optional[Part]:
        """“‘500万元以上’含不含500万本身？‘高于2000万’又含不含2000万？”: the words of the rule, each said."""
        text = self.q.text
        if not re.search(r"含不含|包不包括|包括不包括|包含不包含|含本数|包括本数|本身|是含|是否含|是否包括|(?:含|包括|包含)\d+(?:\.\d+)?万?(?:元)?(?:吗|么|不)", text):
            return None
        said = [(m.group(1), m.group(2)) for m in re.finditer(r"(\d+(?:\.\d+)?)万(?:元)?(以上|以下|以内|高于|低于|超过|不超过|不低于)", text)]
        said += [(m.group(2), m.group(1)) for m in re.finditer(r"(高于|低于|超过|不超过|不低于|达到)(\d+(?:\.\d+)?)万", text)]
        numbers = {float(n) for n, _ in said}
        own = [v for k, v in self.q.facts.items() for v in (v if isinstance(v, list) else [v])
               if isinstance(v, (int, float)) and v not in numbers]
        if not said or own or self.q.case_question and self.q.facts.get("fixed_asset_investment_wan") in numbers:
            return None  # (the firm's own figure beside the rule, or on it and its case asked: its check answers it)
        regions = set(self._target_regions()) | {NATIONAL_REGION}
        holding = [p for p in self.kb.points(None) if p.region in regions
                   and any(f"{n}万元{w}" in p.text or f"{w}{n}万元" in p.text for n, w in said)]
        if not holding:
            return None
        meaning = {"以上": "含本数（正好等于也算达到）", "以下": "含本数", "以内": "含本数", "不超过": "含本数（正好等于也算）",
                   "不低于": "含本数（正好等于也算）", "达到": "含本数", "高于": "不含本数（正好等于不算“高于”）",
                   "超过": "不含本数（正好等于不算“超过”）", "低于": "不含本数"}
        lines = [(f"“{n}万元{w}”" if w in ("以上", "以下", "以内") else f"“{w}{n}万元”")
                 + meaning[w].replace("含本数", f"{'不' if meaning[w].startswith('不') else ''}包括{n}万元本身", 1)
                 .replace("不不包括", "不包括") + "。" for n, w in dict.fromkeys(said)]
        return Part("rule", [*lines, holding[0].text], [holding[0].citation])

    def _quoted_terms(self) -> Optional[Part]:
        """Two or more quoted terms asked about (“‘四位一体’和‘三品’分别指啥”): for each, the point of
        the regions asked that holds it; None unless every term is held by one."""
        terms = list(dict.fromkeys(t for t in _QUOTED.findall(self.q.text) if len(t) >= 2))
        terms = [t for t in terms if not any(t != other and t in other for other in terms)]  # "+1" of "6+1"
        if len(terms) < 2 or "definition" not in self.q.aspects or self.q.tax_facts() or self.q.details:
            return None
        regions = set(self._target_regions()) | {NATIONAL_REGION}
        pool = [p for p in self.kb.points(None) if p.region in regions]
        chosen = []
        for term in terms:
            holding = [p for p in pool if term in p.text]
            if not holding:
                return None
            chosen.append(self._rank(holding)[0])
        chosen = list(dict.fromkeys(chosen))
        return Part("rule", [p.text for p in chosen], [p.citation for p in chosen])

    def _term_in_clauses(self, term: str, regions: set) -> Optional[Part]:
        """“绿色制造体系里的“四位一体”是哪四个”: a term no point holds, said in a document's own words —
        the sentence that uses it, quoted and cited (the documents do not define it otherwise)."""
        found = self._sentence_naming(term, regions)
        if not found:
            return None
        document, sentence, cite = found
        return Part("rule", [f"《{document.title}》没有规定“{term}”的具体界定，原文是这样说的：{sentence}",
                             f"更具体的要求，建议咨询{self._contact(document.region) or '当地工信部门'}。"], [cite])

    def _sentence_naming(self, term: str, regions: Iterable[str]) -> Optional[tuple]:
        """(document, sentence, citation): the first sentence of a regional document that says `term`."""
        for document in self.kb.documents():
            if document.region not in regions or document.region == NATIONAL_REGION:
                continue
            for clause in self.kb.clauses(document.id):
                # the sentence whose words, quotes aside, hold the term ("“容缺”审批" says 容缺审批)
                sentences = re.findall(r"[^。；\n]+[。；]?", clause.text)  # (a heading line is not the sentence)
                sentence = next((x.strip() for x in sentences if term in _unquoted(x)), None)
                if sentence:
                    return document, sentence, Citation(document.title, clause.clause, sentence[:60], document.id, document.status)
        return None

    def _titles_unlisted(self, region: str, label: str) -> Optional[Part]:
        """“去年被评为安徽省工业精品，今年又拿了省级新产品，在六安有没有奖励”: titles the schedule does
        not list have no award in the document — said, with where the document names them, if it does."""
        schedule = self.kb.awards(region)
        levels = {a.level for a in schedule if a.level}
        # a level the schedule lacks (国家级智能制造示范工厂) is said as such (see _award_parts)
        titles = [t for t in self.q.other_titles
                  if self.honors or not (t.startswith(("国家级", "县级")) and t[:3] not in levels)]
        if not titles:
            return None
        document = self.kb.document_of_region(region)
        named = "、".join(f"“{t}”" for t in titles)
        listed = "" if self.honors or not schedule else f"文件列出奖励的称号是：{'、'.join(dict.fromkeys(a.honor for a in schedule))}。"
        lines = [f"{label}《{document.title}》的奖励规定里没有{named}，没有规定{'这个称号' if len(titles) == 1 else '这些称号'}"
                 f"的奖励金额{'；' if listed else '。'}{listed}"]
        notes = self.kb.award_notes(region)
        # the schedule as a whole (its first entry's words would quote an award the firm was not asked about)
        cites = [dataclasses.replace(schedule[0].citation, quote="")] if schedule else [n.citation for n in notes[:1]]
        cores = [c for c in (_TITLE_LEVEL.sub("", t) for t in titles) if len(c) >= 3]
        ruled = next(((c, p) for c in cores for p in self._points("priority", region) if p.region == region and c in p.text),
                     None)
        if ruled:  # "评上了行业小巨人，千企技改给多少奖励": the document gives it priority, not money
            lines.append(f"文件对{ruled[0]}的规定是：{ruled[1].text}")
            cites = [ruled[1].citation]
            titles = []
        for title in titles:
            core = _TITLE_LEVEL.sub("", title)
            found = self._sentence_naming(core, [region]) if len(core) >= 3 else None
            if found:
                lines.append(f"文件提到{core}的地方是：{found[1]}")
                cites = [found[2]]
                break
        lines.append(f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。")
        self.answer.offer_handoff = True
        return Part("deferral", lines, cites)

    def _defining(self, points: List[Point]) -> Optional[List[Point]]:
        """A definition asked of a term the sources use (“规上企业的标准是啥”) is answered by a point
        that defines it; a rule that merely uses the term is not an answer, so none leads to the
        honest deferral. None when no such term is named (the aspects decide as usual)."""
        term = _defined_term(self.q.text)
        # "零土地技改是什么意思": the longest head of the term the sources use (零土地)
        term = _longest_head(term, points) if term else None
        if not term:
            return None
        defining = [p for p in points if any(f"{lead}{term}{tail}" in p.text for lead, tail in _DEFINING)]
        defining = defining or [p for p in points if "definition" in p.aspects and f"“{term}”" in p.text]
        raw = _defined_term(self.q.text) or ""
        named = [t for t in self.kb.topics() if t.id in self.q.topics and self.kinds.get(t.id) == "incentive"
                 and any(c in raw and c not in term for c in t.cues if len(c) >= 4)]
        if defining and named:  # "先进制造业企业增值税加计抵减是啥意思": the incentive's rule, then its term
            main = next((p for p in points if p.topic == named[0].id), None)
            return [main, *(p for p in defining if p is not main)] if main else defining
        if not defining and self._names_an_incentive(term, self.q.topics):
            main = next((p for p in points if p.topic in self.q.topics and self.kinds.get(p.topic) == "incentive"), None)
            return [main] if main else None  # "‘加计抵减’是个什么概念": the incentive's own main rule says what it is
        return defining

    def _names_an_incentive(self, term: str, among: Optional[Sequence[str]] = None) -> bool:
        """`term` is an incentive's name or one of its cues (of the topics `among`, when given)."""
        return any(term == t.name or term in t.cues for t in self.kb.topics()
                   if self.kinds.get(t.id) == "incentive" and (among is None or t.id in among))

    def _topic_cues(self) -> List[Sequence[str]]:
        if not hasattr(self, "_cues"):
            self._cues = [t.cues for t in self.kb.topics() if t.id in self.q.topics]
        return self._cues

    def _ordered(self, points: Sequence[Point]) -> List[Point]:
        """Every point: those the question clearly speaks of (a score of 1 or more) by score, then the
        rest in the points' own order (weak word overlaps do not reorder them)."""
        scores = self._scores(points)
        strong = [p for _, _, p in sorted(((scores[i], -i, p) for i, p in enumerate(points) if scores[i] >= 1.0),
                                          key=lambda item: item[:2], reverse=True)]
        return strong + [p for p in points if p not in strong]

    def _rank(self, points: List[Point]) -> List[Point]:
        """Points sharing more of the question's words first; far weaker matches dropped."""
        scores = self._scores(points)
        scored = sorted(((scores[i], -i, p) for i, p in enumerate(points)), key=lambda item: item[:2], reverse=True)
        top = scored[0][0] if scored else 0
        return [p for score, _, p in scored if score * 2 >= top]

    def _scores(self, points: Sequence[Point]) -> List[float]:
        """Shared two-character words, each weighted by how few of `points` have it; for a
        definition asked (“专用设备具体指啥”) the point that defines the term asked comes first."""
        grams = {self.q.text[i:i + 2] for i in range(len(self.q.text) - 1)} - _STOP_GRAMS
        # the topic's own name (千企技改) picked the points; it does not tell them apart
        named = [c for t in self._topic_cues() for c in t if c in self.q.text and len(c) >= 4]
        grams = {g for g in grams if not any(g in c for c in named)}
        df = {g: sum(1 for p in points if g in p.text) for g in grams}
        term = _defined_term(self.q.text) if "definition" in self.q.aspects else None
        # nothing particular asked ("进口设备免税是谁都能免吗"): a topic's main rule (its first point) leads
        duration = bool(_DURATION_ASKED.search(self.q.text))
        missed = bool(_MISSED_CLAIM.search(self.q.text))
        filing_when = bool(re.search(r"(?:什么时候|啥时候|何时|几月份?)(?:去|可以|能)?(?:申报|报|享受|填报)", self.q.text))
        needed = re.findall(r"(?:要不要|需不需要|是否需要|用不用|需要|是不是得|是不是要|是否要|得不得)(?:先)?(?:去|到)?[^，。？?]{0,8}?(备案|审批|认定|鉴定|申请)",
                            self.q.text)
        foreign = bool(re.search(r"境外|国外|海外|外国|德国|美国|日本|韩国|英国|法国", self.q.text))
        approver = bool(re.search(r"谁(?:来)?(?:批|审批|确定|定|遴选|选)|怎么确定的|怎么定的", self.q.text))
        quoted = [t for t in re.findall(r"[“\"'‘]([^”\"'’]{2,10})[”\"'’]", self.q.text)]  # "'机器换人'…啥意思"
        asked = self._asked(points)
        leads = set() if self.q.aspects else {next(p.id for p in points if p.topic == t) for t in {p.topic for p in points}}
        scores = []
        for p in points:
            score = sum(1 / df[g] for g in grams if g in p.text) + (0.6 if p.id in leads else 0.0)
            score += sum(3.0 for t in quoted if t in p.text)  # the words the question quotes, in the point
            score += 2.0 if p in asked else 0.0  # "受托方还能再加计吗": asked in the words it is asked in
            score += 1.5 * sum(1 for rate in self.rates_asked if rate in p.text)  # "能按120%吗？还是100%": the rules that say them
            if "境外" in p.text and not foreign:
                score -= 1.0  # a point about foreign work speaks when the question is about it
            elif "境外" in p.text and foreign:
                score += 1.0
            if self.q.aspect == "materials" and p.aspects and p.aspects[0] == "materials":
                score += 0.6  # "要留哪些资料": the point that is chiefly the materials list
            if duration and _DURATION.search(p.text):
                score += 1.5  # "海关要监管多久", "项目库管几年": the point that gives the period
            if missed and re.search(r"未享受|不影响|追溯|补享|漏享", p.text):
                score += 2.0  # "7月预缴的时候忘了报了，还能享受吗": the point on claiming it later
            if filing_when and re.search(r"预缴|申报时|汇算清缴时", p.text):
                score += 1.5  # "什么时候申报": when it is claimed, not how long the rule lasts
            if approver and re.search(r"印发|遴选", p.text):
                score += 2.0  # "千企技改项目谁来批": the office that issues the plan
            if needed and any(f"{no}{w}" in p.text for w in needed for no in ("不需要", "无需", "不用", "不必")):
                score += 2.0  # "要不要先去税务局备案": the point that says no 备案 is needed
            if "已经到期" in p.text and not any(t in self.q.text for t in re.findall(r"20\d\d|中小", p.text)):
                score -= 1.0  # a rule that has ended speaks when the question names it (see _validity)
            if term and any(f"{lead}{term}{tail}" in p.text for lead, tail in _DEFINING):
                score += 10
            elif term and term in p.text:
                score += 2
            scores.append(score)
        return scores

    def _names_the_topic(self, topic: str) -> bool:
        """A detail asked (“贴息”) is one of the topic's own names: asking it asks the topic."""
        cues = {c for t in self.kb.topics() if t.id == topic for c in t.cues}
        return any(all(c in cues for c in detail_cues) for detail_cues in self.q.details.values())

    def _tax_and_award_total(self) -> None:
        """“研发费用也有四百万…跟奖励加起来一共多少”: the income tax saved plus the titles' awards."""
        region = self.region or self.state.region
        if not (self.income_tax_saved and self.honors and region) or not re.search(
                r"(?:跟|和|加上|连同|算上|与)(?:那个|这个)?奖励|奖励[^，。？?]{0,4}(?:加起来|一共|合计|总共|加一起)", self.q.text):
            return
        try:
            award = award_calc.calculate(region, self.honors, kb=self.kb)
        except PolicyKBError:
            return
        if not award.total_wan:
            return
        total = tax.money(self.income_tax_saved + award.total_wan)
        self.answer.parts.append(Part("compute", [
            f"加上{'、'.join(self.honors)}的奖励{num(award.total_wan)}万元：{num(self.income_tax_saved)} + {num(award.total_wan)} = "
            f"{num(total)}万元（奖励是财政资金，少缴的是企业所得税）。"],
            dedupe(a.citation for a in self.kb.awards(region) if a.honor in {i.honor for i in award.items})))

    def _asked_detail(self) -> None:
        """A detail the question names (“亏损”) inside the words a point is asked in (“亏损弥补期是5年还是
        10年”): that point's topic answers it, the detail is no longer deferred."""
        if not self.q.details:
            return
        for point in self._asked(self.kb.points(None)):
            phrase = next(words for words in point.asked if words in self.q.text)
            covered = [d for d, cues in self.q.details.items() if any(c in phrase for c in cues)]
            if not covered or (point.region != NATIONAL_REGION and self.regions and point.region not in self.regions):
                continue
            for detail in covered:
                self.q.details.pop(detail)
            if point.topic not in self.q.topics:
                self.q.topics.append(point.topic)

    def _asked(self, points: Sequence[Point]) -> List[Point]:
        """The points whose own askings (`asked` in the sources) the question holds."""
        return [p for p in points if any(words in self.q.text for words in p.asked)]

    def _several_aspects(self) -> List[str]:
        """The practical aspects a compound question asks, in the question's order of the table."""
        return [a for a in self.q.aspects if a in _SEVERAL_ASPECTS]

    def _rule_part(self, points: List[Point], limit: int = 2, label: str = "") -> Part:
        ranked = self._rank(points)
        chosen = ranked[:limit]
        several = self._several_aspects()
        if len(several) > 1:  # the best point for each aspect asked, as many as were asked (up to 3)
            picked: List[Point] = []
            ordered = self._ordered(points)
            for aspect in several:
                best = next((p for p in ranked + ordered if aspect in p.aspects and p not in picked), None)
                if best:
                    picked.append(best)
            chosen = picked[:3] or chosen
        missing = self._details_missing(chosen)
        naming = [p for p in points if any(c in p.text for d in missing for c in self.q.details[d])]
        if not naming and missing:  # a point of the same topic, outside the aspect asked, may name it
            same = [p for t in dict.fromkeys(p.topic for p in points) for p in self.kb.points(None, t)
                    if p.region in {q.region for q in points} and p not in points]
            naming = [p for p in same if any(c in p.text for d in missing for c in self.q.details[d] if len(c) > 2)]
            if not naming:
                elsewhere = self._points_naming([d for d in missing if any(len(c) > 2 for c in self.q.details[d])])
                naming = [p for p in elsewhere.values() if p.region in {q.region for q in points}][:1]
        if naming:  # "单位价值包括运费安装费吗": the point that names the detail, ranked lower, answers it
            chosen = [naming[0], *(p for p in chosen if p is not naming[0])][:limit]
            missing = self._details_missing(chosen)
        if missing:
            near = self._detail_near(missing)  # "失败容忍率现在是多少": the point the table names as nearest
            return self._detail_deferral(missing, near if near and near.region == chosen[0].region else chosen[0], label)
        lines = [(label + p.text) if label else p.text for p in chosen]
        silent = [p for p in chosen if any(marker in p.text for marker in SILENT_MARKERS)]
        if silent:
            lines.append(f"建议咨询{self._who(silent[0].topic, silent[0])}。需要的话我可以帮您转人工。")
            self.answer.offer_handoff = True
        elif "where" in self.q.aspects:  # "统计上的事找谁": the department the point names
            staffed = next((p.department for p in chosen if p.department and p.department not in p.text), None)
            if staffed:
                lines.append(f"具体找{staffed}。")
            elif all(p.region == NATIONAL_REGION for p in chosen) and not any("12366" in p.text for p in chosen):
                lines.append(f"具体口径可以咨询{self._who('tax', None)}。")  # "这种具体口径应该问谁"
        return Part("rule", lines, [p.citation for p in chosen])

    def _details_missing(self, points: List[Point]) -> List[str]:
        """Details the question asks about that none of the chosen points mentions (a detail whose
        nearest point is another region's — 六安's 设备（软件）补贴 — is not missing from a national rule)."""
        text = "".join(p.text for p in points)
        regions = {p.region for p in points}
        wanted = _near_ids(self.q)
        near = {p.id: p.region for p in self.kb.points(None) if p.id in wanted} if wanted else {}
        first = next(iter(regions), None)
        own = {p.topic for p in points}
        # ("设备能不能抵税 3有没有贷款贴息": 贴息 is another topic asked, answered by its own points, not missing here)
        others = {c for t in self.kb.topics() if t.id in self.q.topics and t.id not in own
                  and self.kinds.get(t.id) == "incentive" for c in t.cues}
        return [d for d, cues in self.q.details.items() if not any(cue in text for cue in cues)
                and not (NATIONAL_REGION in regions and any(cue in others for cue in cues))
                and any(near.get(i, first) in regions for i in self.q.detail_near.get(d, ("",)))]

    def _detail_deferral(self, missing: List[str], near: Point, label: str) -> Part:
        if any("税" in detail for detail in missing) and near.region != NATIONAL_REGION:
            # "那50万奖励要不要交企业所得税" is a tax question, whatever topic named the award
            return Part("deferral", [f"{label}国家税收优惠政策摘要没有规定{'、'.join(missing)}。",
                                     f"建议咨询{self._who('tax', None)}。需要的话我可以帮您转人工。"])
        scope = "国家税收优惠政策摘要" if near.region == NATIONAL_REGION else f"《{self.kb.document_of_region(near.region).title}》"
        missing = self._materials_too(missing, near.topic, near.region)
        who = next((self.q.detail_department[d] for d in missing if d in self.q.detail_department), None)
        return Part("deferral", [
            f"{label}{scope}没有规定{'、'.join(missing)}。",
            f"相关的规定是：{near.text}",
            f"建议咨询{who or self._who(near.topic, near)}。需要的话我可以帮您转人工。"], [near.citation])

    def _materials_too(self, missing: List[str], topic: Optional[str], region: Optional[str]) -> List[str]:
        """The details unsaid, and the materials when they were asked beside them and no point of the
        topic gives them (“要交哪些材料？有没有申报表模版”: both unsaid)."""
        if "materials" not in self.q.aspects or any("材料" in d or "资料" in d for d in missing) or not topic:
            return missing
        pool = [p for p in self.kb.points(region, topic) if not region or p.region == region]
        return missing if any("materials" in p.aspects for p in pool) else [MISSING["materials"], *missing]

    def _measure(self, topic: str) -> None:
        self.answer.topics_answered.append(topic)
        regions = self._target_regions()
        area = self._floor_area(regions) if topic == "land" else None
        if area:
            self.answer.parts.append(area)
        side_by_side = len(regions) > 1
        found = False
        for region in regions:
            pool = self._applies(self._points(topic, region))
            points = self._by_aspect(pool)
            if not points and topic == "statistics" and self._after_entry():
                points = pool  # "进了项目库以后，企业还要做啥？有啥好处": the duty, whatever else is asked
            if points:
                found = True
                self.answer.parts.append(self._rule_part(points, label=f"{self.kb.short_region(region)}：" if side_by_side else ""))
        if not found and len(self.regions) > 1 and self.kinds.get(topic) != "incentive" and topic != "tax":
            # "六安和广西的技改项目都要多久审批完": each document's silence, and its nearest rule
            self.answer.parts.extend(self._deferral(topic, region=region) for region in regions)
        elif not found:
            self.answer.parts.append(self._deferral(topic))
        elif side_by_side:
            self.answer.ask_region = True

    def _floor_area(self, regions: List[str]) -> Optional[Part]:
        """“原来厂房总建筑面积1万平米，想加盖1800平米”: the share added against the document's cap on
        added floor area (the figure whose name holds 建筑面积), and the area the cap allows."""
        areas = [(m.start(), (chinese_number(m.group(1)) or 0.0) * (10000 if m.group(2) else 1), m.group(1) + (m.group(2) or ""))
                 for m in re.finditer(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千零]+)\s*(万)?\s*(?:平方米|平米|平方|㎡|m2|平(?![台均衡安整稳时常]))",
                                      self.q.text)]
        figure = next((f for r in regions for f in self.kb.figures(r)
                       if "建筑面积" in f.name and f.unit == "%" and f.value is not None), None)
        if figure is None:
            return None
        if len(areas) == 1 and re.search(r"最多|多少|几", self.q.text):
            # "原厂区总建筑面积两万平方米…最多加多少平还能不交土地出让金": the cap on the area said
            _, original, said = areas[0]
            cap = figure.value / 100
            return Part("compute", [f"最多可增加 {said}平方米 × {pct(cap)} = {num(tax.money(original * cap))}平方米"
                                    f"（增加的建筑面积不超过原总建筑面积的{pct(cap)}）。"], [figure.citation])
        if len(areas) != 2:
            return None
        (_, original, original_said), (_, added, added_said) = sorted(areas)
        if not original:
            return None
        share, cap = added / original, figure.value / 100
        allowed = tax.money(original * cap)
        verdict = "未超过" if share <= cap + 1e-9 else "超过"
        line = (f"增加的建筑面积比例 = {added_said} ÷ {original_said} = {pct(share)}，{verdict}{pct(cap)}；"
                f"按{pct(cap)}计，最多可增加 {original_said} × {pct(cap)} = {num(allowed)}平方米。")
        lines = [line]
        if verdict == "超过":
            lines.append(f"超过{pct(cap)}的，不符合“可按原用途继续使用土地、不收取土地出让金”的条件；超出后怎么办，"
                         f"文件没有规定，建议咨询{self._contact(figure.region) or '当地工信部门'}。")
            self.answer.offer_handoff = True
        return Part("compute", lines, [figure.citation])

    def _program(self) -> None:
        rule_aspects = {"threshold", "conditions", "who", "exclusions", "timing", "where", "procedure",
                        "materials", "definition", "overview", "rate"}
        if self.q.flags.get("independent_legal_person") is False and "分公司" in self.q.details and any(
                "独立法人" in check.label for r in self._target_regions() for p in self.kb.programs(r) for check in p.checks):
            # "南宁的分公司，不是独立法人，能单独报千企技改吗": the programme's own check settles it
            self.q.details.pop("分公司")
            self.answer.topics_answered.append("program")
            self.answer.start_form = True
            return
        if self.q.trade:
            # "六安的一家建材批发商贸公司，能进市级技改项目库吗": the programmes are for industrial firms
            self.answer.topics_answered.append("program")
            for region in self._target_regions():
                point = next((p for p in self._points("program", region) if p.region == region and "工业企业" in p.text
                              and "who" in p.aspects), None)
                if point:  # the verdict leads, before any award or incentive said beside it
                    self.answer.parts.insert(0, Part("rule", [
                        f"按文件不符合：{point.text}贵企业是{self.q.trade}企业，不属于工业企业。",
                        "如果贵企业另有工业生产业务（由工业企业实施技改），请告诉我，我再帮您判断。"], [point.citation]))
            if any(part.kind == "rule" for part in self.answer.parts):
                return
        facts_given = self._regional_figures()
        # "增长12%，那个15%的要求有没有弹性": the firm's figure beside the rule it names asks about the
        # rule; "刚好两百万整，算达到200万了吗" (a threshold) is the firm's own check
        asks_rule = bool(set(self.q.aspects) & rule_aspects or self.q.details) \
            and (not facts_given or bool(self.q.rule_mentions) and self.q.aspect == "conditions") \
            and not (self.q.case_question and self.q.aspect in (None, "conditions", "threshold", "who")
                     and not self.q.details  # "被列入失信名单能报吗": a detail the form cannot settle
                     and not ("definition" in self.q.aspects and _defined_term(self.q.text)))
        others = [t for t in self.q.topics if self.kinds.get(t) in REGIONAL_TOPIC_KINDS
                  and t not in PROGRAM_FAMILY and t not in ("directions", "awards")]
        if others and self.q.yes_no and not self.q.case_question and not asks_rule and not facts_given:
            return  # "千企技改对今年就能投产的项目有没有倾斜": the priority points answer it, not the form
        if "benefit" in self.q.aspects:
            self._benefits()  # "能不能进项目库？进了之后有没有钱": what entry brings, beside the check
            if not facts_given:
                return
        if asks_rule and self.q.case_question and (self.q.flags or facts_given):
            # "能不能进市级库？……入库以后按什么频率报统计": the firm's check, the other parts beside it
            self.answer.start_form = True
            return
        if asks_rule and facts_given and self.q.rule_mentions and self.region and _OWN_CHECK_ASKED.search(self.q.text):
            # "产值增长要求15%，我们能增长18%…行吗", "要求是不是完成30%？差好多啊": the rule, then the firm's check on it
            self._measure("program")
            self.answer.start_form = True
            return
        if not asks_rule and self._asks_own_case():
            if "program" in self.q.topics and not (self.q.own_case or self.q.flags or self.q.facts) \
                    and (not self.q.case_question or self.q.towns_named):
                self._conditions_list()  # "南宁的企业能报千企技改吗": the conditions first, then the check's question
            elif "program" in self.q.topics and not (self.q.flags or self.q.facts) \
                    and re.search(r"(?:做|生产|搞|造)[\u4e00-\u9fa5]{1,6}的", self.q.text):
                self._conditions_list()  # "我们做白酒的，在六安，能申报技改项目库吗": what any firm must meet, then the check
            elif "program" in self.q.topics and re.search(r"(?:什么|哪些|啥|哪几个|几个)条件|条件是(?:什么|啥)|有(?:什么|哪些|啥)要求",
                                                          self.q.text):
                self._conditions_list()  # "今年技改投了1500万，能进千企技改吗？要什么条件？": both asked
            elif facts_given and not self.q.case_question and set(self.q.aspects) & {"conditions", "rate", "definition"}:
                self._measure("program")  # "只涨12%，没到15%，这个标准能放宽吗": the rule, then the check
            elif "program" in self.q.topics and _SIZE_ASKED.search(self.q.text):
                self._size_rule()  # "是不是只给大企业？我们是中小企业": whom it is for, then the check
            elif self.q.flags.get("above_designated_size") is False and self.q.flags.get("above_size_after_project"):
                self._size_rule(lead="可以（规模这一条满足）：")  # "还没上规，搞完技改以后预计能上规，能不能报": the rule says so
            elif "priority" in self.q.topics and _WAIVER_ASKED.search(self.q.text):
                # "是不是小巨人就能直接进千企技改，不用看投资额了": priority is not a waiver — the point, then the check
                for region in self._target_regions():
                    point = next((p for p in self._points("priority", region) if p.region == region), None)
                    if point:
                        self.answer.parts.append(Part("rule", [f"不是。{point.text}其他条件仍要满足。"], [point.citation]))
                        self.answer.topics_answered.append("priority")
            self.answer.start_form = True  # the form's (or, outside its rules, a verdict on the facts given)
            return
        if self.q.all_conditions and not self.q.details and "materials" not in self.q.aspects:
            self._conditions_list()  # ("要交哪些材料？给我列个清单": the materials, not the conditions)
            if "timing" in self.q.aspects and len(self._target_regions()) == 1:
                # "入库条件有哪些？这个库是一年一报还是怎么弄的": how the library runs over the years too
                region = self._target_regions()[0]
                timed = [p for p in self._points("program", region) if "timing" in p.aspects and p.region == region
                         and p.topic == "program"]
                if timed:
                    self.answer.parts.append(self._rule_part(timed, limit=1))
            return
        if ("awards" in self.q.topics or self.honors) and not {"threshold", "who"} & set(self.q.aspects):
            return  # "千企技改入选了有多少奖励": the awards part answers it (a threshold asked too: both)
        others = [t for t in self.q.topics if self.kinds.get(t) in REGIONAL_TOPIC_KINDS
                  and t not in PROGRAM_FAMILY and t != "directions"]
        if others and not set(self.q.aspects) & rule_aspects:
            return  # "小巨人，千企技改对我们有没有照顾": the priority points answer it
        self._measure("program")

    def _benefits(self) -> None:
        """“入库以后有什么好处”: what the region's document gives projects in the programme — the
        award and finance points that name the programme's projects — or that it says nothing."""
        self.answer.topics_answered.append("program")
        regions = self._target_regions()
        side_by_side = len(regions) > 1
        for region in regions:
            label = f"{self.kb.short_region(region)}：" if side_by_side else ""
            points = [p for t in BENEFIT_TOPICS for p in self._points(t, region)
                      if any(cue in p.text for cue in PROGRAMME_PROJECT_CUES)]
            if points:  # "有啥好处": a list is asked — the three best, not only the one sharing most words
                chosen = self._ordered(points)[:3]
                chosen.sort(key=points.index)
                self.answer.parts.append(Part("rule", [label + p.text for p in chosen], [p.citation for p in chosen]))
            else:
                self.answer.parts.append(Part("deferral", [
                    f"{label}《{self.kb.document_of_region(region).title}》没有规定入选后可以享受哪些支持。",
                    f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。"]))
        if side_by_side:
            self.answer.ask_region = True

    def _size_rule(self, lead: str = "") -> None:
        """The programme's rule on which firms (by size) may take part, said before the check; `lead` when
        the firm's own case is settled by it (a small firm that will be 规上 after the project)."""
        for region in self._target_regions():
            point = next((p for p in self._points("program", region) if p.region == region and "who" in p.aspects
                          and "规模" in p.text), None)
            if point and lead and not re.search(r"改造后[^，。；]{0,4}(?:可|能)?达到规模以上", point.text):
                continue  # (that region's rule has no such branch: the check decides)
            if point:
                self.answer.parts.append(Part("rule", [f"{lead or '文件对企业规模的要求：'}{point.text}"], [point.citation]))

    def _conditions_list(self) -> None:
        """Every check of the programme(s), numbered, with the clauses they come from."""
        self.answer.topics_answered.append("program")
        regions = self._target_regions()
        for program in [p for r in regions for p in self.kb.programs(r)]:
            document = self.kb.program_document(program.id)
            lines = [f"【{program.name}】的条件："]
            lines += [f"{i}. {check.label}" for i, check in enumerate(program.checks, 1)]
            clauses = "、".join(dict.fromkeys(check.clause for check in program.checks))
            cite = Citation(document.title, clauses, "", document.id, document.status)
            self.answer.parts.append(Part("rule", lines, [cite]))
        if len(regions) > 1:
            self.answer.ask_region = True

    def _awards(self) -> None:
        honors = list(self.honors)
        regions = self._target_regions()
        if set(self.q.aspects) & {"materials", "procedure", "timing", "where"} and honors and "amount" not in self.q.aspects \
                and not any(_title_core(h) in self.q.text for h in honors):
            honors = []  # "好的谢谢，那这个钱找哪个部门申请": the titles of the turn before are not priced again
        if not honors and self.state.honors and _builds_a_title(self.q) and "amount" in self.q.aspects:
            # "准备建个省级数字化车间…建成了有奖励吗": the title the project would be newly recognised as
            honors = list(self.state.honors)
            self.answer.parts.append(Part("rule", [f"建成后被新认定为{'、'.join(honors)}的，按新认定的称号奖励（入库与认定是两回事）："]))
        if self.q.details and not honors:
            points = [p for r in regions for p in self._points("awards", r)]
            if points and self._details_missing(points) == list(self.q.details):
                near = self._detail_near(list(self.q.details))
                if len(regions) > 1 and not near:  # "奖补到现在还没到账" with no region: neither document says
                    self.answer.parts.append(Part("deferral", [
                        f"{self._regional_documents()}都没有规定{'、'.join(self.q.details)}。",
                        f"建议咨询{self._who('awards', None)}。需要的话我可以帮您转人工。"]))
                    return
                self.answer.parts.append(self._detail_deferral(list(self.q.details), near or points[0], ""))
                return
        if self.q.flags.get("above_designated_size") is False and not honors and not self.q.details:
            below = [part for part in (self._below_size_awards(r, len(regions) > 1) for r in regions) if part]
            if below:  # "我们不是规上企业，能申请六安的技改奖补吗": who the programme is for, not the list
                self.answer.parts.extend(below)
                return
        practical = set(self.q.aspects) & {"materials", "procedure", "timing", "where"}
        if "interaction" in self.q.aspects and "amount" not in self.q.aspects:
            practical.add("interaction")  # "六安的技改奖补能和省里的叠加吗": whether they stack, not the list
        if practical and not self.q.details:
            covered = [p for r in regions for p in self._points("awards", r) if practical & set(p.aspects)]
            if not covered:
                # "什么时候发", "要交什么材料": the files do not say; the amounts still answer the titles named
                if honors:
                    self._award_parts(regions, honors)
                asked = next(a for a in self.q.aspects if a in practical)
                self.answer.parts.append(self._deferral("awards", asked))
                return
            # "想拿六安的技改奖补，第一步该干嘛": the points that say how, then any title's amount beside them
            self.answer.parts.append(self._rule_part(covered, limit=2))
            if honors:
                self._award_parts(regions, honors)
            after_entry = "statistics" in self.q.topics and self._after_entry()  # "进了库以后还要干点啥": its duties answer it
            if "procedure" in practical and not after_entry and not any(w in p.text for p in covered for w in PROCEDURE_WORDS):
                self.answer.parts.append(self._deferral("awards", "procedure"))  # a precondition is not the process
            uncovered = [a for a in self.q.aspects if a in practical - {"procedure"}
                         and not any(a in p.aspects for p in covered)]
            if uncovered:  # "要准备哪些材料，交给谁": the part no point covers is deferred too
                self.answer.parts.append(self._deferral("awards", uncovered[0]))
            return
        if not honors and "amount" in self.q.aspects and re.search(r"入库|进库|项目库|入了库|进了库", self.q.text):
            self._entry_is_no_award(regions)  # "进了项目库能拿多少钱": entry itself is priced nowhere
        self._award_parts(regions, honors)
        if honors and re.search(r"(?:先|要|得|必须|需要)[^，。？?]{0,4}(?:进|入|纳入)[^，。？?]{0,8}(?:项目库|库)|(?:入库|进库|项目库)[^，。？?]{0,4}"
                                r"(?:吗|前提|才能)|前提", self.q.text):
            # "示范项目奖励要先进市级技改项目库吗": the library comes first, by the point that says so
            for region in regions:
                point = next((p for p in self._points("awards", region) if p.region == region and "前提" in p.text), None)
                if point and point.text not in self._shown():
                    self.answer.parts.append(Part("rule", [point.text], [point.citation]))

    def _below_size_awards(self, region: str, labelled: bool) -> Optional[Part]:
        """A firm not yet 规上 asking for a region's awards: whom the programme is for, and (where entry to the
        library comes first) that the awards go through the library."""
        label = f"{self.kb.short_region(region)}：" if labelled else ""
        who = next((p for p in self._points("program", region) if p.region == region and "who" in p.aspects), None)
        if who is None:
            return None
        first = next((n for n in self.kb.award_notes(region) if "前提" in n.text), None)
        if first:
            return Part("rule", [f"{label}{'不能。' if self.q.yes_no else ''}还不是规上企业的，按文件拿不到这里的技改财政奖补：{first.text}{who.text}"],
                        dedupe([who.citation, first.citation]))
        notes = [n for n in self.kb.award_notes(region)]
        return Part("rule", [f"{label}{who.text}", *(n.text for n in notes[:1])],
                    dedupe([who.citation, *(n.citation for n in notes[:1])]))

    def _entry_is_no_award(self, regions: List[str]) -> None:
        for region in regions:
            point = next((p for p in self._points("awards", region) if p.region == region and "前提" in p.text), None)
            if point:
                self.answer.parts.append(Part("rule", [
                    f"《{self.kb.document_of_region(region).title}》没有规定入库本身的奖励金额。{point.text}奖补按下面的项目和称号计发："],
                    [point.citation]))

    def _award_parts(self, regions: List[str], honors: List[str]) -> None:
        side_by_side = len(regions) > 1
        for region in regions:
            label = f"{self.kb.short_region(region)}：" if side_by_side else ""
            schedule = self.kb.awards(region)
            unlisted_titles = self._titles_unlisted(region, label)
            if unlisted_titles:
                self.answer.parts.append(unlisted_titles)
                if not honors:
                    continue
            levels = {a.level for a in schedule if a.level}
            # "评上了县级数字化车间" (the title read without its level): the level said is the title's
            honors = [f"县级{h}" if not h.startswith(("国家级", "省级", "市级", "县级")) and f"县级{h}" in self.q.text else h
                      for h in honors]
            beyond = [h for h in honors if h.startswith(("国家级", "县级")) and h[:3] not in levels and h[:2] not in levels
                      and levels]
            if beyond:
                # "去年评上了国家级绿色工厂，市里给不给奖励": the schedule has no such level — said, with
                # the amounts it has for the same kind of title
                document = self.kb.document_of_region(region)
                cores = [h[3:] if h.startswith("国家级") else h[2:] for h in beyond]
                same = [a for a in schedule if any(a.honor.endswith(c) for c in cores)]
                shown = "；".join(f"{a.honor}{num(a.amount_wan)}万元" for a in same if a.amount_wan is not None)
                said_level = beyond[0][:3] if beyond[0].startswith("国家级") else beyond[0][:2]
                self.answer.parts.append(Part("deferral", [
                    f"{label}《{document.title}》没有规定{said_level}称号（{beyond[0]}）的奖励，只列出了"
                    f"{'、'.join(dict.fromkeys(a.level for a in schedule if a.level))}称号" + (f"：{shown}。" if shown else "。"),
                    f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。"],
                    [same[0].citation if same else schedule[-1].citation]))
                self.answer.offer_handoff = True
                honors = [h for h in honors if h not in beyond]
                if not honors:
                    continue
            again = re.search(r"每年都|年年|每年能|每年可以|每年还|再领一次|还能再领|再拿一次|还能再拿|再奖一次|能不能再领|还能领吗|还能再要", self.q.text)
            note = next((n for n in self.kb.award_notes(region) if "新认定" in n.text), None)
            if honors and schedule and again and note:
                # "前年就已经是省级智能工厂了，今年还能再领一次50万吗？是不是每年都有"
                self.answer.parts.append(Part("rule", [
                    f"{label}不是每年都有：文件奖励的是“新认定”的称号，每个称号一份；已经认定过的称号以后每年能否再奖，"
                    f"文件没有规定，请向{self._contact(region) or '当地工信部门'}确认。下面是该称号新认定时的奖励："], [note.citation]))
                self.answer.offer_handoff = True
            if honors and schedule:
                amounts = self._award_amounts(region, honors, label)
                if self.paid_honors:
                    amounts.lines.insert(0, f"{label}{'、'.join(self.paid_honors)}的奖励您说已经领过，不再计入；今年新认定的：")
                self.answer.parts.append(amounts)
                if unlisted_titles and any(w in self.q.text for w in _TOTAL_WORDS):
                    # "省级专精特新…又拿了省级数字化车间，一共能奖多少": the sum the document settles, and what it leaves out
                    found = [float(m[1]) for line in amounts.lines for m in [re.fullmatch(r"[^：]+：(\d+(?:\.\d+)?)万元", line)] if m]
                    left = re.findall(r"没有“([^”]+)”", unlisted_titles.lines[0])
                    if found and left and not any(line.startswith("合计") for line in amounts.lines):
                        amounts.lines.append(f"按文件能确定的合计：{' + '.join(num(v) for v in found)} = {num(sum(found))}万元"
                                             f"（{'、'.join(left)}文件没有规定奖励，不计入）。" if len(found) > 1 else
                                             f"按文件能确定的合计：{num(sum(found))}万元（{'、'.join(left)}文件没有规定奖励，不计入）。")
            elif not schedule:
                points = self._points("awards", region)
                amount_points = [p for p in points if "amount" in p.aspects] or points
                if amount_points:
                    self.answer.parts.append(self._rule_part(amount_points, 1, label))
                heard = self._other_regions_award(region)
                if heard:
                    self.answer.parts.append(heard)
            else:
                points = self._by_aspect(self._points("awards", region))
                levels = {a.level for a in schedule if a.level}
                unlisted = [w for w in ("国家级", "省级", "市级", "县级") if w in self.q.text and w not in levels
                            and not denied_at(self.q.text, self.q.text.find(w))]
                unlisted += [w for w in self.q.levels_before if w not in levels and not honors]
                open_ended = [a for a in schedule if a.amount_wan is None
                              and any(w and w in self.q.text for w in (a.basis, a.category, a.honor))]
                if open_ended and self.q.aspect in ("amount", "rate", None):
                    # "一事一议一般能给多少钱？有没有个比例": the document sets no amount for it
                    award, document = open_ended[0], self.kb.document_of_region(region)
                    self.answer.parts.append(Part("deferral", [
                        f"{label}{award.honor}纳入“{award.basis}”支持范围（资金从{award.funding}列支），"
                        f"《{document.title}》没有规定具体金额或比例。",
                        f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。"],
                        [award.citation]))
                    self.answer.offer_handoff = True
                elif unlisted and levels:
                    # "评上了国家级智能制造示范工厂，市里奖多少": the schedule has no such level
                    document, shown = self.kb.document_of_region(region), self._schedule(region, "", named_only=True)
                    self.answer.parts.append(Part("deferral", [
                        f"{label}《{document.title}》没有规定{unlisted[0]}称号的奖励，只列出了"
                        f"{'、'.join(dict.fromkeys(a.level for a in schedule if a.level))}称号：",
                        *shown.lines,
                        f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。"],
                        shown.citations))
                    self.answer.offer_handoff = True
                elif self.q.aspect in ("amount", None) or {"amount", "compute"} & set(self.q.aspects) or not points:
                    # ("税能少多少？市里的技改奖补我们能拿吗": the tax's compute asks the awards' amounts too)
                    if re.search(r"没进|不进|没入|不入|没纳入|直接申请|直接申报|直接拿", self.q.text) and re.search(r"项目库|入库|进库", self.q.text):
                        # "项目没进项目库，能不能直接申请市里的技改财政奖补": the library comes first
                        first = [n for n in self.kb.award_notes(region) if "前提" in n.text]
                        if first:
                            self.answer.parts.append(Part("rule", [f"{label}不能：{first[0].text}"], [first[0].citation]))
                    if self.q.own_case and "fixed_asset_investment_wan" in self.q.facts:
                        # "投三百万，市里有补贴吗？补多少": what the project itself gets first, then the titles' list
                        self.answer.parts.append(self._project_award_notes(region, label))
                    elif self.q.own_case and self.q.yes_no and not honors:
                        # "市里的技改奖补我们能拿吗": what it turns on (the library, a newly recognised title)
                        notes = [n for n in self.kb.award_notes(region) if "前提" in n.text or "新认定" in n.text]
                        if notes:
                            self.answer.parts.append(Part("rule", [f"{label}能不能拿，看两点：" + "".join(
                                n.text for n in sorted(notes, key=lambda n: "前提" not in n.text))],
                                [n.citation for n in notes]))
                    self.answer.parts.append(self._schedule(region, label))
                else:
                    self.answer.parts.append(self._rule_part(points, label=label))
        if side_by_side:
            self.answer.ask_region = True

    def _award_amounts(self, region: str, honors: List[str], label: str) -> Part:
        names = [a.honor for a in self.kb.awards(region)]
        unlevelled = [h for h in honors if h not in names and not self.kb.resolve_honor(h)
                      and any(name.endswith(h) for name in names)]
        if unlevelled:  # "工业设计中心奖励": every level the schedule has, and the question which one
            return self._award_levels(region, unlevelled, label)
        try:
            result = award_calc.calculate(region, honors, kb=self.kb)
        except PolicyKBError:
            # "国家级智能工厂奖多少": a title the schedule does not list; the document says nothing of it
            unknown = [h for h in honors if h not in names]
            document = self.kb.document_of_region(region)
            return Part("deferral", [
                f"{label}《{document.title}》没有规定{'、'.join(unknown) or '这个称号'}的奖励；"
                f"文件列出的称号有：{'、'.join(dict.fromkeys(names))}。",
                f"建议咨询{self._contact(region) or '当地工信部门'}。需要的话我可以帮您转人工。"])
        lines = []
        single = projects_counted(self.q.text) if len(result.items) == 1 else None
        counts = {item.honor: title_count(self.q.text, item.honor) or self.state.honor_counts.get(item.honor) or (single or 1)
                  for item in result.items}
        for item in result.items:
            amount = f"{num(item.amount_wan)}万元" if item.amount_wan is not None else "一事一议，文件没有规定具体金额"
            lines.append(f"{label}{item.honor}：{amount}")
            count = counts[item.honor]
            if count > 1 and item.amount_wan is not None:
                # "两个项目都被评为市级技改示范项目", "市级数字化车间2个": one award per title, so each
                lines[-1] = f"{label}{item.honor}：每个{amount}；{num(count)}个：" \
                            f"{num(item.amount_wan)} × {num(count)} = {num(item.amount_wan * count)}万元"
        asks_total = any(word in self.q.text for word in _TOTAL_WORDS)
        priced = [i for i in result.items if i.amount_wan is not None]
        if len(priced) == 2 and any(word in self.q.text for word in _DIFFERENCE_WORDS) and not asks_total:
            high, low = sorted(priced, key=lambda i: i.amount_wan, reverse=True)  # "智能工厂和数字化车间奖励差多少"
            lines.append(f"{label}相差：{num(high.amount_wan)} − {num(low.amount_wan)} = "
                         f"{num(high.amount_wan - low.amount_wan)}万元（{high.honor}多）")
        elif len(priced) > 1 and (not self.q.details or asks_total or "amount" in self.q.aspects) \
                and (asks_total or not _one_title_at_levels(priced)):  # ("能拿多少钱？啥时候发？": the sum, and the date deferred)
            each = [i.amount_wan * counts[i.honor] for i in priced]
            parts = " + ".join(num(a) for a in each)
            lines.append(f"{label}合计：{parts} = {num(sum(each))}万元")
        awards = {a.honor: a for a in self.kb.awards(region)}
        first = awards[result.items[0].honor] if result.items else None
        cites = [first.citation] if first else []
        lines += result.notes[:1]
        if any(item.amount_wan is None for item in result.items):
            # "一事一议最多能支持多少钱": the amount is decided case by case; who decides it
            lines.append(f"{label}具体支持额度请咨询{self._contact(region) or self._who('awards', None)}。")
            self.answer.offer_handoff = True
        # "钱什么时候到账": what the schedule's clauses do not say about it, said for this region too
        missing = self._details_missing(self._points("awards", region))
        if missing:
            scope = f"《{self.kb.document_of_region(region).title}》"
            who = self._contact(region) or self._who("awards", None)
            if any("税" in detail for detail in missing):  # "这笔奖励收到以后要不要交企业所得税": the tax office's
                scope, who = f"{scope}和国家税收优惠政策摘要都", self._who("tax", None)
            lines.append(f"{label}{scope}没有规定{'、'.join(missing)}，建议咨询{who}。")
            self.answer.offer_handoff = True
        return Part("awards", [line for line in lines if line], cites)

    def _award_levels(self, region: str, honors: List[str], label: str) -> Part:
        awards = [a for a in self.kb.awards(region) if any(a.honor.endswith(h) for h in honors)]
        items = "；".join(f"{a.honor}{num(a.amount_wan)}万元" for a in awards if a.amount_wan is not None)
        lines, cites = [f"{label}{items}。"], [awards[-1].citation]
        each = next((n for n in self.kb.award_notes(region) if "每个称号一份" in n.text), None)
        if each and re.search(r"同时|都拿|都能拿|都可以拿|能不能都|两个都|都评上|叠加|重复", self.q.text):
            lines.insert(0, f"{label}可以：{each.text}")  # "绿色工厂和数字化车间能不能同时申报？奖励能不能都拿"
            cites.insert(0, each.citation)
        return Part("awards", [*lines, "请问是哪一级的称号？"], cites)

    def _other_regions_award(self, region: str) -> Optional[Part]:
        """“南宁的企业，听说新认定省级绿色工厂有20万奖励”: the figure heard is another region's award."""
        said = set(self.q.facts.get("other_amounts") or [])
        for other in self.kb.regions():
            if other in (region, NATIONAL_REGION):
                continue
            heard = next((a for a in self.kb.awards(other) if a.amount_wan in said and a.category
                          and a.category in self.q.text), None)
            if heard:
                name = self.kb.short_region(other)
                document = self.kb.document_of_region(other)
                return Part("rule", [f"您听说的“{heard.honor}奖励{num(heard.amount_wan)}万元”是《{document.title}》的规定，"
                                     f"只适用于{name}的企业；{self.kb.short_region(region)}的企业不能按它领取。"], [heard.citation])
        return None

    def _project_award_notes(self, region: str, label: str) -> Part:
        """“技改投了1500万，市里能奖多少”: what the schedule says of a project without a title — no
        amount by investment, and the project library as the precondition."""
        notes = [n for n in self.kb.award_notes(region) if "未规定" in n.text or "前提" in n.text]
        invested = num(self.q.facts["fixed_asset_investment_wan"])
        lines = [f"{label}项目本身（投资{invested}万元）按投资额能得多少，文件没有规定。"]
        lines += [f"{label}{n.text}" for n in notes]
        lines.append(f"{label}文件规定的固定金额是按新认定的称号计发的（项目或企业评上才有）：")
        return Part("rule", lines, [n.citation for n in notes])

    def _schedule(self, region: str, label: str, named_only: bool = False) -> Part:
        """The region's award list; `named_only`: just the kinds of title the question names, when it names one
        (“企业技术中心国家级奖多少”: the centre's levels, not the whole list)."""
        schedule = self.kb.awards(region)
        if named_only:
            named = [a for a in schedule if _title_core(a.honor) in self.q.text]
            schedule = named or schedule
        items = [f"{a.honor}{num(a.amount_wan)}万元" if a.amount_wan is not None
                 else f"{a.honor}一事一议" for a in schedule]
        line = f"{label}每个新认定称号的奖励：" + "；".join(items) + "。"
        return Part("awards", [line], dedupe(a.citation for a in schedule))

    # --- tax -----------------------------------------------------------------------------

    def _other_costs_cap(self) -> Optional[Part]:
        """“其他五项加起来900万，其他相关费用最多能算多少”: the cap on 其他相关费用, from the KB's ratio."""
        five = self.q.facts.get("rd_five_wan")
        if five is None or "rd_expense_wan" in self.q.facts:
            return None
        ratio, cap = self._other_costs_limit(five)
        return Part("compute", [f"其他相关费用限额 = 其他五项 {num(five)} × {pct(ratio.value)} ÷ (1 − {pct(ratio.value)}) = "
                                f"{num(cap)}万元；实际发生的其他相关费用超过{num(cap)}万元的部分不计入加计扣除。"], [ratio.citation])

    def _other_costs_limit(self, five: float) -> tuple:
        """(the KB's ratio parameter, the cap on 其他相关费用 for the other five items' total)."""
        ratio = self.kb.parameter("rd-super-deduction", "other_costs_cap_ratio")
        return ratio, tax.money(five * ratio.value / (1 - ratio.value))

    def _vat_refund(self) -> Optional[Part]:
        """“增量留抵税额100万，进项构成比例90%，能退多少”: by the point's formula, with the user's figures."""
        increment, ratio = self.q.facts.get("vat_refund_increment_wan"), self.q.facts.get("input_ratio_pct")
        point = next((p for p in self.kb.points(None, "advanced-manufacturing-vat-credit") if "进项构成比例" in p.text), None)
        if increment is None or point is None:
            return None
        if ratio is None:
            return Part("rule", [point.text, "告诉我进项构成比例，我帮您算出可退的金额。"], [point.citation])
        refund = tax.money(increment * ratio / 100)
        return Part("compute", [f"允许退还的增量留抵税额 = {num(increment)} × {num(ratio)}% = {num(refund)}万元。", point.text],
                    [point.citation])

    def _tax(self, incentives: List[str]) -> None:
        firms = self._per_firm_estimates(incentives)
        if firms:  # "一家做家具制造，一家做建材批发…制造那家300万，批发那家100万": each firm on its own
            self.answer.parts.extend(firms)
            return
        refund = self._vat_refund()
        if refund and set(self.q.tax_facts()) - {"vat_refund_increment_wan"}:
            # "增量留抵税额有三百万，能退多少？另外研发费用一百万能省多少所得税": the refund, then the rest
            self.answer.parts.append(refund)
            self.q.facts.pop("vat_refund_increment_wan")
            incentives = [t for t in incentives if t != "advanced-manufacturing-vat-credit"] or incentives
            refund = None
        for special in (self._other_costs_cap(), refund):
            if special:  # computed from the firm's figures by a rule the KB states
                self.answer.parts.append(special)
                return
        for role, amounts in self.q.summed.items():  # "所得分别是300万和400万": the year's total first
            name = {"tech_transfer_income_wan": "技术转让所得", "rd_expense_wan": "研发费用"}[role]
            if role == "tech_transfer_income_wan" and {"transfer_cost_wan", "transfer_taxes_wan"} & set(self.q.facts):
                name = "技术转让收入"  # "一个400万一个300万，成本加起来200万": the contracts' income, costs after
            threshold = self.kb.parameter("tech-transfer-exemption", "exempt_threshold_wan").value
            why = f"（{num(threshold)}万元的免税额按一个纳税年度内所有技术转让合计）" if role == "tech_transfer_income_wan" else ""
            self.answer.parts.append(Part("compute", [
                f"{name}合计：{' + '.join(num(a) for a in amounts)} = {num(sum(amounts))}万元{why}。"]))
        first = len(self.answer.parts)
        self._tax_parts(incentives)
        year = self._deduction_year([*incentives, *self.q.topics])
        if year:
            self.answer.parts.insert(first, year)  # "在哪一年扣": the year asked leads

    def _per_firm_estimates(self, incentives: List[str]) -> List[Part]:
        """The R&D estimate of each firm a message lists with its own figure (“制造那家300万，批发那家
        100万”), a firm on the negative list said as such; [] unless every firm listed has one."""
        if "rd-super-deduction" not in incentives or len(self.q.firms) < 2:
            return []
        said = re.findall(r"([\u4e00-\u9fa5]{1,4}?)(?:那家|那个|的那家)(?:公司|厂)?(?:的)?(?:研发费用|研发)?(?:是|有|花了|投了|大概)?"
                          r"(\d+(?:\.\d+)?)万", self.q.text)
        amounts = []
        for name, _industry in self.q.firms:
            hit = [float(value) for key, value in said if key[-2:] in name]
            if len(hit) != 1:
                return []
            amounts.append(hit[0])
        rates = {k: v for k, v in self.q.facts.items() if k in ("income_tax_rate_pct",)}
        parts: List[Part] = []
        for (name, industry), amount in zip(self.q.firms, amounts, strict=True):
            label = re.sub(r"[（(][^）)]*[）)]", "", name).removeprefix("是").removeprefix("做").strip().removesuffix("的") + "那家"
            one = dataclasses.replace(self.q, text=f"{name}，研发费用{num(amount)}万元", firms=[], summed={},
                                      facts={"rd_expense_wan": amount, **rates}, industry=industry,
                                      topics=["rd-super-deduction"], aspects=["compute"])
            planner = _Planner(one, self.state, self.kb)
            planner._tax(["rd-super-deduction"])
            for part in planner.answer.parts:
                lines = [line for line in part.lines if line]
                if part.kind == "compute" and lines:
                    lines[0] = f"{label}（研发费用{num(amount)}万元）：{lines[0].lstrip('• ')}"
                parts.append(Part(part.kind, lines, part.citations))
        return parts

    def _practical_beside_estimate(self, incentives: List[str]) -> None:
        """“400万的设备选了一次性扣除，要留存哪些东西？” / “付了个人20万，要拿什么凭证”: the figures
        say what the firm gets; the point that says what to keep, do or where to go answers the question."""
        commissioned = {"rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan"} & set(self.q.facts)
        if commissioned and re.search(r"(?:大学|高校|受托方|对方|学校|研究所|研究院|他们)(?:那边|那里)?(?:也)?(?:能|可以)(?:不能)?(?:扣|加计|享受)",
                                      self.q.text):
            # "委托大学做了个项目…大学那边也能扣吗": the contractor cannot claim the same cost
            point = next((p for p in self.kb.points(None, tax.RD) if "受托方不得" in p.text), None)
            if point and point.text not in self._shown():
                self.answer.parts.append(Part("rule", [point.text], [point.citation]))
        # (the year is computed; a prepayment asked — "7月份预缴能不能先扣" — is the claiming's timing)
        practical = [a for a in self.q.aspects if a in _PRACTICAL and (a != "timing" or re.search(r"预缴|汇算|季度", self.q.text))]
        topics = [t for t in dict.fromkeys([*incentives, *self.q.topics]) if self.kinds.get(t) == "incentive"]
        if not practical or not topics:
            return
        shown = self._shown()
        pool = [p for t in topics for p in self.kb.points(None, t) if p.text not in shown
                and (set(practical) & set(p.aspects) or "materials" in practical and _KEPT_WORDS.search(p.text))]
        if not pool:
            return
        scores = self._scores(pool)  # the question's own words first, the aspect's own points next
        roles = [word for key, word in _ROLE_WORDS.items() if key in self.q.facts]  # "委托" for commissioned R&D
        foreign = bool(re.search(r"境外|国外|海外|外国", self.q.text))  # a point about foreign work only then
        best = max(range(len(pool)), key=lambda i: (
            scores[i] + (0.6 if set(practical) & set(pool[i].aspects) else 0.0)
            + (0.5 if any(word in pool[i].text for word in roles) else 0.0)
            - (1.0 if "境外" in pool[i].text and not foreign else 0.0), -i))
        self.answer.parts.append(Part("rule", [pool[best].text], [pool[best].citation]))

    def _import_only(self) -> bool:
        """Equipment said only as goods to import (no income-tax incentive named, no special purpose)."""
        q = self.q
        if IMPORT_EXEMPTION not in q.topics or not q.facts.get("equipment") or set(q.tax_facts()) != {"equipment"}:
            return False
        named = {t for t in q.topics if self.kinds.get(t) == "incentive"} - {IMPORT_EXEMPTION, "tax-claiming"}
        return not named and not any(e.get("special_purpose") for e in q.facts["equipment"])

    def _rules_beside_estimate(self, incentives: List[str]) -> None:
        """“设备买了300万能不能一次性扣除；研发费用加计扣除比例是多少”: an incentive asked about
        with none of its figures is answered by its rule for the aspect asked, beside the estimate."""
        shown = self._shown()
        for topic in incentives:  # "…能少交多少税？还有大学那边还能不能就这笔钱再加计扣除": asked beside it
            asked = [p for p in self._asked(self._applies(self.kb.points(None, topic))) if p.text not in shown]
            asked.sort(key=lambda p: p.applies_to is None)  # the firm's own kind's rule first (220%, not 200%)
            if asked:
                self.answer.parts.append(self._rule_part(asked, limit=1))
                shown = self._shown()
        rule_aspects = set(self.q.aspects) - {"compute", "amount", "overview", "benefit"}
        if not rule_aspects:
            return
        for topic in incentives:
            keys = _TOPIC_FACTS.get(topic)
            interaction = "interaction" in rule_aspects and any(
                "interaction" in p.aspects for p in self.kb.points(None, topic))  # "高新15%和小微的优惠能不能叠加"
            if (not keys or set(keys) & set(self.q.facts)) and not interaction:
                continue
            points = [p for p in self._by_aspect(self._applies(self.kb.points(None, topic))) if p.text not in shown]
            if points:
                self.answer.parts.append(self._rule_part(points, limit=1))

    def _deduction_year(self, topics: List[str]) -> Optional[Part]:
        """“2025年12月买的，当月就用上了，算哪一年”: the year the one-time deduction falls in, by
        the rule that it is taken in the year of the month after the equipment is put to use."""
        in_use_said = "in_use_month" in self.q.facts and bool(self.q.facts.get("equipment"))
        if "equipment-one-time-deduction" not in topics and not in_use_said:
            return None
        used = _month_put_to_use(self.q.text) or self._month_in_use()
        point = next((p for p in self.kb.points(None, "equipment-one-time-deduction") if "次月所属年度" in p.text), None)
        if not used or not point:
            return None
        year, month = used
        after = (year + 1, 1) if month == 12 else (year, month + 1)
        which = "即次年" if after[0] > year else "即投入使用的当年度"
        return Part("timing", [f"设备{year}年{month}月投入使用，次月是{after[0]}年{after[1]}月，"
                               f"一次性扣除计入{after[0]}年度（{which}；在投入使用月份的次月所属年度扣除）。"], [point.citation])

    def _month_in_use(self) -> Optional[tuple]:
        """(year, month) from the facts: “今年12月底就投入使用了”, or a follow-up “那如果是11月投入
        使用呢” after the year was said."""
        month = self.q.facts.get("in_use_month")
        if month is None:
            return None
        year = self.q.facts.get("in_use_year")
        bought = [e["year"] for e in self.q.facts.get("equipment") or [] if e.get("year")]
        if year is None and "in_use_year_rel" not in self.q.facts and len(set(bought)) == 1:
            year = bought[0]  # "2025年11月底到的机床" then "要是11月当月就投入使用了呢": that year's November
        if year is None:
            year = self.state.today.year + self.q.facts.get("in_use_year_rel", 0.0)
        return int(year), int(month)

    def _how_they_combine(self, together: List[Point]) -> bool:
        """How two incentives combine, before any sum; True when the sources leave it unsettled (then
        who can settle it, and no sum that takes one answer for granted)."""
        self.answer.parts.append(self._rule_part(together, limit=1))
        unsettled = any(p.citation.status != "verified" and "确认" in p.text for p in together[:1])
        if unsettled:
            self.answer.parts.append(Part("deferral", [f"建议咨询{self._who('tax', None)}。需要的话我可以帮您转人工。"]))
        return unsettled

    def _tax_parts(self, incentives: List[str]) -> None:
        q = self.q
        if "interaction" in q.aspects and q.high_tech and "small-low-profit-rate" in q.topics \
                and set(q.tax_facts()) <= {"taxable_income_wan", "staff_count", "total_assets_wan"}:
            # "我们是高新企业…能不能高新15%再叠加小微的优惠": how the two combine, not a sum that assumes it
            together = [p for t in ("high-tech-rate", "small-low-profit-rate") for p in self.kb.points(None, t)
                        if "interaction" in p.aspects]
            if together:
                self._how_they_combine(together)
                return
        if "tech-transfer-exemption" in q.topics and _INCOME_IS_CONTRACT.search(q.text):
            # "技术转让所得是不是就是合同金额": no — what 所得 is, before any estimate
            point = next((p for p in self.kb.points(None, "tech-transfer-exemption") if "不是合同收入" in p.text), None)
            if point:
                self.answer.parts.append(Part("rule", [f"不是。{point.text}"], [point.citation]))
        partly = self._partly_owned_transfer()
        if partly:  # "转让给了持股60%的控股子公司": not a 100% related party
            self.answer.parts.append(partly)
        listed = self._items_verdict(incentives or [t for t in q.topics if self.kinds.get(t) == "incentive"])
        if listed:  # "下面谁能用：1.个体工商户 2.合伙企业 …": each case listed, then the rules that decide
            self.answer.parts.append(listed)
            return
        transfer_revenue = "tech-transfer-exemption" in q.topics and "revenue_wan" in q.facts
        if self._import_only():
            units = q.facts.pop("equipment")  # "要进口一台德国设备，大概800万": the goods' value, not an income-tax basis
            if len(units) == 1 and "customs_value_wan" not in q.facts:
                q.facts["customs_value_wan"] = units[0]["value_wan"]
                self.customs_from_price = True
        fiscal = q.facts.get("fiscal_units_wan")
        if fiscal:  # "另一台100万是拿政府专项拨款买的": that unit is left out of the credit
            point = next((p for p in self.kb.points(None, tax.SPECIAL) if "财政拨款" in p.text), None)
            self.answer.parts.append(Part("rule", [
                f"用财政拨款购置的设备（{'、'.join(num(v) + '万元' for v in fiscal)}）不能享受专用设备投资抵免，不计入下面的估算。"],
                [point.citation] if point else []))
        individual = q.facts.get("rd_foreign_individual_wan")
        if individual:  # "委托国外一个专家个人…给了他100万": not counted at all
            point = next((p for p in self.kb.points(None, tax.RD) if "境外个人" in p.text), None)
            self.answer.parts.append(Part("rule", [f"委托境外个人研发的{num(individual)}万元不能加计扣除，不计入下面的估算。"],
                                          [point.citation] if point else []))
        separate = self._separate_services()
        if separate:
            self.answer.parts.append(separate)
        said_apart = [*(q.facts.get("other_amounts") or []),
                      *(q.facts[k] for k in ("fixed_asset_investment_wan", "investment_this_year_wan") if k in q.facts)]
        if "building" in q.circumstances and q.facts.get("equipment") and said_apart \
                and not {e["value_wan"] for e in q.facts["equipment"]} & set(said_apart):
            # "新建了一栋厂房800万，还买了一台300万的设备": the building is ruled out, the equipment is not
            ruling = [p for t in q.topics if self.kinds.get(t) == "incentive" for p in self.kb.points(None, t)
                      if "building" in p.excludes]
            q.circumstances.remove("building")
            if ruling:
                building = num(said_apart[0])
                self.answer.parts.append(Part("rule", [f"厂房等房屋、建筑物（{building}万元）不适用：{ruling[0].text}"
                                                       "下面只算设备。"], [ruling[0].citation]))
        said, payable = q.facts.get("credit_said_wan"), q.facts.get("tax_payable_wan")
        if said is not None and payable is not None and not q.facts.get("equipment"):
            # "抵免算下来能抵30万，可今年应纳税额只有20万，剩下的怎么办": the year's tax caps the credit
            limit = self._payable_limit(said).strip() or (
                f"当年应纳税额{num(payable)}万元，足够抵免：抵免后应纳 {num(payable)} − {num(said)} = {num(tax.money(payable - said))}万元。")
            point = self._first_point(tax.SPECIAL, "timing") or self._first_point(tax.SPECIAL, "rate")
            self.answer.parts.append(Part("compute", [f"专用设备投资抵免额{num(said)}万元：{limit}"],
                                          [point.citation] if point else []))
            return
        claimed = q.facts.get("credit_claimed_wan")
        taken = claimed or re.search(r"(?:已经|已)?(?:享受了|享受过)[^，。；]{0,8}抵免|(?:已经|已)享受[^，。；]{0,6}抵免|抵免过|已经抵免|已抵免|抵免了", q.text)
        if taken and re.search(r"租给|出租|转让|卖给|卖掉|转手|转卖", q.text):
            # "前年买的节能设备抵免了30万，今年想把它租给兄弟公司用": the credit taken is paid back
            points = [p for p in self.kb.points(None, tax.SPECIAL) if "补缴" in p.text and "转让" in p.text]
            point = next((p for p in points if "停止享受" in p.text), points[0] if points else None)
            if point:
                said = f"这台设备已抵免{num(claimed)}万元：出租或转让的，须补缴已经抵免的{num(claimed)}万元。" if claimed \
                    else "这台设备已经享受过抵免：在上面说的期限内出租或转让的，须补缴已经抵免的税款。"
                self.answer.parts.append(Part("rule", [point.text, said], [point.citation]))
                if not q.tax_facts() and not transfer_revenue:
                    return  # the payback is the answer; the credit's other rules are not asked
        if q.tax_facts() or transfer_revenue:
            if q.ic_not_listed and re.search(r"120%|百分之一百二", q.text) and any(k.startswith("rd_") for k in q.facts):
                # "没进那个集成电路企业清单…也能按120%加计吗": no — the general rate, then the estimate at it
                self.answer.parts.append(self._general_rd_rate())
            self._estimate()
            for part in (self._interest_subsidy(), self._tariff_saved()):
                if part:  # "进口设备完税价格600万，关税5%；另外研发300万": each part its own figure
                    self.answer.parts.append(part)
            both = self._tariff_and_income_tax()
            if both:  # "进口环节能省多少？…加研发一共能省多少": the duty waived and the income tax, summed
                self.answer.parts.append(both)
            self._practical_beside_estimate(incentives)
            self._rules_beside_estimate(incentives)
            if tax.TRANSFER in q.topics and "增值税" in q.text:  # "增值税和企业所得税都能免吗": the VAT side too
                point = next((p for p in self.kb.points(None, tax.TRANSFER) if "免征增值税" in p.text), None)
                if point and point.text not in self._shown():
                    self.answer.parts.append(Part("rule", [point.text], [point.citation]))
            return
        if not incentives:
            incentives = self._incentives_by_rate()
        income = q.facts.get("taxable_income_wan")
        if income is not None and not incentives and set(q.tax_facts()) <= {"taxable_income_wan"} \
                and not (q.high_tech or q.small_profit) and q.facts.get("staff_count") is None \
                and q.facts.get("total_assets_wan") is None:
            # "今年应纳税所得额两百万，所得税交多少": the tax at the rate that applies, by what the firm is
            self.answer.parts.append(self._tax_by_status(income))
            return
        for topic, part in ((INTEREST_SUBSIDY, self._interest_subsidy()), (IMPORT_EXEMPTION, self._tariff_saved())):
            if part:  # "设备更新贷款2000万，一年能贴多少", "完税价格1000万，关税税率5%，能省多少"
                self.answer.parts.append(part)
                incentives = [t for t in incentives if t != topic]
        if not incentives and self.answer.parts:
            return
        income = q.facts.get("taxable_income_wan")
        if income is not None and q.high_tech and not q.small_profit:
            self.answer.parts.append(self._high_tech_tax(income))  # "应纳税所得额2000万，按高新税率少交多少"
            return
        if "interaction" in q.aspects and q.high_tech and "small-low-profit-rate" in incentives \
                and "high-tech-rate" not in incentives:
            incentives = [*incentives, "high-tech-rate"]  # "我们是高新…能不能同时按小微的5%来算"
        if "interaction" in q.aspects and len(incentives) > 1 and "tax-claiming" not in incentives:
            pool = self._applies([p for t in incentives for p in self.kb.points(None, t)])
            together = self._rank([p for p in pool if "interaction" in p.aspects]) or self._by_aspect(pool)
            if together and self._how_they_combine(together):  # "能不能同时按高新15%又享受小微企业那个5%"
                return  # unsettled: no sum that takes one answer for granted
        if "small-low-profit-rate" in incentives:
            check = self._small_profit_check()
            if check:
                self.answer.parts.append(check)
                return
        share = self._share_part() if "rd-super-deduction" in incentives else None
        if share:
            self.answer.parts.append(share)  # "零售收入大概占两成，加计扣除能享受吗": below the line, it can
        if "rd-super-deduction" in incentives and q.ic_not_listed:
            self.answer.parts.append(self._general_rd_rate())
            return
        firms = self._firms_by_industry() if "rd-super-deduction" in incentives else None
        if firms:  # "三家公司：一家卷烟厂，一家连锁酒店，一家汽车零部件制造厂，哪家能享受"
            point = self._first_point("rd-super-deduction", "exclusions")
            self.answer.parts.append(Part("rule", [*firms, point.text if point else ""], [point.citation] if point else []))
            return
        if "rd-super-deduction" in incentives and self._excluded_industry():
            point = self._first_point("rd-super-deduction", "exclusions")
            self.answer.parts.append(Part("rule", [
                f"不能加计扣除。{self._excluded_industry()}在研发费用加计扣除的负面清单上，研发费用只能据实扣除。",
                point.text if point else ""], [point.citation] if point else []))
            return
        if not incentives and set(q.aspects) & {"overview", "benefit"} and not q.details:
            self.answer.parts.append(self._incentive_list())  # "我们企业能享受哪些税收优惠"
            return
        if not incentives:
            self.answer.parts.append(self._deferral("tax"))
            return
        licence_ok = self._licence_meets() if "tech-transfer-exemption" in incentives else None
        if licence_ok:  # "5年期的非独占许可，收的许可费能享受减免吗"
            self.answer.parts.append(licence_ok)
        transfer_barred = self._transfer_barred({}) if "tech-transfer-exemption" in incentives else None
        if transfer_barred:  # "转让给100%控股的母公司，能享受500万免税吗": no figure, the rule that bars it
            self.answer.parts.append(transfer_barred)
            incentives = [t for t in incentives if t != "tech-transfer-exemption"]
            if not incentives:
                return
        barred = self._barred(incentives)
        for topic, point in barred.items():
            self.answer.parts.append(Part("rule", self._barred_lines(topic, point), [point.citation]))
        incentives = [t for t in incentives if t not in barred]
        if not incentives:
            return
        if "tax-claiming" in incentives and set(q.aspects) & {"materials", "procedure"}:
            # "同时享受三项，资料能放一起留存吗": how incentives are claimed answers it first; of one
            # incentive ("研发加计扣除要留存备查，具体要留哪些资料"), its own list does
            others = [t for t in incentives if t != "tax-claiming"]
            together = len(others) != 1 or re.search(r"同时|一起|放一起|几项|多项|都要", q.text)
            incentives = ["tax-claiming", *others] if together else [*others, "tax-claiming"]
        others = [t for t in incentives if t != "tax-claiming"]
        if "tax-claiming" in incentives and len(others) == 1 and incentives[0] == "tax-claiming":
            # "10月预缴的时候能不能先享受研发加计扣除": the incentive's own point on 预缴 answers it first
            own = self._by_aspect(self._applies(self.kb.points(None, others[0])))
            said = [w for w in _CLAIMING_WORDS if w in q.text]
            if said and any(w in p.text for p in own for w in said):
                incentives = [*others, "tax-claiming"]
        together = self._by_aspect([p for t in incentives for p in self.kb.points(None, t)])
        if "interaction" in q.aspects and together and "tax-claiming" not in incentives:
            self.answer.parts.append(self._rule_part(together, limit=1))
            return
        for topic in incentives[:2]:
            pool = self._applies(self.kb.points(None, topic))
            points = self._by_aspect(pool)
            if points:
                self.answer.parts.append(self._rule_part(points, limit=1 if len(incentives) > 1 else 2))
                side = _SIDE_QUESTIONS.get(topic)
                if side and re.search(side[0], q.text) and side[1] not in self._shown():
                    # "先办什么手续？进口环节增值税也一起免吗": the second question, by the point that says it
                    said = next((p for p in pool if side[1] in p.text), None)
                    if said:
                        self.answer.parts.append(Part("rule", [said.text], [said.citation]))
                if "materials" in q.aspects and topic in _INCOME_TAX and "tax-claiming" not in incentives and not any(
                        "留存备查" in p.text or "资料" in p.text for p in points[:2]):
                    # "专用设备抵免要准备哪些资料": the incentive's own point says what counts (发票价税合计);
                    # what is kept is how every income-tax incentive is claimed (留存备查)
                    method = _claiming_method(self.kb.points(None, "tax-claiming"))
                    if method:
                        self.answer.parts.append(self._rule_part(method, limit=1))
            elif pool and self._names_the_topic(topic):
                # "…3有没有贷款贴息": the detail is the incentive itself — its rule, whatever aspect the rest asks
                self.answer.parts.append(Part("rule", [pool[0].text], [pool[0].citation]))
            elif set(q.aspects) & {"procedure", "materials"} and topic in _INCOME_TAX and (
                    "tax-claiming" in incentives or self._by_aspect(self.kb.points(None, "tax-claiming"))):
                # "小型微利企业优惠要不要备案", "专用设备抵免要准备哪些资料": how every income-tax incentive is
                # claimed answers it (自行判别、申报享受、留存备查), not a deferral beside that rule
                if "tax-claiming" not in incentives:
                    claiming = self._by_aspect(self.kb.points(None, "tax-claiming"))
                    self.answer.parts.append(self._rule_part(_claiming_method(claiming) or claiming, limit=1))
            elif not (topic == GENERIC_TAX and len(incentives) > 1):  # "加计扣除预缴能享受吗" is answered by 加计扣除's point
                self.answer.parts.append(self._deferral(topic))
        if q.aspect == "compute":
            self.answer.parts.append(Part("ask_amount", ["告诉我具体金额（例如“研发费用800万”“买了300万的节能设备”），我按公式帮您算。"]))

    def _without_invoice_vat(self, request: Dict[str, Any]) -> Optional[str]:
        """“专票价税合计339万，其中税额39万已经抵扣了进项”: the investment is net of the VAT credited."""
        vat, rate = self.q.facts.get("invoice_vat_wan"), self.q.facts.get("vat_rate_pct")
        if vat is None and "advanced-manufacturing-vat-credit" not in self.q.topics:
            vat = self.q.facts.get("vat_input_wan")  # "价税合计113万（专票，进项13万能抵）": that invoice's VAT
        units = request.get("equipment") or []
        said = self.q.facts.get("equipment") or []
        gross_said = "价税合计" in self.q.text or re.search(r"(?<!不)含税", self.q.text) \
            or len(said) == 1 and said[0].get("gross")
        deducted = re.search(r"抵扣|抵了|可抵|专票", self.q.text) or self.q.facts.get("vat_deducted")
        if len(units) != 1 or not gross_said or "不含税" in self.q.text or not deducted:
            return None
        self.q.facts["vat_deducted"] = True  # (kept for the next turn: "可我们今年应纳所得税只有18万")
        gross = units[0]["value_wan"]
        if vat is None and rate:  # "价税合计339万" … "专票进项已经抵扣了，税率13%"
            units[0]["value_wan"] = tax.money(gross / (1 + rate / 100))
            return (f"专票上的增值税已抵扣，设备金额按不含税计：{num(gross)} ÷ (1 + {num(rate)}%) = "
                    f"{num(units[0]['value_wan'])}万元。")
        if vat is None:
            return None
        units[0]["value_wan"] = tax.money(gross - vat)
        return f"专票上的增值税已抵扣，设备金额按不含税计：{num(gross)} − {num(vat)} = {num(units[0]['value_wan'])}万元。"

    def _gross_left_open(self, request: Dict[str, Any]) -> Optional[str]:
        """“节能设备，含税价113万，能抵多少税”: whether the invoice's VAT is credited is not said, so
        the figure said is used and the rule on the base is shown beside it."""
        units, text = request.get("equipment") or [], self.q.text
        gross_said = "价税合计" in text or re.search(r"(?<!不)含税", text)
        if len(units) != 1 or not gross_said or "不含税" in text or self.q.facts.get("vat_rate_pct"):
            return None
        point = next((p for p in self.kb.points(None, tax.SPECIAL) if "价税合计" in p.text), None)
        if point is None or tax.SPECIAL not in self.q.topics and not units[0].get("purpose"):
            return None
        if re.search(r"(?:进项|增值税|税额)[^，。；）)]{0,4}(?:已经|已)?(?:抵扣|抵了)|已经抵扣|已抵扣|抵扣了", text) \
                and not re.search(r"(?:不能|不可|不可以|没有|没|未|无法|不)(?:抵扣|抵)", text):
            # "价税合计565万（专票，进项已经抵扣了）": the base is the amount without VAT, which the message
            # does not give: no figure on the gross, the tax amount asked for
            gross = units[0]["value_wan"]
            request["equipment"] = []
            return (f"进项已经抵扣的，投资额按不含税金额算，不能按价税合计{num(gross)}万元算；您没有说发票上的税额，"
                    f"告诉我税额（或税率），我算出这台设备的抵免额和一次性扣除。{point.text.split('；')[0]}。")
        if re.search(r"普票|普通发票|小规模", text):  # "小规模纳税人，开的是普票，价税合计226万": nothing credited
            return (f"增值税进项不能抵扣（普通发票/小规模纳税人），投资额按价税合计{num(units[0]['value_wan'])}万元计。"
                    f"{point.text.split('；')[0]}。")
        return (f"下面按您说的含税金额{num(units[0]['value_wan'])}万元计算；如果取得了增值税专用发票、进项可以抵扣，"
                f"投资额按不含税金额算（告诉我税额或税率，我重新算）。{point.text.split('；')[0]}。")

    def _accelerated(self, request: Dict[str, Any]) -> List[str]:
        """“2000万的机器，法定折旧10年，双倍余额递减法头两年各折旧多少” / “缩短到最短年限每年折旧多少”:
        the depreciation by the method asked, from the statutory life the user gives."""
        life = self.q.facts.get("amortisation_years")
        units = [e["value_wan"] for e in self.q.facts.get("equipment", [])]
        text = self.q.text
        lines: List[str] = []
        if not life and len(units) == 1 and _MACHINERY.search(text) and not re.search(r"房|建筑|车辆|汽车|电子设备|电脑", text):
            # "一千万的机器设备，缩短折旧年限最短能按几年": machinery's statutory minimum life
            statutory = self.kb.parameter("accelerated-depreciation", "machinery_life_years")
            life = statutory.value
            lines.append(f"机器、机械和其他生产设备的法定最低折旧年限为{num(life)}年（{statutory.citation.basis}）。")
        if not life or len(units) != 1 or "accelerated-depreciation" not in self.q.topics:
            return []
        value = units[0]
        if "双倍余额" in text:
            first = tax.money(value * 2 / life)
            second = tax.money((value - first) * 2 / life)
            lines.append(f"双倍余额递减法（年折旧率 2 ÷ {num(life)}）：第一年 {num(value)} × 2 ÷ {num(life)} = {num(first)}万元；"
                         f"第二年 ({num(value)} − {num(first)}) × 2 ÷ {num(life)} = {num(second)}万元。")
            if re.search(r"直线|多递延|多扣|多折|递延多少|差多少", text):
                # "比直线法多递延多少税": the first year against straight-line depreciation
                straight = tax.money(value / life)
                rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
                lines.append(f"直线法第一年 {num(value)} ÷ {num(life)} = {num(straight)}万元；第一年多扣 {num(first)} − "
                             f"{num(straight)} = {num(tax.money(first - straight))}万元 × {pct(rate)} = 递延约"
                             f"{num(tax.money((first - straight) * rate))}万元企业所得税（以后年度转回，不是永久节税）。")
        if any(word in text for word in ("缩短", "最短", "最低年限")):
            ratio = self.kb.parameter("accelerated-depreciation", "min_life_ratio").value
            shortest = tax.money(life * ratio)
            yearly, normal = tax.money(value / shortest), tax.money(value / life)
            rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
            deferred = tax.money((yearly - normal) * rate)
            lines.append(f"最短折旧年限 {num(life)} × {pct(ratio)} = {num(shortest)}年，每年折旧 {num(value)} ÷ {num(shortest)} = "
                         f"{num(yearly)}万元（原来 {num(value)} ÷ {num(life)} = {num(normal)}万元）；每年多扣 {num(yearly)} − "
                         f"{num(normal)} = {num(tax.money(yearly - normal))}万元 × {pct(rate)} = 递延约{num(deferred)}万元企业所得税"
                         f"（以后年度转回，不是永久节税）。")
        return lines

    def _rd_base(self) -> tuple:
        """(the R&D expense the deduction is on, the lines that show how): less the part paid from
        fiscal funds and the income from trial products, plus 其他相关费用 up to their cap."""
        facts = self.q.facts
        rd = facts.get("rd_expense_wan")
        if rd is None:
            return None, []
        lines = []
        if facts.get("rd_share_pct") and facts.get("rd_share_of_wan"):  # "营业收入2个亿，研发投入占收入5%"
            lines.append(f"研发费用 = 收入 {num(facts['rd_share_of_wan'])} × {num(facts['rd_share_pct'])}% = {num(rd)}万元。")
        used = [e for e in facts.get("equipment") or [] if e.get("rd_use")]
        if used and re.search(r"一次性", self.q.text) and all(e["value_wan"] != rd for e in used):
            # "专门用于研发的测试仪选了一次性扣除；其他研发费用两百万": the deduction taken is an R&D cost too
            added = sum(e["value_wan"] for e in used)
            lines.append(f"研发专用设备选了一次性扣除的，按税前实际扣除的金额计入研发费用：{num(rd)} + {num(added)} = "
                         f"{num(tax.money(rd + added))}万元。")
            rd = tax.money(rd + added)
        fiscal, offset, other = facts.get("rd_fiscal_wan"), facts.get("rd_offset_wan"), facts.get("rd_other_wan")
        routine = facts.get("rd_routine_wan")
        if routine and routine < rd:
            # "研发费用600万，里面有100万其实是日常的质量检测费用": that part is not R&D activity
            lines.append(f"其中日常质量检测、常规性升级等不属于研发活动的支出不能加计扣除：{num(rd)} − {num(routine)} = "
                         f"{num(tax.money(rd - routine))}万元。")
            rd = tax.money(rd - routine)
        if fiscal and fiscal < rd:
            lines.append(f"财政性资金（不征税收入）支付的部分不能加计扣除：{num(rd)} − {num(fiscal)} = {num(rd - fiscal)}万元。")
            rd = tax.money(rd - fiscal)
        if offset:
            rest = tax.money(max(0.0, rd - offset))
            lines.append(f"中间试制品、下脚料等收入先冲减当年研发费用：{num(rd)} − {num(offset)} = {num(rest)}万元。")
            rd = rest
        if other is not None:
            five = tax.money(rd - other) if "其中" in self.q.text and other < rd else rd
            parameter, cap = self._other_costs_limit(five)
            ratio = parameter.value
            counted = min(other, cap)
            lines.append(f"其他相关费用限额 = {num(five)} × {pct(ratio)} ÷ (1 − {pct(ratio)}) = {num(cap)}万元，"
                         f"其他相关费用{num(other)}万元计入{num(counted)}万元：{num(five)} + {num(counted)} = "
                         f"{num(tax.money(five + counted))}万元。")
            rd = tax.money(five + counted)
        return rd, lines

    def _barred(self, topics: Iterable[str]) -> Dict[str, Point]:
        """Incentive → the point that rules it out for the firm's circumstances (核定征收, 合伙企业,
        财政拨款购置 …): the points' `excludes` against the circumstances the question states."""
        said = set(self.q.circumstances)
        barred: Dict[str, Point] = {}
        facts = self.q.facts
        partly_fiscal = facts.get("rd_fiscal_wan") and facts.get("rd_expense_wan", 0) > facts["rd_fiscal_wan"]
        for topic in dict.fromkeys(topics):
            if topic == tax.RD and partly_fiscal:
                continue  # "研发500万，其中300万是财政拨的": the rest is deducted (see _rd_base)
            ruling = [p for p in self.kb.points(None, topic) if said & set(p.excludes)]
            # "纳税信用C级能申请留抵退税吗": the point about what was asked (its subject) speaks first,
            # then the incentive's own points, then points about a narrower part of it.
            ruling.sort(key=lambda p: 0 if p.subject and p.subject[-4:] in self.q.text else 1 if not p.subject else 2)
            point = ruling[0] if ruling else None
            if point:
                barred[topic] = point
        return barred

    def _items_verdict(self, incentives: List[str]) -> Optional[Part]:
        """Each case a list question names, against one incentive's exclusions (its points' `excludes`,
        the 100% related party and the licence term of a transfer, equipment sold with it)."""
        topics = [t for t in incentives if t not in (GENERIC_TAX, "tax-claiming")]
        if not self.q.items or len(topics) != 1:
            return None
        topic = topics[0]
        points = self.kb.points(None, topic)
        point_min, minimum = self._licence_minimum() if topic == tax.TRANSFER else (None, None)
        related = next((p for p in points if "100%关联方" in p.text), None) if topic == tax.TRANSFER else None
        sold = next((p for p in points if "销售设备" in p.text), None) if topic == tax.TRANSFER else None
        lines, reasons = [f"{self.kb.incentive(topic).name}，逐项看："], []
        for number, item in enumerate(self.q.items, 1):
            words, years = item["text"], item.get("licence_years")
            ruling = next((p for p in points if set(item["circumstances"]) & set(p.excludes)), None)
            if ruling:
                lines.append(f"✗ {number}. {words}：不能享受。")
                reasons.append(ruling)
            elif related and any(cue in words for cue in _WHOLLY_OWNED):
                lines.append(f"✗ {number}. {words}：不能享受（100%控股的关联方之间转让）。")
                reasons.append(related)
            elif topic == tax.EQUIP and item.get("value_wan", 0) > self.kb.parameter(tax.EQUIP, "unit_value_cap_wan").value:
                cap = self.kb.parameter(tax.EQUIP, "unit_value_cap_wan").value
                lines.append(f"✗ {number}. {words}：不能一次性扣除（单位价值超过{num(cap)}万元，可按规定加速折旧）。")
            elif point_min and years is not None and minimum and years < minimum:
                lines.append(f"✗ {number}. {words}：不能享受（许可期{num(years)}年，不到{minimum}年）。")
                reasons.append(point_min)
            elif sold and re.search(r"卖设备|设备款|销售设备|设备收入|零部件", words):
                lines.append(f"△ {number}. {words}：设备款不算技术转让收入，只有单独核算的技术部分可以享受。")
                reasons.append(sold)
            else:
                lines.append(f"✓ {number}. {words}：没有说到排除的情形，符合下面条件的可以享受。")
        main = self._first_point(topic, "conditions") or (points[0] if points else None)
        chosen = list(dict.fromkeys([*([main] if main else []), *reasons]))
        lines += [p.text for p in chosen]
        return Part("rule", lines, [p.citation for p in chosen])

    def _barred_lines(self, topic: str, point: Point, bullet: str = "") -> List[str]:
        """“设备一次性扣除：不适用。……”; a point that leaves it unsettled (融资租入: 说法不一) says so
        instead of 不适用, and who can settle it."""
        name = point.subject or self.kb.incentive(topic).name
        if not any(marker in point.text for marker in ("说法不一", "未经确认")):
            return [f"{bullet}{name}：不适用，您的情况不能享受。{point.text}"]
        self.answer.offer_handoff = True
        return [f"{bullet}{name}：您说的情况能否享受，政策摘要没有定论。{point.text}",
                f"建议咨询{self._who(topic, point)}。需要的话我可以帮您转人工。"]

    def _general_rd_rate(self) -> Part:
        """A firm not (yet) on the 集成电路/工业母机 list: the general extra deduction, not the list's."""
        general = self.kb.parameter("rd-super-deduction", "extra_rate")
        listed = self.kb.parameter("rd-super-deduction", "ic_extra_rate")
        line = (f"没有列入集成电路企业或工业母机企业名单（清单）的，按一般规定再按实际发生额的{pct(general.value)}加计扣除；"
                f"列入清单以后才能按{pct(listed.value)}加计扣除。")
        return Part("rule", [line], [general.citation, listed.citation])

    def _incentive_list(self) -> Part:
        """Every national incentive the knowledge base holds, by name, and what to tell to estimate."""
        tax_names = [i.name for i in self.kb.incentives() if i.kind == "tax"]
        finance = [i.name for i in self.kb.incentives() if i.kind == "finance"]
        lines = [f"全国适用的技改税收优惠有：{'、'.join(tax_names)}。"]
        if finance:
            lines.append(f"金融支持有：{'、'.join(finance)}。")
        lines.append("能享受哪些取决于您的情况：告诉我研发费用、设备投资（用途、金额、购置时间）、技术转让所得，"
                     "以及是否高新技术企业或小型微利企业，我逐项帮您判断和估算；也可以问某一项的条件。")
        return Part("rule", lines)

    def _firms_by_industry(self) -> Optional[List[str]]:
        """Each firm a message lists (“一家卷烟厂，一家连锁酒店，一家汽车零部件制造厂”) against the
        negative list: None unless the firms differ or several are listed."""
        if len(self.q.firms) < 2:
            return None
        negative = self.kb.parameter("rd-super-deduction", "negative_list").value
        lines, listed = [], 0
        for name, industry in self.q.firms:
            if industry and tax.in_negative_list(industry, negative):
                listed += 1
                lines.append(f"• {name}：{industry}在研发费用加计扣除的负面清单上，不能加计扣除，研发费用只能据实扣除。")
            else:
                lines.append(f"• {name}：不属于负面清单行业，研发费用可以按规定加计扣除（须查账征收、准确归集研发费用）。")
        return lines if listed else None

    def _excluded_industry(self) -> Optional[str]:
        negative = self.kb.parameter("rd-super-deduction", "negative_list").value
        industry = self.q.industry
        if not (industry and tax.in_negative_list(industry, negative)):
            return None
        share = self._negative_share()
        return None if share is not None and share[0] <= share[1].value else industry

    def _negative_share(self) -> Optional[tuple]:
        """(the share of income the firm says its listed industry brings, the list's threshold):
        “收入里制造占六成、批发占四成” → (0.4, 50%) — the firm is on the list only above it."""
        share = _income_share(self.q.text, self.q.industry or "", self.q.industry_cues)
        if share is None:
            return None
        return share, self.kb.parameter("rd-super-deduction", "negative_list_income_share")

    def _share_part(self) -> Optional[Part]:
        """Why a firm in a listed industry still gets the R&D deduction: its share is below the line."""
        negative = self.kb.parameter("rd-super-deduction", "negative_list").value
        share = self._negative_share() if self.q.industry and tax.in_negative_list(self.q.industry, negative) else None
        if share is None or share[0] > share[1].value:
            return None
        said, threshold = share
        return Part("rule", [f"{self.q.industry}收入占{pct(said)}，未超过{pct(threshold.value)}，不算负面清单企业，"
                             f"研发费用可以享受加计扣除。"], [threshold.citation])

    def _incentives_by_rate(self) -> List[str]:
        if self.q.high_tech and self.q.small_profit:
            return ["high-tech-rate", "small-low-profit-rate"]  # "能不能同时按高新15%又享受小微": both, and how they combine
        if self.q.high_tech:
            return ["high-tech-rate"]
        if self.q.small_profit:
            return ["small-low-profit-rate"]
        return []

    def _retrofit(self) -> Optional[Part]:
        """“原计税基础300万，花了200万做数字化智能化改造，能抵免多少”: 10% of the retrofit spending, the
        spending counted up to the equipment's original tax basis × the cap (2024年第9号)."""
        text = _with_digits(self.q.text)  # "原值四百万…花了两百六十万" as figures
        if not re.search(r"(?:数字化|智能化)(?:、|和|或)?(?:智能化)?改造", text):
            return None
        rate_now = self.kb.parameter(tax.SPECIAL, "digital_upgrade_credit_rate")
        done = re.search(r"(20\d\d)年[^，。；]{0,8}?(?:做了|进行了|搞了|实施了|完成了?|开展了)?[^，。；]{0,6}?(?:数字化|智能化)", text)
        since = int(rate_now.effective_from[:4]) if rate_now.effective_from else None
        if done and since and int(done.group(1)) < since:
            # "2023年11月做了数字化改造…能按新政策抵免10%吗": the spending falls before the policy's window
            point = self._first_point(tax.SPECIAL, "timing") or self._first_point(tax.SPECIAL, "conditions")
            window = f"{rate_now.effective_from}至{rate_now.effective_to}" if rate_now.effective_to else f"{rate_now.effective_from}起"
            spent = re.search(r"(?:改造(?:费|投入|花了|花费|用了)?|花了|投了)[^，。；\d]{0,14}?(\d+(?:\.\d+)?)万", text)
            self.retrofit_basis, self.retrofit_spend = None, float(spent.group(1)) if spent else None
            self.retrofit_credit = 0.0
            return Part("rule", [f"不能。专用设备数字化、智能化改造投入的抵免只适用于{window}发生的改造投入，"
                                 f"{done.group(1)}年发生的改造不在其内，也不能作为新购专用设备抵免。"],
                        [point.citation] if point else [rate_now.citation])
        basis = re.search(r"(?:计税基础|原值|原价|入账价值|账面原值)(?:是|为|有)?\s*(\d+(?:\.\d+)?)万", text)
        spent = re.search(r"(?:改造(?:费|投入|花了|花费|用了)?|花了|投了|合同(?:金额|价款|额)?)[^，。；\d]{0,14}?(\d+(?:\.\d+)?)万", text) \
            or re.search(r"(\d+(?:\.\d+)?)万[^，。；\d]{0,16}?(?:数字化|智能化)", text)
        if not spent:
            return None
        spend = float(spent.group(1))
        units = [e["value_wan"] for e in self.q.facts.get("equipment") or [] if e["value_wan"] != spend]
        if basis and float(basis.group(1)) != spend:
            base = float(basis.group(1))
        elif not basis and len(units) == 1 and (re.search(r"对它|这台|那台|该设备|这套|那套|原来的|原有|目录", text)
                                                 or (self.q.facts.get("equipment") or [{}])[0].get("special_purpose")):
            base = units[0]  # "去年买了台节能专用设备，原值400万" … "今年对它做了数字化改造，花了260万"
        else:
            return None
        cap = self.kb.parameter(tax.SPECIAL, "digital_upgrade_basis_cap")
        rate = self.kb.parameter(tax.SPECIAL, "digital_upgrade_credit_rate")
        limit = tax.money(base * cap.value)
        counted = min(spend, limit)
        credit = tax.money(counted * rate.value)
        self.retrofit_credit = credit  # counted in the total beside other incentives
        self.retrofit_basis, self.retrofit_spend = base, spend
        years = self.kb.parameter(tax.SPECIAL, "carry_forward_years").value
        point = self._first_point(tax.SPECIAL, "timing") or self._first_point(tax.SPECIAL, "conditions")
        lines = [f"• 专用设备数字化、智能化改造抵免：可抵免的改造投入不超过原计税基础的{pct(cap.value)}，即 {num(base)} × "
                 f"{pct(cap.value)} = {num(limit)}万元；改造投入{num(spend)}万元，按{num(counted)}万元计：{num(counted)} × "
                 f"{pct(rate.value)} = 可抵免企业所得税{num(credit)}万元，当年不足抵免的可结转{num(years)}年。",
                 "这项政策只见于二手来源，请以官方原文为准；改造后的设备仍须符合目录、由企业自用。"]
        return Part("compute", lines, [point.citation] if point else [cap.citation])

    def _separate_services(self) -> Optional[Part]:
        """“另外单独签了个技术服务合同，服务所得150万”: not transfer income (the services count only
        when agreed in the transfer contract), taxed at the firm's rate."""
        service = self.q.facts.get("transfer_service_wan")
        point = next((p for p in self.kb.points(None, tax.TRANSFER) if "同一份技术转让合同" in p.text), None)
        if service is None or point is None:
            return None
        stated = self.q.facts.get("income_tax_rate_pct")
        rate = stated / 100 if stated else self.kb.parameter("high-tech-rate", "high_tech_cit_rate").value \
            if self.q.high_tech else self.kb.parameter("high-tech-rate", "standard_cit_rate").value
        return Part("compute", [
            f"单独签订合同收取的技术服务（咨询、培训）所得{num(service)}万元不能计入技术转让所得享受减免，"
            f"正常纳税：{num(service)} × {pct(rate)} = {num(tax.money(service * rate))}万元。", point.text], [point.citation])

    def _estimate(self) -> None:
        q, kb = self.q, self.kb
        retrofit = self._retrofit()
        if retrofit:
            self.answer.parts.append(retrofit)
            # the amounts were the basis and the retrofit, not purchases ("另外今年新买了100万的": that one is)
            used = {self.retrofit_basis, self.retrofit_spend}
            bought = [e for e in q.facts.pop("equipment", None) or [] if e["value_wan"] not in used]
            if bought and re.search(r"新买|新购|另外(?:今年)?(?:又)?买|又买", q.text):
                q.facts["equipment"] = bought
            if not any(q.facts.get(k) is not None for k in _TAX_AMOUNTS) and not q.facts.get("equipment"):
                return
        request: Dict[str, Any] = {}
        rate_note = None
        after_rd = self._small_profit_after_rd()
        stated = q.facts.get("income_tax_rate_pct")
        high_rate = kb.parameter("high-tech-rate", "high_tech_cit_rate").value
        doubted = stated is not None and q.high_tech and abs(stated / 100 - high_rate) > 1e-9 and re.search(
            rf"{stated:g}%(?:的税率)?(?:交|缴|算|计税)?(?:的)?(?:吧|吗|对吗|是吗|对不对|没错吧)|是不是按{stated:g}%", q.text)
        if doubted:  # "我们高新企业所得税按20%交的吧": no, at the high-tech rate
            request["income_tax_rate"] = high_rate
            rate_note = (f"不是{stated:g}%：高新技术企业减按{pct(high_rate)}的税率征收企业所得税。"
                         f"按高新技术企业{pct(high_rate)}税率估算：")
        elif stated is not None and 0 < stated < 100:
            request["income_tax_rate"] = stated / 100
            rate_note = f"按您说的企业所得税税率{pct(request['income_tax_rate'])}估算："
        elif q.high_tech:
            request["income_tax_rate"] = kb.parameter("high-tech-rate", "high_tech_cit_rate").value
            rate_note = f"按高新技术企业{pct(request['income_tax_rate'])}税率估算："
        elif after_rd:
            # "应纳税所得额350万（还没扣研发加计）…加计以后能不能变成小型微利": the cap is on the income after it
            income, after, cap = after_rd
            request["income_tax_rate"] = kb.parameter("small-low-profit-rate", "effective_rate").value
            rate_note = (f"加计扣除后应纳税所得额 {num(income)} − {num(income - after)} = {num(after)}万元，不超过小型微利企业"
                         f"{num(cap)}万元的上限（其余条件也要满足），按小型微利企业实际税负{pct(request['income_tax_rate'])}估算：")
        elif q.small_profit and self._over_small_profit_cap():
            # "小微企业…更正一下，应纳税所得额有400万": over the cap the firm is taxed at the standard rate
            cap = kb.parameter("small-low-profit-rate", "income_cap_wan").value
            request["income_tax_rate"] = kb.parameter("high-tech-rate", "standard_cit_rate").value
            rate_note = (f"{self._small_profit_cap_exceeded()}，"
                         f"不能按小型微利企业计税，按法定税率{pct(request['income_tax_rate'])}估算：")
        elif q.small_profit:
            request["income_tax_rate"] = kb.parameter("small-low-profit-rate", "effective_rate").value
            rate_note = f"按小型微利企业实际税负{pct(request['income_tax_rate'])}估算："
        elif not q.high_tech and (q.facts.get("staff_count") is not None or q.facts.get("total_assets_wan") is not None) \
                and self._over_small_profit_cap():
            # "员工150人，资产6000万…所得税要交多少": the figure over its cap rules small-profit out
            request["income_tax_rate"] = kb.parameter("high-tech-rate", "standard_cit_rate").value
            rate_note = (f"{self._small_profit_cap_exceeded()}，不能按小型微利企业计税，"
                         f"按法定税率{pct(request['income_tax_rate'])}估算（高新技术企业请告诉我）：")
        elif self._small_profit_by_figures():
            # "利润总额280万，员工150人，资产4000万，买了台80万的设备": the three figures make it small-profit
            request["income_tax_rate"] = kb.parameter("small-low-profit-rate", "effective_rate").value
            rate_note = (f"{self._small_profit_by_figures()}，都在小型微利企业的上限内（其余条件也要满足），"
                         f"按小型微利企业实际税负{pct(request['income_tax_rate'])}估算：")
        excluded = self._excluded_industry()
        share_part = self._share_part()
        if share_part:
            self.answer.parts.append(share_part)
        for key in _TAX_AMOUNTS:
            if key in q.facts and not (excluded and key.startswith("rd_")):
                request[key] = q.facts[key]
        base, base_lines = self._rd_base()
        if base is not None and "rd_expense_wan" in request:
            request["rd_expense_wan"] = base
        asks_meaning = "definition" in q.aspects and not {"transfer_cost_wan", "transfer_taxes_wan"} & set(q.facts)
        if "tech-transfer-exemption" in q.topics and "revenue_wan" in q.facts and "tech_transfer_income_wan" not in request \
                and not asks_meaning:  # ("这个“所得”是指合同金额吗？我们合同签了700万": what 所得 is, first)
            request["tech_transfer_income_wan"] = q.facts["revenue_wan"]  # "收入900万，成本200万" after a transfer question
            q.tech_transfer_is_revenue = True
        inside = self._commissioned_inside(request)
        related = self._transfer_barred(request) if "tech_transfer_income_wan" in request else None
        if related:
            self.answer.parts.append(related)  # no exemption to estimate
            request.pop("tech_transfer_income_wan")
            q.tech_transfer_is_revenue = False
        net_line = self._transfer_income(request)
        if q.ic_or_machine_tool:
            request["ic_or_machine_tool"] = True
        request["equipment"] = [self._equipment(e) for e in q.facts.get("equipment", [])]
        vat_line = self._without_invoice_vat(request) or self._gross_left_open(request)
        foreign_line = self._foreign_without_domestic(request)
        kind_line = self._special_kind_unsaid(request)
        lines: List[str] = [line for line in (rate_note, inside, net_line, vat_line, foreign_line, kind_line, *base_lines)
                            if line]
        cites: List[Citation] = []
        vat_barred = self._barred(["advanced-manufacturing-vat-credit"]).get("advanced-manufacturing-vat-credit")
        if "vat_input_wan" in q.facts and "advanced-manufacturing-vat-credit" in q.topics and vat_barred:
            # "不是高新，每月进项税两百万，5%加计抵减能享受吗": not for this firm, so no credit
            self.answer.parts.append(Part("rule", self._barred_lines("advanced-manufacturing-vat-credit", vat_barred),
                                          [vat_barred.citation]))
        elif "vat_input_wan" in q.facts and "advanced-manufacturing-vat-credit" in q.topics:
            self.answer.parts.append(self._vat_credit(q.facts["vat_input_wan"]))
        elif "vat_input_wan" in q.facts and not vat_line:  # "这78万进项能抵吗": input VAT on equipment, not the 5% credit
            point = next((p for p in self.kb.points(None, "advanced-manufacturing-vat-credit") if "进项税额可以抵扣" in p.text), None)
            if point:
                self.answer.parts.append(Part("rule", [point.text], [point.citation]))
        if excluded and any(k.startswith("rd_") for k in q.facts):
            point = self._first_point("rd-super-deduction", "exclusions")
            lines.append(f"• 研发费用加计扣除：不适用。{excluded}在负面清单上，研发费用只能据实扣除，没有加计扣除额。")
            lines.append(point.text if point else "")
            cites += [point.citation] if point else []
        if not any(request.get(k) is not None for k in _TAX_AMOUNTS) and not request["equipment"]:
            lines = [line for line in lines if line != rate_note]  # the rate was for the estimate, now none
            self.answer.parts.append(Part("compute", lines, cites))
            return
        past_intangible = None
        if request.get("rd_intangible_wan") and request.get("rd_expense_wan") and not q.facts.get("amortisation_years") \
                and _PAST_INTANGIBLE.search(q.text):
            # "今年研发1000万都费用化了…前两年研发形成了一项无形资产，原值200万": this year's saving is the
            # expensed R&D's; the intangible is amortised over its years, on its own line
            past_intangible = request.pop("rd_intangible_wan")
        try:
            result = tax.estimate(request, kb=kb)
            whole_units = [e.get("whole_wan") for e in q.facts.get("equipment", [])]
            if len(whole_units) == 1 and whole_units[0]:
                # "一台专用设备600万，其中200万是财政拨款": the credit on the own funds, the one-time deduction
                # on the unit's whole value
                result, _ = self._deducted_at(result, request, whole_units[0])
            freight = q.facts.get("freight_wan")
            credit_asked = bool(re.search(r"抵免|投资额", q.text)) and "一次性" not in q.text  # "抵免的投资额按啥算"
            if freight and len(request["equipment"]) == 1 and credit_asked:
                rules = [p for p in self.kb.points(None, tax.SPECIAL) if "运输" in p.text][:1]
                lines += [p.text for p in rules]
                cites += [p.citation for p in rules]
            elif freight and len(request["equipment"]) == 1:
                # "运输安装又花了5万": in the unit value the one-time deduction counts, not in the credit's base
                unit = request["equipment"][0]
                whole = tax.money(unit["value_wan"] + freight)
                # ("480万…运费安装30万，合起来510万": over the cap with them, so not deducted at once)
                result, swapped = self._deducted_at(result, request, whole)
                verdict = ("" if not (q.yes_no and "一次性" in q.text) else "能一次性扣除。" if swapped
                           else "不能一次性扣除。")  # "还能一次性扣除吗"
                credit = f"，专用设备投资抵免按{num(unit['value_wan'])}万元计" if tax.SPECIAL in q.topics or unit.get("special_purpose") else ""
                lines.append(f"{verdict}运输安装费{num(freight)}万元：一次性扣除按单位价值 {num(unit['value_wan'])} + {num(freight)} = "
                             f"{num(whole)}万元计{credit}。")
                rules = [p for t in (tax.EQUIP, *([tax.SPECIAL] if credit else [])) for p in self.kb.points(None, t)
                         if "运输" in p.text][:2]
                lines += [p.text for p in rules]
                cites += [p.citation for p in rules]
        except PolicyKBError as error:
            self.answer.parts.append(Part("deferral", [f"暂时无法估算：{error}"]))
            return
        asked = [t for t in q.topics if self.kinds.get(t) == "incentive"]  # "不在目录里，能享受10%抵免吗"
        barred = self._barred([item.incentive_id for item in result.items] + asked)
        if barred:  # "个体户买了30万的设备": no estimate for an incentive the firm cannot have
            result = _without(result, set(barred))
            for topic, point in barred.items():
                lines += self._barred_lines(topic, point, "• ")
                cites.append(point.citation)
        credit_only = asked == [tax.SPECIAL] and not re.search(
            r"一次性|折旧|扣除|加速|(?:进项|增值税)[^，。？?]{0,6}?(?:能抵|能不能|可以抵|抵扣吗|怎么抵)", q.text) \
            and bool(re.search(r"抵免|抵多少|能抵", q.text)) and all(e.get("special_purpose") for e in request["equipment"])
        if credit_only and (any(item.incentive_id == tax.SPECIAL for item in result.items) or tax.SPECIAL in barred):
            # "环保专用设备…抵免10%按多少算": the credit asked; the one-time deduction is another question
            result = _without(result, {tax.EQUIP}, notes_from="单位价值超过")
        accelerated = [] if credit_only else self._accelerated(request)
        rule = None if credit_only else self._first_point("accelerated-depreciation", "conditions")
        cap = self.kb.parameter(tax.EQUIP, "unit_value_cap_wan").value
        over = any(e["value_wan"] > cap for e in request["equipment"])
        within = any(e["value_wan"] <= cap for e in request["equipment"])
        after: List[str] = []
        if rule and over and rule.text not in accelerated:
            # "600万的，有没有别的办法早点扣", "买了台600万的设备，能一次性扣除吗": over the cap, the methods the rule allows
            # (after the estimate when others are within it: "三台设备…都能一次性扣除吗" is answered unit by unit first)
            if (within or any(item.incentive_id != tax.EQUIP for item in result.items)) and not accelerated:
                after = [rule.text]  # (and after the R&D estimate: "研发1.2个亿…还有一台六百万的检测设备")
            else:
                accelerated = [*accelerated, rule.text]
        expired = next((p for p in self.kb.points(None, tax.EQUIP) if p.id.endswith("-expired-2022")), None)
        if over and expired and re.search(r"扣一半|扣50%|50%扣|按50%|一半|百分之五十|中小微|中小企业", q.text) \
                and expired.text not in lines:
            # "我们2025年买了台800万的，能按那个政策扣50%吗": the 2022 rule for SMEs has expired
            lines.insert(0, expired.text)
            cites.append(expired.citation)
        if accelerated:
            lines += accelerated
            cites += [c for c in [self._point_citation("accelerated-depreciation", "conditions")] if c]
        if result.items or not barred:
            yearly = self._amortisation_per_year(request)
            if yearly and self.rd_year_saving is not None:
                # the years are known: this year's saving counts, not a total spread over the years
                result = _this_year_rd(result, self.rd_year_saving)
            lines += self._estimate_lines(result, request)
            due = self._tax_due(result, request)
            if due and self.credit_carried:  # the credit is limited this year: the total is what it is worth in all
                later = "（抵免额当年用不完的部分结转以后年度" + ("，今年实际少缴见下）" if self.year_saving_shown else "）")
                lines = [line.replace("合计少缴约", "各项优惠合计", 1).replace("（一次性扣除为递延，不计入）", later)
                         if line.startswith("合计少缴约") else line for line in lines]
            if due and "即亏损" in due:
                # "所得200万…480万的设备一次性扣除": 480 × 5% is more than the year's tax — the line says so, not a figure
                lines = [re.sub(r"；×企业所得税税率[\d.]+%=首年少缴（递延）企业所得税[\d.]+万元(?:（[^）]*）)?",
                                "；今年应纳税所得额不够扣除，今年实际少交多少见下", line)
                         if line.startswith("• 设备一次性扣除") else line for line in lines]
            if due:
                lines.insert(len(lines) - 1, due)
            lines += [yearly] if yearly else []
            lines += self._rd_each_year(request)
            cites += self._estimate_citations(result)
        if over and not within and q.yes_no and "equipment-one-time-deduction" in q.topics:
            said = next((line for line in lines if line.startswith(f"单位价值超过{num(cap)}万元的设备")), None)
            if said:  # "单台八百万，能不能一次性税前扣除": the verdict first, then what the firm can do instead
                lines.remove(said)
                lines.insert(0, f"不能。{said}")
        units = request["equipment"]
        if within and not over and len(units) > 1 and "equipment-one-time-deduction" in q.topics \
                and sum(e["value_wan"] for e in units) > cap and (q.yes_no or "threshold" in q.aspects):
            # "3台注塑机，每台210万，合计630万，超了是不是就不能扣了": the line is each unit's value, not the sum
            values = list(dict.fromkeys(f"{num(e['value_wan'])}万元" for e in units))
            each = f"每台{values[0]}" if len(values) == 1 else f"各台分别为{'、'.join(values)}"
            lines.insert(0, f"可以。{num(cap)}万元的标准按每台设备的单位价值判断，不是按合计金额：{each}，"
                            f"都不超过{num(cap)}万元，{len(units)}台都可以一次性扣除。")
        if after and q.yes_no and len(request["equipment"]) > 1:
            yes = "、".join(f"{num(e['value_wan'])}万元" for e in request["equipment"] if e["value_wan"] <= cap)
            no = "、".join(f"{num(e['value_wan'])}万元" for e in request["equipment"] if e["value_wan"] > cap)
            lines.insert(0, f"不是都能：单位价值不超过{num(cap)}万元的（{yes}）可以一次性扣除，{no}的不能。")
        if after:
            lines[-1:-1] = after  # before the estimate's closing caveat
            cites += [c for c in [self._point_citation("accelerated-depreciation", "conditions")] if c]
        if past_intangible:
            key = "ic_intangible_amortisation_rate" if request.get("ic_or_machine_tool") else "intangible_amortisation_rate"
            amort = self.kb.parameter(tax.RD, key).value
            lines[-1:-1] = [f"前期形成无形资产的研发成本{num(past_intangible)}万元按无形资产成本的{pct(amort)}在税前摊销：共可摊销 "
                            f"{num(past_intangible)} × {pct(amort)} = {num(tax.money(past_intangible * amort))}万元，在摊销年限内分年扣除，"
                            f"没有计入上面今年的少缴税额（告诉我摊销年限可以分年算）。"]
        if "interaction" in q.aspects:
            stacking = [p for t in q.topics for p in self.kb.points(None, t) if "interaction" in p.aspects]
            if stacking:
                best = self._rank(stacking)[0]
                lines.append(best.text)
                cites.append(best.citation)
            elif (len(result.items) > 1 or (result.items and "income_tax_rate" in request)) and "vat_input_wan" not in q.facts:
                # "研发加计和高新15%税率能一起享受吗": no point on stacking these; the estimate shows how they combine
                lines.append("上面的估算按这几项同时适用计算（扣除先减少应纳税所得额，再按适用税率计税）；"
                             "政策摘要没有专门规定它们能否叠加享受，请向主管税务机关或12366确认。")
        self.answer.parts.append(Part("compute", lines, cites))

    def _rd_each_year(self, request: Dict[str, Any]) -> List[str]:
        """“研发费用去年600万今年800万，分别能省多少”: each year's R&D at the same rate, on its own line
        (the estimate above is the first year's)."""
        years = self.q.facts.get("rd_by_year") or []
        if len(years) < 2 or "rd_expense_wan" not in request:
            return []
        rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
        base = {k: v for k, v in request.items() if k not in _TAX_AMOUNTS and k != "equipment"}
        lines = []
        for label, value in years:
            result = tax.estimate({**base, "rd_expense_wan": value, "equipment": []}, kb=self.kb)
            item = next((i for i in result.items if i.incentive_id == tax.RD), None)
            if item and value:
                lines.append(f"{label}：{num(value)} × {pct(item.deduction_wan / value)} × {pct(rate)} = "
                             f"少缴企业所得税{num(item.tax_saving_wan)}万元。")
        return lines

    def _tax_due(self, result: tax.TaxResult, request: Dict[str, Any]) -> Optional[str]:
        """“扣加计之前的应纳税所得额1000万……今年要交多少”: the year's income tax with the incentives,
        the stated income taken as excluding any technology-transfer income (computed apart)."""
        income = self.q.facts.get("taxable_income_wan")
        if income is None:
            return None
        rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
        items = {item.incentive_id: item for item in result.items}
        taken = [("加计扣除", tax.RD)]
        if tax.EQUIP in self.q.topics or "一次性" in self.q.text:  # "能不能一次性扣，扣不完怎么办": asked, so taken this year
            taken.append(("设备一次性扣除", tax.EQUIP))
        net = bool(self.q.facts.get("income_after_deductions"))
        if net:  # "扣完以后应纳税所得额200万": the income said is already net of the deductions
            taken = []
        deductions = [(label, items[topic].deduction_wan) for label, topic in taken if topic in items and items[topic].deduction_wan]
        later = ""
        intangible = request.get("rd_intangible_wan")
        if intangible and tax.RD in items and deductions and deductions[0][0] == "加计扣除":
            # the intangible's extra amortisation is spread over its years: only this year's share now
            key = "ic_intangible_amortisation_rate" if request.get("ic_or_machine_tool") else "intangible_amortisation_rate"
            extra = tax.money(intangible * (self.kb.parameter(tax.RD, key).value - 1))
            years = self.q.facts.get("amortisation_years")
            yearly = tax.money(extra / years) if years else 0.0
            deductions[0] = ("加计扣除（含无形资产当年多摊销部分）" if years else "费用化研发的加计扣除",
                             tax.money(deductions[0][1] - extra + yearly))
            if not years:
                later = f"（形成无形资产的{num(intangible)}万元多摊销的{num(extra)}万元在摊销年限内分年扣除，没有计入今年；告诉我摊销年限可以分年算）"
        deduction = sum(amount for _, amount in deductions)
        left = tax.money(income - deduction)
        taxable = tax.money(max(0.0, left))
        minus = "".join(f" − {label} {num(amount)}" for label, amount in deductions)
        steps = f"应纳税所得额 {num(income)}{minus} = {num(left)}万元，" if deduction else ""
        if left < 0:  # "利润200万，买了台500万的设备…扣不完怎么办": no tax this year, a loss carried forward
            loss = [p for topic in (tax.EQUIP, tax.RD) if topic in items for p in self.kb.points(None, topic)
                    if p.id.endswith("-loss") or (self.q.high_tech or self.q.tech_sme) and p.id.endswith("-loss-ten-years")]
            # (a 高新 firm: the general 5 years and its 10 years, both)
            plain = tax.money(income * rate)
            text = (f"今年企业所得税：应纳税所得额 {num(income)}{minus} = −{num(-left)}万元，即亏损{num(-left)}万元，今年不用交企业所得税"
                    f"（不扣除的话要交 {num(income)} × {pct(rate)} = {num(plain)}万元，今年实际少交的就是这{num(plain)}万元）")
            return text + "。" + "".join(p.text for p in loss[:2])
        due = tax.money(taxable * rate)
        text = f"今年企业所得税：{steps}{num(taxable)} × {pct(rate)} = {num(due)}万元{later}"
        if tax.EQUIP in items and ("设备一次性扣除", tax.EQUIP) not in taken and not net:
            # the unit could also be deducted at once: this year's tax would then be lower still (by how much
            # depends on the depreciation it would otherwise have this year, which the question does not give)
            text += "（没有计入设备一次性扣除；选择一次性扣除的，今年应纳税所得额还会减少，减少多少要看该设备原本当年的折旧额）"
        if net:
            text += "（您说的应纳税所得额已经扣除了加计扣除，不再重复扣）"
        credit = items[tax.SPECIAL].credit_wan if tax.SPECIAL in items else None
        if credit:  # "另外买了安全生产专用设备50万…今年大概交多少": the credit comes off the tax
            used = min(credit, due)
            text += f"；减专用设备投资抵免 {num(used)}万元：{num(due)} − {num(used)} = {num(tax.money(due - used))}万元"
            if credit > used:  # "能抵免多少？剩下的呢": the rest carried forward
                text += f"；抵免额其余 {num(credit)} − {num(used)} = {num(tax.money(credit - used))}万元结转以后年度抵免"
                self.credit_carried = True
                others = [i.tax_saving_wan for i in result.items if i.included_in_total and i.incentive_id != tax.SPECIAL
                          and i.tax_saving_wan]
                if others and _SAVING_ASKED.search(self.q.text):
                    # "加计扣除和设备抵免合计今年能省多少": this year's saving is what the credit can use
                    terms = " + ".join(num(v) for v in [*others, used])
                    text += f"；所以今年实际少缴 {terms} = {num(tax.money(sum(others) + used))}万元"
                    self.year_saving_shown = True
            due = tax.money(due - used)
        transfer = items.get(tax.TRANSFER)
        if transfer is not None and transfer.tax_wan is not None:
            total = tax.money(due + transfer.tax_wan)
            text += f"；加上技术转让所得应纳 {num(transfer.tax_wan)}万元，合计 {num(due)} + {num(transfer.tax_wan)} = {num(total)}万元" \
                    f"（按您说的应纳税所得额不含技术转让所得计算）"
        standard_rate = self.kb.parameter("high-tech-rate", "standard_cit_rate").value
        if rate < standard_rate and re.search(r"比(?:普通|一般)企业|不享受(?:这两个|这两项|这些|任何)?(?:优惠|政策)", self.q.text):
            # "高新…比普通企业不享受这两个优惠少交多少": no deduction, the standard rate
            plain = tax.money(income * standard_rate)
            return text + (f"；不享受这些优惠（不加计扣除、按法定税率{pct(standard_rate)}）：{num(income)} × {pct(standard_rate)} = "
                           f"{num(plain)}万元，少交 {num(plain)} − {num(due)} = {num(tax.money(plain - due))}万元。")
        after = self._small_profit_after_rd()
        if after and re.search(r"比不加计|不加计的话|不加计扣除|不享受加计|少交多少|少缴多少", self.q.text):
            standard = self.kb.parameter("high-tech-rate", "standard_cit_rate").value
            plain = tax.money(income * standard)
            text += (f"；不加计扣除的话，{num(income)}万元超过小型微利企业上限，按{pct(standard)}：{num(income)} × {pct(standard)} = "
                     f"{num(plain)}万元，加计后少交 {num(plain)} − {num(due)} = {num(tax.money(plain - due))}万元")
        return text + "。"

    def _amortisation_per_year(self, request: Dict[str, Any]) -> Optional[str]:
        """"分10年摊销": the yearly amortisation at the KB's rate and the yearly saving."""
        cost, years = request.get("rd_intangible_wan"), self.q.facts.get("amortisation_years")
        if not cost or not years:
            return None
        key = "ic_intangible_amortisation_rate" if request.get("ic_or_machine_tool") else "intangible_amortisation_rate"
        rate = self.kb.parameter("rd-super-deduction", key).value
        cit = request.get("income_tax_rate") or self.kb.parameter("high-tech-rate", "standard_cit_rate").value
        yearly, extra = tax.money(cost * rate / years), tax.money(cost * (rate - 1) / years)
        line = (f"每年税前摊销 {num(cost)}×{pct(rate)}÷{num(years)} = {num(yearly)}万元，其中加计部分 "
                f"{num(cost)}×{pct(rate - 1)}÷{num(years)} = {num(extra)}万元，每年少缴 {num(extra)}×{pct(cit)} = "
                f"{num(tax.money(extra * cit))}万元。")
        expensed = request.get("rd_expense_wan")
        if expensed:  # "其中600万费用化，另外400万形成了专利…今年能多扣多少": this year's extra deduction
            share = self.kb.parameter("rd-super-deduction", "ic_extra_rate" if request.get("ic_or_machine_tool") else "extra_rate").value
            this_year = tax.money(expensed * share + extra)
            self.rd_year_saving = tax.money(this_year * cit)
            line += (f"今年加计扣除 = {num(expensed)} × {pct(share)} + {num(extra)} = {num(this_year)}万元，今年少缴 "
                     f"{num(this_year)} × {pct(cit)} = {num(tax.money(this_year * cit))}万元（费用化部分 "
                     f"{num(tax.money(expensed * share))} × {pct(cit)} = {num(tax.money(expensed * share * cit))}万元，"
                     f"摊销的加计部分 {num(extra)} × {pct(cit)} = {num(tax.money(extra * cit))}万元）。")
        return line

    def _commissioned_inside(self, request: Dict[str, Any]) -> Optional[str]:
        """“研发费用800万，其中委托高校150万”: the commissioned part is inside the total, so the firm's
        own R&D is the rest (counted once; the commissioned part at its own share)."""
        commissioned = sum(request.get(k) or 0.0 for k in ("rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan"))
        total = request.get("rd_expense_wan")
        if not commissioned or total is None or not _INSIDE.search(self.q.text) or commissioned > total:
            return None
        request["rd_expense_wan"] = tax.money(total - commissioned)
        return f"研发费用{num(total)}万元中含委托研发{num(commissioned)}万元：自行研发部分 {num(total)} − " \
               f"{num(commissioned)} = {num(request['rd_expense_wan'])}万元，委托部分按比例另计。"

    def _foreign_without_domestic(self, request: Dict[str, Any]) -> Optional[str]:
        """“委托境外机构做的研发300万”: the countable share is capped by the domestic R&D, which the
        user has not given — not a cap of zero."""
        foreign = request.get("rd_commissioned_foreign_wan")
        if not foreign or request.get("rd_expense_wan") or request.get("rd_commissioned_domestic_wan"):
            return None
        request.pop("rd_commissioned_foreign_wan")
        share = self.kb.parameter(tax.RD, "commissioned_share").value
        ratio = self.kb.parameter(tax.RD, "foreign_cap_ratio").value
        return (f"• 研发费用加计扣除：委托境外研发{num(foreign)}万元×{pct(share)}={num(tax.money(foreign * share))}万元，"
                f"但计入的部分不超过境内符合条件研发费用的{fraction_words(ratio)}。您没有说境内研发费用，告诉我后我再算加计扣除额。")

    def _licence_meets(self) -> Optional[Part]:
        """A licence as long as the incentive asks (“5年期的非独占许可”): its income can be exempt."""
        years = self.q.facts.get("licence_years")
        point, minimum = self._licence_minimum()
        if years is None or minimum is None or years < minimum or any(c in self.q.text for c in _WHOLLY_OWNED):
            return None
        return Part("rule", [f"许可期{num(years)}年，达到{minimum}年以上的要求（“以上”含本数），许可使用费的所得"
                             "可以享受技术转让所得减免（还须满足技术范围和认定登记等条件）。", point.text], [point.citation])

    def _licence_minimum(self) -> tuple:
        """(the point that sets how long a licence must run, those years — from its “N年以上”)."""
        point = next((p for p in self.kb.points(None, "tech-transfer-exemption") if "独占许可" in p.text), None)
        found = re.search(r"(\d+)年以上", point.text) if point else None
        return point, int(found.group(1)) if found else None

    def _partly_owned_transfer(self) -> Optional[Part]:
        """“把专利转让给了持股60%的控股子公司，还能享受吗”: only a transfer between 100% related parties is
        left out, so a party held at less than that is not (the other conditions still apply)."""
        q = self.q
        held = re.search(r"(?:持股|控股|占股|持有)(?:比例)?(?:是|为)?(\d+(?:\.\d+)?)%|(\d+(?:\.\d+)?)%(?:控股|持股|股权|的股份)", q.text)
        if "tech-transfer-exemption" not in q.topics or not held or not re.search(r"子公司|母公司|关联|控股|持股", q.text):
            return None
        share = float(held.group(1) or held.group(2))
        point = next((p for p in self.kb.points(None, "tech-transfer-exemption") if "100%关联方" in p.text), None)
        if share >= 100 or point is None:
            return None
        for detail in [d for d in q.details if "股权" in d]:
            q.details.pop(detail)
        return Part("rule", [f"持股{num(share)}%不是100%关联关系：只有100%关联方（直接或间接持有100%股权）之间的技术转让"
                             "不享受减免，这笔转让可以享受（其他条件也要满足）。", point.text], [point.citation])

    def _transfer_barred(self, request: Dict[str, Any]) -> Optional[Part]:
        """A transfer the incentive's conditions leave out gets no exemption, and the tax on its
        所得 at the firm's rate: one to or from a wholly owned party (“卖给我们100%控股的子公司”:
        100%关联方之间的转让不享受), or a licence shorter than the five years a licence must run
        (“非独占许可，许可期3年”)."""
        text = self.q.text
        if any(cue in text for cue in _WHOLLY_OWNED):
            point = next((p for p in self.kb.points(None, "tech-transfer-exemption") if "100%关联方" in p.text), None)
            reason = "转让方与受让方是100%控股（直接或间接持有100%股权）的关联方，这种转让所得不享受减免"
        else:
            years = self.q.facts.get("licence_years")
            point, minimum = self._licence_minimum()
            if years is None or minimum is None or years >= minimum:
                return None
            reason = (f"许可期{num(years)}年，不到{minimum}年（以许可方式转让的，须是{minimum}年以上的"
                      "独占或非独占许可），这笔所得不享受减免")
        if point is None:
            return None
        income = request.get("tech_transfer_income_wan")
        rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
        due = f"按{pct(rate)}正常计税：{num(income)} × {pct(rate)} = 应纳企业所得税{num(tax.money(income * rate))}万元。" \
            if income is not None else "按正常税率计税。"
        lines = [f"• 技术转让所得减免：不能享受。{reason}，{due}", point.text]
        if income is not None and any(cue in text for cue in _WHOLLY_OWNED) and re.search(
                r"(?:如果|要是|假如|换成)[^。？?]{0,12}?(?:没关系|没有关系|无关联|非关联|不相关|外面|第三方|别的公司|其他公司)", text):
            # "如果转让给外面没关系的公司呢，能免吗": the same income, exempted as the rule says
            other = tax.estimate({"tech_transfer_income_wan": income, "income_tax_rate": rate}, kb=self.kb)
            item = next((i for i in other.items if i.incentive_id == tax.TRANSFER), None)
            if item:
                lines.append(f"转让给非100%关联方的（其他条件也要满足）：{item.explanation}")
        return Part("rule", lines, [point.citation])

    def _transfer_income(self, request: Dict[str, Any]) -> Optional[str]:
        """所得 = 收入 − 成本 − 相关税费, when the user gives the costs (the request then holds 所得)."""
        cost, taxes = self.q.facts.get("transfer_cost_wan"), self.q.facts.get("transfer_taxes_wan")
        income = request.get("tech_transfer_income_wan")
        parts = self.q.facts.get("transfer_parts_wan")
        if parts and income is not None and cost is None and taxes is None:
            # "一项所得300万，一项所得400万": the 500万 line is on the year's total
            return f"一个纳税年度内的技术转让所得合计：{' + '.join(num(v) for v in parts)} = {num(income)}万元。"
        if income is None or (cost is None and taxes is None):
            return None
        net = max(0.0, income - (cost or 0.0) - (taxes or 0.0))
        request["tech_transfer_income_wan"] = tax.money(net)
        self.q.tech_transfer_is_revenue = False
        terms = " − ".join(num(v) for v in (income, cost, taxes) if v is not None)
        return f"技术转让所得 = 收入 − 成本 − 相关税费 = {terms} = {num(tax.money(net))}万元。"

    def _vat_credit(self, input_vat: float) -> Part:
        rate = self.kb.parameter("advanced-manufacturing-vat-credit", "extra_credit_rate").value
        point = self._first_point("advanced-manufacturing-vat-credit", "rate")
        special = next((p for p in self.kb.points(None, "advanced-manufacturing-vat-credit")
                        if p.applies_to == "ic_or_machine_tool"), None) if self.q.ic_or_machine_tool else None
        said = re.search(r"比例为(\d+(?:\.\d+)?)%", special.text) if special else None
        if said:  # "我们在工业母机企业清单里…增值税加计抵减是多少": that list's own rate
            rate, point = float(said.group(1)) / 100, special
        credit = tax.money(input_vat * rate)
        self.vat_credit_wan = credit  # ("增值税加计抵减加上研发加计扣除一共能省多少": summed with the income tax below)
        lines = [f"• 增值税加计抵减：可抵扣进项税额{num(input_vat)}万元×{pct(rate)}=加计抵减{num(credit)}万元"
                 "（抵减应纳增值税，须在相应的企业名单内）。" if said else
                 f"• 增值税加计抵减：可抵扣进项税额{num(input_vat)}万元×{pct(rate)}=加计抵减{num(credit)}万元"
                 "（抵减应纳增值税，须在省级先进制造业企业名单内）。", point.text if point else ""]
        if said or "interaction" in self.q.aspects:
            rules = next((p for p in self.kb.points(None, "advanced-manufacturing-vat-credit") if "择一" in p.text), None)
            if rules:  # "两个增值税加计能叠加吗（5%和15%）": one scheme only
                lines.append(rules.text)
        payable = self.q.facts.get("vat_payable_wan")
        if payable is not None:  # "加计抵减前应纳增值税50万，抵减后要交多少"
            used = min(credit, payable)
            line = f"抵减后应纳增值税：{num(payable)} − {num(used)} = {num(tax.money(payable - used))}万元"
            rest = tax.money(credit - used)
            line += f"；未抵减完的 {num(credit)} − {num(used)} = {num(rest)}万元结转下期继续抵减。" if rest > 0 else "。"
            lines.insert(1, line)
        return Part("compute", [line for line in lines if line], [point.citation] if point else [])

    def _small_profit_check(self) -> Optional[Part]:
        """小型微利企业 by its three caps, when the user gives any of the firm's figures."""
        facts = self.q.facts
        caps = _SMALL_PROFIT_CAPS
        lines = []
        for fact, name, label, unit in caps:
            if fact in facts:
                cap = self.kb.parameter("small-low-profit-rate", name).value
                ok = facts[fact] <= cap
                lines.append(f"{'✓' if ok else '✗'} {label}{num(facts[fact])}{unit}，{'' if ok else '超过'}要求不超过{num(cap)}{unit}")
        if not lines:
            return None
        failed = any(line.startswith("✗") for line in lines)
        head = "不属于小型微利企业（不满足条件）：" if failed else \
            ("按给出的条件，属于小型微利企业（其余条件也要满足）：" if len(lines) == 3 else "已给出的条件都满足（其余条件也要满足）：")
        point = self._first_point("small-low-profit-rate", "conditions")
        tail = [] if failed or not point else [point.text]
        income = facts.get("taxable_income_wan")
        if income is not None and not failed:
            tail.insert(0, self._small_profit_tax(income))
        elif income is not None:
            # "算错了，应纳税所得额是350万": not small-profit, so the tax at the rate that applies
            rate = self.kb.parameter("high-tech-rate", "high_tech_cit_rate" if self.q.high_tech else "standard_cit_rate")
            which = "高新技术企业税率" if self.q.high_tech else "法定税率"
            tail.append(f"按{which}：应纳企业所得税 = {num(income)} × {pct(rate.value)} = "
                        f"{num(tax.money(income * rate.value))}万元。")
        return Part("compute", [head, *lines, *tail], [point.citation] if point else [])

    def _small_profit_after_rd(self) -> Optional[tuple]:
        """(income before, income after, cap) when the taxable income is said before the R&D
        deduction, is over the small-profit cap, and the deduction brings it under (staff and assets,
        when given, within their caps too). None otherwise."""
        q = self.q
        income, rd = q.facts.get("taxable_income_wan"), q.facts.get("rd_expense_wan")
        if income is None or not rd or q.high_tech or not re.search(r"还没扣|没扣|未扣|加计前|扣除前|还没算加计|没算加计|扣加计之前|加计之前|"
                                                                  r"已经计入成本|已计入成本|计入成本了|还没加计|没加计|已经计入费用|已计入费用|计入费用了|"
                                                                  r"加计(?:扣除)?(?:以后|之后|后)(?:能不能|是不是|能否|可以|能)", q.text):
            return None
        cap = self.kb.parameter("small-low-profit-rate", "income_cap_wan").value
        after = tax.money(income - rd * self.kb.parameter("rd-super-deduction", "extra_rate").value)
        staff, assets = q.facts.get("staff_count"), q.facts.get("total_assets_wan")
        within = (staff is None or staff <= self.kb.parameter("small-low-profit-rate", "staff_cap").value) and \
            (assets is None or assets <= self.kb.parameter("small-low-profit-rate", "assets_cap_wan").value)
        if income <= cap or after > cap or not within or not (q.small_profit or staff is not None or assets is not None):
            return None
        return income, after, cap

    def _small_profit_by_figures(self) -> Optional[str]:
        """The firm's three small-profit figures in words, when all are given and within their caps."""
        facts = self.q.facts
        caps = _SMALL_PROFIT_CAPS
        if self.q.high_tech or any(facts.get(fact) is None for fact, *_ in caps) or self._over_small_profit_cap():
            return None
        return "、".join(f"{words}{num(facts[fact])}{unit}" for fact, _, words, unit in caps)

    def _over_small_profit_cap(self) -> bool:
        return self._small_profit_cap_exceeded() is not None

    def _small_profit_cap_exceeded(self) -> Optional[str]:
        """“员工350人…按5%还是25%”: the first of the three caps the firm's figures exceed, in words."""
        facts, kb = self.q.facts, self.kb
        caps = _SMALL_PROFIT_CAPS
        for fact, name, words, unit in caps:
            value = facts.get(fact)
            cap = kb.parameter("small-low-profit-rate", name).value
            if value is not None and value > cap:
                return f"{words}{num(value)}{unit}超过小型微利企业{num(cap)}{unit}的上限"
        return None

    def _interest_subsidy(self) -> Optional[Part]:
        loan = self.q.facts.get("loan_wan")
        if loan is None or INTEREST_SUBSIDY not in self.q.topics:
            return None
        points = self.kb.parameter(INTEREST_SUBSIDY, "subsidy_points")
        years = self.kb.parameter(INTEREST_SUBSIDY, "max_years").value
        per_year = tax.money(loan * points.value / 100)
        line = (f"贴息按每年{num(points.value)}个百分点计：{num(loan)} × {num(points.value)}% = {num(per_year)}万元/年；"
                f"期限最长{num(years)}年，最多 {num(per_year)} × {num(years)} = {num(tax.money(per_year * years))}万元"
                f"（贷款须符合设备更新贷款贴息的条件，以实际贴息为准）。")
        point = self._first_point(INTEREST_SUBSIDY, "amount")
        return Part("compute", [line, point.text if point else ""], [point.citation] if point else [points.citation])

    def _tariff_and_income_tax(self) -> Optional[Part]:
        value, rate = self.q.facts.get("customs_value_wan"), self.q.facts.get("tariff_rate_pct")
        saved = self.income_tax_saved
        if value is None or rate is None or not saved or IMPORT_EXEMPTION not in self.q.topics \
                or not re.search(r"一共|合计|总共|加起来|加上|一起|总计", self.q.text):
            return None
        duty = tax.money(value * rate / 100)
        return Part("compute", [f"关税和企业所得税合计少缴约 {num(duty)} + {num(saved)} = {num(tax.money(duty + saved))}万元"
                                "（免的是关税，其余是企业所得税；进口环节增值税照常缴纳）。"])

    def _tariff_saved(self) -> Optional[Part]:
        value, rate = self.q.facts.get("customs_value_wan"), self.q.facts.get("tariff_rate_pct")
        if value is None or IMPORT_EXEMPTION not in self.q.topics:
            return None
        if rate is None and not (set(self.q.aspects) & {"compute", "amount"} or _SAVING_ASKED.search(self.q.text)):
            return None
        if rate is None:  # "进口一台设备一千五百万，关税能省多少钱": the tariff rate decides it
            point = self._first_point(IMPORT_EXEMPTION, "conditions")
            return Part("deferral", [
                f"免征的关税 = 完税价格 × 关税税率：设备{num(value)}万元，政策摘要没有规定这台设备适用的关税税率（按海关税则归类确定），"
                "告诉我税率我可以帮您算；税率可以向海关（12360）确认。", *([point.text] if point else [])],
                [point.citation] if point else [])
        duty = tax.money(value * rate / 100)
        point = self._first_point(IMPORT_EXEMPTION, "conditions")
        basis = ("按设备价格作完税价格、按您说的关税税率估算，实际以海关审定的完税价格为准" if self.customs_from_price
                 else "按您说的完税价格和关税税率")
        lines = [f"免征的关税：{num(value)} × {num(rate)}% = {num(duty)}万元（{basis}）；进口环节增值税不免，照常征收。"]
        if point:
            lines.append(point.text)
        vat = next((p for p in self.kb.points(None, IMPORT_EXEMPTION) if "抵扣" in p.text), None)
        if vat and re.search(r"抵扣|能抵|可以抵", self.q.text):  # "进口环节增值税还要交吗、能抵扣吗"
            lines.append(vat.text)
        return Part("compute", lines, [point.citation] if point else [])

    def _tax_by_status(self, income: float) -> Part:
        kb = self.kb
        standard = kb.parameter("high-tech-rate", "standard_cit_rate")
        reduced = kb.parameter("high-tech-rate", "high_tech_cit_rate").value
        effective = kb.parameter("small-low-profit-rate", "effective_rate").value
        cap = kb.parameter("small-low-profit-rate", "income_cap_wan").value
        staff = kb.parameter("small-low-profit-rate", "staff_cap").value
        assets = kb.parameter("small-low-profit-rate", "assets_cap_wan").value
        lines = [f"按法定税率{pct(standard.value)}：{num(income)} × {pct(standard.value)} = {num(tax.money(income * standard.value))}万元。"]
        if income <= cap:
            lines.append(f"如果符合小型微利企业条件（年应纳税所得额不超过{num(cap)}万元、从业人数不超过{num(staff)}人、资产总额不超过"
                         f"{num(assets)}万元），实际税负{pct(effective)}：{num(income)} × {pct(effective)} = {num(tax.money(income * effective))}万元。")
        lines.append(f"如果是高新技术企业，按{pct(reduced)}：{num(income)} × {pct(reduced)} = {num(tax.money(income * reduced))}万元。")
        lines.append("告诉我企业的从业人数、资产总额或是否高新，我按适用的一种算。")
        point = self._first_point("small-low-profit-rate", "conditions") if income <= cap else None
        return Part("compute", lines, [point.citation] if point else [])

    def _high_tech_tax(self, income: float) -> Part:
        reduced = self.kb.parameter("high-tech-rate", "high_tech_cit_rate").value
        standard = self.kb.parameter("high-tech-rate", "standard_cit_rate").value
        low, full = tax.money(income * reduced), tax.money(income * standard)
        line = (f"按高新技术企业{pct(reduced)}税率：{num(income)} × {pct(reduced)} = {num(low)}万元；"
                f"按法定税率：{num(income)} × {pct(standard)} = {num(full)}万元，少缴 {num(full)} − {num(low)} = "
                f"{num(tax.money(full - low))}万元。")
        cite = self._point_citation("high-tech-rate", "rate")
        return Part("compute", [line, "以上为估算，以税务机关认定和汇算清缴为准。"], [cite] if cite else [])

    def _small_profit_tax(self, income: float) -> str:
        """“应纳税所得额200万，要交多少”: the tax at the effective rate beside the standard rate."""
        effective = self.kb.parameter("small-low-profit-rate", "effective_rate").value
        standard = self.kb.parameter("high-tech-rate", "standard_cit_rate").value
        small, full = tax.money(income * effective), tax.money(income * standard)
        line = f"应纳企业所得税 = {num(income)} × {pct(effective)} = {num(small)}万元（实际税负{pct(effective)}）"
        if not _SAVING_ASKED.search(self.q.text):
            return line + "。"  # "所得税交多少": the tax due, not a figure at a rate that does not apply
        return (f"{line}；按法定税率 {num(income)} × {pct(standard)} = {num(full)}万元，少缴 {num(full)} − {num(small)} = "
                f"{num(tax.money(full - small))}万元。")

    def _deducted_at(self, result: tax.TaxResult, request: Dict[str, Any], value: float) -> Tuple[tax.TaxResult, bool]:
        """The estimate with its one unit's one-time deduction taken at `value` (the unit's whole value, or
        its price with freight), the other items as they were; and whether the unit is still deducted."""
        unit = request["equipment"][0]
        at_value = tax.estimate({**request, "equipment": [{**unit, "value_wan": value}]}, kb=self.kb)
        swapped = {i.incentive_id: i for i in at_value.items if i.incentive_id == tax.EQUIP}
        items = [swapped.get(i.incentive_id, i) for i in result.items if i.incentive_id != tax.EQUIP or swapped]
        notes = [*result.notes, *(n for n in at_value.notes if "单位价值超过" in n)]
        return tax.TaxResult(items=items, total_tax_saving_wan=result.total_tax_saving_wan, notes=notes), bool(swapped)

    def _special_kind_unsaid(self, request: Dict[str, Any]) -> str:
        """“买了一台专用设备600万，能抵免多少税”: the credit asked of a 专用设备 whose kind is not said is
        estimated as one in the catalogue, and the reply says so."""
        units, q = request["equipment"], self.q
        if tax.SPECIAL not in q.topics or not units or any(u.get("special_purpose") for u in units) \
                or not re.search(r"专用设备|抵免", q.text) or re.search(r"不在[^，。；？?]{0,6}目录|不是专用|非专用|普通设备", q.text):
            return ""
        purposes = self.kb.parameter(tax.SPECIAL, "special_purposes").value
        for unit in units:
            unit["special_purpose"] = purposes[0]
        if "专用设备" in q.text:
            return (f"没有说明设备属于哪一类：下面按列入《目录》的{'、'.join(purposes)}专用设备估算，"
                    "不在目录内的设备不能抵免。")
        # "买了台160万的设备，能抵免多少税": the credit holds only for a catalogued special unit
        return (f"没有说明这台设备是不是列入《目录》的{'、'.join(purposes)}专用设备：下面按是估算；"
                "普通设备不能抵免。")

    def _equipment(self, item: Dict[str, Any]) -> Dict[str, Any]:
        year = item.get("year") or (self.state.today.year - item["years_ago"] if item.get("years_ago") else None)
        bought = dt.date(year, 6, 30) if year and year != self.state.today.year else self.state.today
        out = {"value_wan": item["value_wan"], "purchase_date": bought.isoformat()}
        if item.get("special_purpose"):
            out["special_purpose"] = item["special_purpose"]
        return out

    def _estimate_lines(self, result: tax.TaxResult, request: Dict[str, Any]) -> List[str]:
        self.income_tax_saved = result.total_tax_saving_wan  # (summed with the tariff waived when both are asked)
        lines = []
        for item in result.items:
            explanation = item.explanation
            if item.incentive_id == tax.TRANSFER and not _SAVING_ASKED.search(self.q.text) and len(result.items) == 1:
                # "所得刚好500万，要不要交所得税": the tax due; the full-rate comparison only when savings are asked
                explanation = re.sub(r"；全额征税应纳[^；。]*?少缴[\d.]+万元。$", "。", explanation)
            lines.append(f"• {item.name}：{explanation}")
            if item.incentive_id == tax.SPECIAL:
                lines.append(self._payable_limit(item.credit_wan or 0.0, request))
        ids = {item.incentive_id for item in result.items}
        if {tax.EQUIP, tax.SPECIAL} <= ids:  # the same unit may be in both: the facts do not say if that is allowed
            stacking = self._first_point(tax.SPECIAL, "interaction")
            lines.append(stacking.text if stacking else "")
            if "interaction" in self.q.aspects:  # asked outright: who can settle it
                lines.append(f"建议咨询{self._who('tax', None)}。需要的话我可以帮您转人工。")
                self.answer.offer_handoff = True
        counted = [i for i in result.items if i.included_in_total]
        retrofit = getattr(self, "retrofit_credit", None)
        if retrofit and counted:  # "改造抵免…另外研发200万，一共能少交多少"
            terms = " + ".join(num(v) for v in [retrofit, *(i.tax_saving_wan for i in counted)])
            total = tax.money(retrofit + result.total_tax_saving_wan)
            lines.append(f"合计少缴约 {terms} = {num(total)}万元（一次性扣除为递延，不计入）。")
        elif len(counted) > 1:
            terms = " + ".join(num(i.tax_saving_wan) for i in counted)
            lines.append(f"合计少缴约 {terms} = {num(result.total_tax_saving_wan)}万元（一次性扣除为递延，不计入）。")
        both = self.vat_credit_wan and result.total_tax_saving_wan and re.search(r"一共|合计|总共|加起来|加上|一起|两项|两个", self.q.text)
        if both:  # "增值税加计抵减加上研发加计扣除一共能省多少": the VAT and the income tax, summed
            total = tax.money(self.vat_credit_wan + result.total_tax_saving_wan)
            lines.append(f"增值税和企业所得税合计少缴约 {num(self.vat_credit_wan)} + {num(result.total_tax_saving_wan)} = {num(total)}万元"
                         "（加计抵减减的是增值税，其余是企业所得税）。")
        if self.q.tech_transfer_is_revenue and request.get("tech_transfer_income_wan") is not None:
            lines.append(f"注意：减免按技术转让“所得”（收入－成本－相关税费）计算。上面把您说的"
                         f"{num(request['tech_transfer_income_wan'])}万元当作所得；如果这是合同收入，请告诉我成本和税费，我再算。")
        lines += [n for n in result.notes if "递延" not in n and "估算" not in n and "未提供" not in n][:2]
        if not any(i.tax_saving_wan or i.credit_wan for i in result.items):
            return [line for line in lines if line]  # "600万的设备" over the one-time cap: nothing estimated
        standard = pct(self.kb.parameter('high-tech-rate', 'standard_cit_rate').value)
        if "income_tax_rate" not in request and self.q.not_high_tech:
            lines.append(f"按法定税率{standard}估算（您说的不是高新技术企业）。")
        elif "income_tax_rate" not in request:
            lines.append(f"未说明税率，按法定税率{standard}估算；高新技术企业请告诉我。")
        lines.append("以上为估算，以税务机关认定和汇算清缴为准。")
        return [line for line in lines if line]

    def _payable_limit(self, credit: float, request: Optional[Dict[str, Any]] = None) -> str:
        payable = self.q.facts.get("tax_payable_wan")
        carried = self.q.facts.get("credit_carried_wan")
        income = self.q.facts.get("taxable_income_wan")
        worked = ""
        if payable is None and income is not None and request is not None and (
                not request.get("rd_expense_wan") or self.q.facts.get("income_after_deductions")):
            # "做完研发加计扣除以后，应纳税所得额还剩120万": the year's tax the credit comes off
            rate = request.get("income_tax_rate", self.kb.parameter("high-tech-rate", "standard_cit_rate").value)
            payable = tax.money(income * rate)
            worked = f"  当年应纳税额 = 应纳税所得额{num(income)} × {pct(rate)} = {num(payable)}万元；"
            if payable >= credit:
                return worked + f"足够抵免，抵免后应纳 {num(payable)} − {num(credit)} = {num(tax.money(payable - credit))}万元。"
        if carried and payable is not None:
            # "前年的抵免额还有十二万没抵完，今年应纳税额五十万": both credits come off this year's tax
            total = tax.money(carried + credit)
            used = min(total, payable)
            line = (f"  加上以前年度结转未抵完的{num(carried)}万元，今年可抵免 {num(carried)} + {num(credit)} = {num(total)}万元；"
                    f"当年应纳税额{num(payable)}万元，抵免后应纳 {num(payable)} − {num(used)} = {num(tax.money(payable - used))}万元")
            return line + (f"，其余 {num(total)} − {num(payable)} = {num(tax.money(total - payable))}万元继续结转。" if total > payable else "。")
        if payable is None or payable >= credit:
            return ""
        rest = tax.money(credit - payable)
        years = self.kb.parameter("special-equipment-credit", "carry_forward_years").value
        if worked:
            return (worked + f"当年可抵免{num(payable)}万元，"
                    f"其余 {num(credit)} − {num(payable)} = {num(rest)}万元结转以后{num(years)}个纳税年度抵免。")
        return (f"  当年应纳税额{num(payable)}万元，当年可抵免{num(payable)}万元，"
                f"其余 {num(credit)} − {num(payable)} = {num(rest)}万元结转以后{num(years)}个纳税年度抵免。")

    def _estimate_citations(self, result: tax.TaxResult) -> List[Citation]:
        cites = []
        for item in result.items:
            point = self._first_point(item.incentive_id, "rate") or self._first_point(item.incentive_id, "threshold")
            if item.incentive_id == tax.RD and self.q.ic_or_machine_tool:  # 120%: the 集成电路/工业母机 notice
                point = next((p for p in self.kb.points(None, tax.RD) if p.applies_to == "ic_or_machine_tool"), point)
            if point:
                cites.append(point.citation)
        return cites

    def _point_citation(self, topic: str, aspect: str) -> Optional[Citation]:
        """The official text behind a topic's figure (a point's basis, not the digest's title)."""
        point = self._first_point(topic, aspect)
        return point.citation if point else None

    def _first_point(self, topic: str, aspect: str) -> Optional[Point]:
        return next((p for p in self.kb.points(None, topic) if aspect in p.aspects), None)

    # --- honest deferral -------------------------------------------------------------------

    def _deferral(self, topic: Optional[str], aspect: Optional[str] = None, region: Optional[str] = None) -> Part:
        """The sources do not give what was asked; `region` for one of several places asked."""
        named_aspect = aspect
        aspect = aspect or next((a for a in self.q.aspects if a in MISSING), None)
        what = MISSING.get(aspect, "这个问题")
        if self.q.details and not named_aspect:
            # "高新证书明年到期，今年还能按15%交吗": the detail asked, not "时间"
            what = "、".join(self._materials_too(list(self.q.details), topic, region or self.region))
        named = next((t.name for t in self.kb.topics() if t.id == topic), None) if topic else None
        if what == "这个问题" and named and self.kinds.get(topic) not in ("program", "award", "incentive"):
            what = f"{named}方面的内容"  # "六安…技改项目的用地能优先保障吗": 六安's document has no land measure
        national = topic == "tax" or self.kinds.get(topic or "") == "incentive"
        taxes = [d for d in self.q.details if d in self.q.detail_department and "12366" in self.q.detail_department[d]]
        if taxes and not named_aspect and len(taxes) == len(self.q.details):
            # "新盖的技改厂房，房产税跟城镇土地使用税能减免不": a tax none of the sources speaks of, whatever topic named it
            return Part("deferral", [f"两份技改文件和国家税收优惠政策摘要都没有规定{'、'.join(taxes)}。",
                                     f"建议咨询{self.q.detail_department[taxes[0]]}。需要的话我可以帮您转人工。"])
        if national:
            scope = "国家税收优惠政策摘要"
        elif region or self.region:
            scope = f"《{self.kb.document_of_region(region or self.region).title}》"
        else:
            scope = self._regional_documents() + "和国家政策摘要"
        near = self._nearest(topic, region)
        if near and not national and not self.region and near.region != NATIONAL_REGION:
            scope = f"《{self.kb.document_of_region(near.region).title}》"  # "市里请第三方…做技改对标诊断": only 六安's has it
        one = national or bool(region or self.region) or bool(near and near.region != NATIONAL_REGION)
        lines = [f"{scope}没有规定{what}。" if one else f"{scope}都没有规定{what}。"]
        cites: List[Citation] = []
        if near:
            lines.append(f"相关的规定是：{near.text}")
            cites.append(near.citation)
        lines.append(f"建议咨询{self._who(topic, near)}。需要的话我可以帮您转人工。")
        return Part("deferral", lines, cites)

    def _nearest(self, topic: Optional[str], only: Optional[str] = None) -> Optional[Point]:
        if not topic or topic == "tax":
            return None
        mapped = self._detail_near(list(self.q.details)) if self.q.details else None
        if mapped and mapped.topic == topic:
            return mapped  # "在不在节能节水专用设备目录里，找谁判断": the point the detail is mapped to
        regions = [None] if self.kinds.get(topic) == "incentive" else [only] if only else self._target_regions()
        for region in regions:
            points = self.kb.points(region, topic)
            if region:
                points = [p for p in points if p.region == region]
            near = [p for p in points if {"procedure", "materials"} & set(p.aspects)] \
                if {"materials", "procedure"} & set(self.q.aspects) else []
            cues = [c for t in self.kb.topics() if t.id == topic for c in t.cues if len(c) >= 2 and c in self.q.text]
            named = [p for p in points if any(c in p.text for c in cues)]
            if not near and named:  # the topic's points that name the cue the question used come first
                points = named + [p for p in points if p not in named]
            if near or points:  # "入库要交哪些申报材料": the filing the library asks for is nearest
                return (near or points)[0]
        return None

    def _who(self, topic: Optional[str], near: Optional[Point]) -> str:
        if near and near.department and "统计" in near.department and not re.search(r"统计|数据|入统|纳统", self.q.text):
            near = replace(near, department=None)  # "入库流程…一年报几次": the programme's office, not the statistics bureau
        if near and near.department:
            contact = self._contact(near.region) if near.region != NATIONAL_REGION else None
            if near.department.endswith("主管部门") and contact and near.department not in contact:
                return f"{near.department}（或{contact}）"  # "县区主管部门" names no office: the region's one beside it
            return near.department
        if near and near.region != NATIONAL_REGION and self._contact(near.region):
            return self._contact(near.region)  # the nearest rule is one region's: that region's office
        staffed = [p.department for p in self.kb.points(None, topic) if p.department] if topic and \
            self.kinds.get(topic) == "incentive" else []
        if staffed:  # "设备更新贷款贴息怎么申请": the lender and the issuing departments, not the tax office
            return staffed[0]
        if topic == "tax" or self.kinds.get(topic or "") == "incentive" or (not topic and "税" in _without_records(self.q.text)):
            return self._contact(NATIONAL_REGION) or "主管税务机关"
        regions = self._target_regions()
        contacts = [f"{self.kb.short_region(r)}：{self._contact(r)}" for r in regions if self._contact(r)]
        return "；".join(contacts) if len(contacts) > 1 else (self._contact(regions[0]) or "当地工信部门")

    def _town_covered(self) -> Optional[Part]:
        """“六安那个技改政策我们霍山的企业能用吗”: the town said is in a covered region."""
        towns = [t for t in self.q.towns_named if self.kb.short_region(self.region or "") not in t] if self.region else []
        if not towns or self.q.other_places or not re.search(r"能用|适用|能不能用|可以用|管不管|管得到|算不算在", self.q.text):
            return None
        name = self.kb.short_region(self.region)
        who = next((p for p in self.kb.points(self.region, "program") if p.region == self.region and "who" in p.aspects), None)
        document = self.kb.document_of_region(self.region)
        return Part("rule", [f"{towns[0]}属于{name}，《{document.title}》适用于{towns[0]}的企业。"],
                    [who.citation] if who else [])

    def _programme_not_held(self) -> Part:
        names = "、".join(f"“{p}”" for p in self.q.programmes_outside)
        covered = "、".join(self.kb.short_region(r) for r in self.kb.regions())
        return Part("uncovered", [
            f"我没有收录{names}的政策文件（不在覆盖范围内），无法告诉您它的支持对象、申报条件、补助比例或金额，"
            "请以发布部门的正式通知为准，或向当地发展改革、工业和信息化部门咨询。",
            f"我收录的是{covered}的技改政策和全国适用的税收优惠，这些方面可以帮您解答。"])

    def _local_not_held(self) -> Part:
        said = [m for m in re.findall(r"([\u4e00-\u9fa5]{2}(?:县|区))", self.q.text)
                if not re.search(r"自治|园区|开发|高新|县区|市区|城区|辖区|地区|片区|山区|景区|社区|厂区|园|里|们|的|和|或", m)]
        place = said[0] if said else self.q.towns_named[0] if self.q.towns_named else "县（区）"
        return Part("uncovered", [
            f"{place}本级自己的技改配套政策我没有收录（不在覆盖范围内），有没有额外奖励、能否与上级奖励叠加，"
            f"请向{place}的工信（经信）部门咨询。"])

    def _uncovered(self, national: Sequence[str] = ()) -> Part:
        """The place said is not covered. `national`: the national incentives asked, which apply there too
        (“湖北的企业能享受设备一次性扣除吗”: yes, and that place's own rules are what is not held)."""
        place = self.q.other_places[0]
        city = next((p for p in self.q.other_places[1:] if f"{place}{p}" in self.q.text or f"{place}省{p}" in self.q.text), None)
        place = city or place  # "河南信阳的": the city, not its province
        covered = "、".join(self.kb.short_region(r) for r in self.kb.regions())
        titles = {t.id: t.name for t in self.kb.topics()}
        names = [titles[t] for t in national if t in titles and t != "tax-claiming"]
        if names and not self.regions and place in _ABROAD:
            # "准备在越南建厂，越南那边的设备投资能享受国内的专用设备抵免吗": abroad is not 全国
            return Part("uncovered", [
                f"{'、'.join(names)}是中国的企业所得税优惠，适用于在中国境内缴纳企业所得税的企业；{place}的投资和设备能否适用，"
                f"政策摘要没有规定，建议咨询主管税务机关或纳税服务热线12366。{place}当地的政策我没有收录（不在覆盖范围内）。"])
        if names and not self.regions:
            return Part("uncovered", [
                f"{'、'.join(names)}是国家层面的政策，全国统一适用，{place}的企业同样可以享受（条件见下）；"
                f"地方技改政策我只收录了{covered}的，没有收录{place}本地的（不在覆盖范围内），"
                f"需要时请向{place}的工业和信息化主管部门（经信部门）咨询。"])
        lines = [
            f"我目前只收录了{covered}的技改政策和全国适用的税收优惠，没有收录{place}的政策文件（不在覆盖范围内），"
            f"无法告诉您{place}的奖补标准或申报条件，建议向{place}的工业和信息化主管部门（经信部门）咨询。",
            "全国适用的税收优惠（研发费用加计扣除、设备一次性扣除、专用设备投资抵免等）我可以帮您估算。",
        ]
        cites: List[Citation] = []
        if self.q.firm_elsewhere and self.regions:
            # "河南信阳的…能不能按六安的政策申请": a covered region's programme is for its own firms
            for region in self.regions:
                who = next((p for p in self.kb.points(region, "program") if p.region == region and "who" in p.aspects), None)
                lines.insert(1, f"{self.kb.short_region(region)}的技改项目库和奖补面向本地区的企业，"
                                f"{place}的企业不适用，不能按{self.kb.short_region(region)}的政策申请。")
                cites += [who.citation] if who else []
        return Part("uncovered", lines, cites)

    def _regional_documents(self) -> str:
        """'两份技改文件': how many regional documents the knowledge base holds."""
        count = len([d for d in self.kb.documents() if d.region != NATIONAL_REGION])
        return f"{_COUNT_WORDS[count] if count < len(_COUNT_WORDS) else count}份技改文件"

    def _contact(self, region: str) -> Optional[str]:
        document = self.kb.document_of_region(region)
        return document.contact if document else None


_LIFETIME_TOTAL = re.compile(r"。加计扣除合计[\d.]+万元×企业所得税税率[\d.]+%=少缴企业所得税[\d.]+万元。")


def _this_year_rd(result: tax.TaxResult, saving: float) -> tax.TaxResult:
    """The estimate with the R&D item at this year's saving (the intangible's years known), the
    lifetime total left out of its line, the total summed again."""
    items = [item.copy(update={"tax_saving_wan": saving,
                               "explanation": _LIFETIME_TOTAL.sub("。今年的加计扣除和少缴税额见下。", item.explanation)})
             if item.incentive_id == tax.RD else item for item in result.items]
    total = tax.money(sum(item.tax_saving_wan for item in items if item.included_in_total))
    return tax.TaxResult(items=items, total_tax_saving_wan=total, notes=result.notes)


def _claiming_method(points: Iterable[Point]) -> List[Point]:
    """The point on how every income-tax incentive is claimed (自行判别、申报享受、留存备查), before a side point."""
    return [p for p in points if "自行判别" in p.text]


# places the sources' 全国 does not reach (the countries among `places_outside`)
_ABROAD = frozenset({"越南", "泰国", "印尼", "印度尼西亚", "马来西亚", "柬埔寨", "老挝", "缅甸", "菲律宾", "印度", "墨西哥", "俄罗斯"})
_LATE_CHOICE = re.compile(r"(?:当时|当年|那年|去年|之前|以前)(?:没|没有|未)(?:选|选择|做|享受|用)?(?:一次性|扣)|"
                          r"补扣|改成一次性|改为一次性|再一次性扣")
_PAST_INTANGIBLE = re.compile(r"(?:前两年|前几年|前年|去年|以前|之前|往年|早年|过去)[^。；？?]{0,12}?(?:形成|做成|转成|变成)[^。；？?]{0,4}?无形资产")
_TOWN_DOCUMENTS = re.compile(r"[县区市]里的(?:文件|政策)|[县区]自己的(?:文件|政策)|文件你们有没有|有没有收录|收录了没|你们有[县区]")


_CAPACITY_ADDED = re.compile(r"(?<!不)(?:扩|扩大|新增|增加|提高|提升)[^，。？?]{0,3}产能|扩产(?!品)")
# A second question often asked beside an incentive's procedure: (its words in the question, the words of the point that answers it).
_SIDE_QUESTIONS = {"imported-equipment-tariff-exemption": (r"增值税", "进口环节增值税")}
_MISSED_CLAIM = re.compile(r"忘了|忘记|漏了|漏报|没报|没享受|没填|错过|没来得及|没(?:有)?做(?:加计|扣除|抵免)|没(?:有)?申报|未享受|未申报|补享受|还能补")  # a claim not made when it could be
_LAW_ASKED = re.compile(r"增值税法|施行后|施行以后|实施后|实施以后")  # the 2026 VAT law asked about
_OFF_TOPIC = re.compile(r"天气|下雨|下雪|气温|股票|彩票|外卖|机票|火车票|高铁票|订酒店|酒店|导航|路况|讲个笑话|笑话|讲个故事|星座|算命|"
                        r"菜谱|做饭|电影|歌曲|唱歌|打游戏|游戏")
TASK_REQUEST = re.compile(r"帮(?:我|我们|忙)?(?:写|编|起草|撰写|生成|翻译)|代写|代填|帮(?:我|我们)?填一下|写个|写一份|写一篇|做个PPT|做一份|生成一份|脚本|程序代码")
TASK_REPLY = ("我不能代写申报材料、可研报告或程序脚本，也不能代为填报。我能做的是：按两份技改文件和国家税收优惠政策，"
              "回答项目能否入库或入选、要满足哪些条件、文件要求准备什么，以及估算税收优惠。需要人工帮助请说“转人工”。")
_OWN_CHECK_ASKED = re.compile(r"行吗|行不行|够不够|够吗|够了吗|差好多|差多少|差得远|达标|符合吗|能进吗|能入选吗|可以吗|没问题吧")
_WAIVER_ASKED = re.compile(r"直接(?:进|入选|入库|纳入|就能)|不用看|不看|不用管|免(?:于|除)?(?:条件|门槛)|不受(?:条件|门槛|投资额)|就能进|就可以进|就不用")
_SIZE_ASKED = re.compile(r"只(?:给|针对|支持|面向|限)(?:大|规上|国有)|大企业才|(?:中小|小微|小型|小)企业(?:能|可以|也|有没有|有资格)|对我们开放|开放吗")
# the incentives claimed by 自行判别、申报享受、留存备查 (not VAT, customs or the finance measures)
_INCOME_TAX = frozenset({"rd-super-deduction", "equipment-one-time-deduction", "accelerated-depreciation",
                         "special-equipment-credit", "tech-transfer-exemption", "high-tech-rate", "small-low-profit-rate"})
_CLAIMING_WORDS = ("预缴", "汇算清缴", "汇算", "留存备查", "追溯", "补享")


def _title_core(honor: str) -> str:
    """“省级企业技术中心” → “企业技术中心”: the kind of title without its level."""
    return re.sub(r"^(国家级|省级|市级|县级)", "", honor)


def _unquoted(text: str) -> str:
    return text.replace("“", "").replace("”", "").replace('"', "")


def _without_records(text: str) -> str:
    """The text without the words of a firm's tax record (纳税信用, 纳税人): they ask no tax question."""
    return re.sub(r"纳税信用|纳税人|税务登记", "", text)


def _near_ids(q: Question) -> Set[str]:
    """Every point the table names as nearest to a detail asked."""
    return {i for ids in q.detail_near.values() for i in ids}


def _without(result: tax.TaxResult, incentives: Set[str], notes_from: Optional[str] = None) -> tax.TaxResult:
    """The estimate without some incentives' items (barred, or not asked), its total summed again;
    notes starting with `notes_from` dropped too."""
    kept = [item for item in result.items if item.incentive_id not in incentives]
    notes = [n for n in result.notes if not (notes_from and n.startswith(notes_from))]
    total = tax.money(sum(item.tax_saving_wan for item in kept if item.included_in_total))
    return tax.TaxResult(items=kept, total_tax_saving_wan=total, notes=notes)


_SOURCE_ASKED = re.compile(r"哪里的政策|哪儿的政策|哪个地方的政策|哪个省的政策|哪个地区的政策|是哪里的|哪个文件|什么文件(?:规定|里|上|定)"
                           r"|出自哪|出处|(?:文件|政策)(?:是)?(?:哪个部门|谁|哪家|哪个单位)(?:发|出|定)的"
                           r"|(?:哪个部门|谁|哪家|哪个单位)(?:发|出)的(?:文件|政策)|政策依据是|依据是哪个|依据哪个文件|文件依据")


def region_of_shares(kb: KnowledgeBase, shares: Iterable[float]) -> Optional[str]:
    """The one region whose rules hold every percentage asked (“按10%还是30%算”: only 广西's), else None."""
    asked = set(shares)
    holding = [r for r in kb.regions()
               if asked and asked <= {f.value for f in kb.figures(r) if f.value is not None and f.unit == "%"}]
    return holding[0] if len(holding) == 1 else None


def citation_text(citation: Citation) -> str:
    """`依据：《标题》三.（四）：“……”`; national facts name the official text (文号)."""
    # a national figure names the official text it rests on (its 文号), not the digest it was read in
    title = f"《{citation.document}》" if citation.document_id != "national" else (citation.basis or citation.document)
    line = f"依据：{title}{citation.clause if citation.document_id != 'national' else ''}"
    if citation.quote and _is_chinese(citation.quote):
        line += f"：“{citation.quote}”"
    if citation.status == "secondary":
        line += "（请以官方原文为准）"
    return line


def _is_chinese(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if re.search(r"[a-z]{3,}|(?<![A-Za-z])(?:CIT|VAT)(?![A-Za-z])", text):
        return False  # the digest's own English ("高新技术企业: CIT 15%") is not the official text
    return han >= max(4, len(text) // 3)


def dedupe(citations: Iterable[Citation]) -> List[Citation]:
    seen: Dict[tuple, int] = {}
    out: List[Citation] = []
    for c in citations:
        key = (c.document, c.clause)
        if key not in seen:
            seen[key] = len(out)
            out.append(c)
        elif c.quote and not out[seen[key]].quote:
            out[seen[key]] = c  # the clause cited as a whole, then for one of its words: those words
    return out


_TITLE_LEVEL = re.compile(r"^(?:国家级|省级|市级|县级|安徽省|安徽|国家|省|市)|企业$")
_COUNTED_PROJECTS = re.compile(r"(?<![第另])([两二三四五六七八九十\d]+)(?:个|家)(?:技改|示范)?(?:项目|车间|工厂|中心|子公司|厂区)")
_DIFFERENCE_WORDS = ("差多少", "相差", "差距", "多多少", "少多少", "多出", "差几", "高多少", "低多少")


_BUILD_TITLE = re.compile(r"(?:建|建设|打造|搞|上马|新建|改造成|改成)(?:个|一个|一条|了)?(?:省级|市级)?"
                          r"(?:数字化车间|数字车间|智能工厂|智慧工厂|绿色工厂|企业技术中心|技术中心|工业设计中心|设计中心)")


_DEFINING = (("", "指"), ("", "是"), ("", "包括"), ("所说的“", ""), ("“", "”是"), ("“", "”指"), ("“", "”，"), ("", "，是"), ("", "："), ("", "＝"),
             ("", "="))
_TERM_AFTER = re.compile(r"(?:什么是|啥是|什么叫|啥叫|何谓)[“\"]?([\u4e00-\u9fa5A-Za-z、]{2,10}?)[”\"]?(?:[？?，,。]|$|呢|啊)")
_TERM_BEFORE = re.compile(r"[“\"]?([\u4e00-\u9fa5A-Za-z、]{2,14}?)[”\"]?(?:具体|到底|究竟)?(?:是什么|是啥|指什么|指啥|是指|包括哪些|包括什么|包含哪些|什么意思|啥意思|怎么认定|怎么界定|怎么理解)")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,10})[”\"]")
_MACHINERY = re.compile(r"机器|机械|生产设备|机床|生产线|加工中心|设备")
_WHERE_IN_A_SYSTEM = re.compile(r"哪里找|在哪找|在哪里找|怎么找到|哪个菜单|哪个模块|在哪下载|哪里下载|去哪下载")
_SEVERAL_ASPECTS = ("conditions", "who", "procedure", "materials", "timing", "where", "exclusions", "rate")
_DURATION_ASKED = re.compile(r"多久|几年|多少年|多长时间|管几年|期限多长|多长期限")
_DURATION = re.compile(r"(?<!\d)(?:[1-9]\d?|[一二两三四五六七八九十]+)\s*个?(?:年|个月|工作日|天)(?!\d)")  # (not "2019年")
# A number asked, how a line would give it, and what the deferral says is missing.
_QUANTITIES = (
    (re.compile(r"(?:多少|几)个?(?:工作日|天)"), re.compile(r"\d+\s*个?(?:工作日|天|日)"), "具体的天数"),
    (re.compile(r"多长时间能(?:办|批|下来|出)|多久能(?:办|批|下来|出)|多长时间办|多久办|办理要多久|要办多久|几个月能(?:办|批)"),
     re.compile(r"(?<![\d月年])\d+\s*个?(?:工作日|天|个月)"), "办理时限"),
    (re.compile(r"几号|哪一天|哪天之前|几月几日|具体日期|截止到几号"),
     re.compile(r"\d+月\d+日(?:前|之前|以前|止|截止)|\d+号(?:前|之前)|截止(?:到|日期|时间)?\d"), "具体日期"),
    (_WHERE_IN_A_SYSTEM, re.compile(r"网址|菜单|模块|路径|入口|http"), "具体的办理入口（网址、系统菜单或下载地址）"),
    (re.compile(r"(?:多少|几)个?名额|名额.{0,3}(?:多少|几个)|(?:多少|几)个(?:指标|项目名额)"),
     re.compile(r"\d+\s*(?:个|项|家)"), "名额或数量"),
    (re.compile(r"(?:每亩|每吨|能贷|贷)多少|分几次|一次给到位|分期给|几次拨付"),
     re.compile(r"\d+(?:\.\d+)?\s*(?:万元/亩|万/亩|元/吨)|分\d+次|一次性拨付"), "具体标准或拨付方式"),
    (re.compile(r"具体多少钱|给多少钱|补多少钱|奖多少钱|多少资金|具体多少|倾斜多少|额外.{0,6}多少"),
     re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿|元)"), "具体金额"),
    (re.compile(r"(?:比例|费率|利率|比率|容忍率|贴息率)(?:是|为)?(?:多少|几)|百分之几|几个点|多少个点"),
     re.compile(r"\d+(?:\.\d+)?\s*(?:%|个百分点)"), "具体比例"),
    # "占比多少才算高", "能耗具体要低于多少才算达标", "投资强度和容积率…具体要达到多少"
    (re.compile(r"多少才算|才算(?:高|达标)|多少算(?:高|达标)|具体要(?:达到|低于|高于|超过)多少|具体(?:要)?达到多少|(?:低于|达到|高于)多少才"),
     re.compile(r"(?:占比|份额|能耗|容积率|投资强度|标准煤|节能量)[^。；]{0,8}\d"), "具体的量化标准"),
)
# A standard asked of a term: “X是什么标准”, “什么样的企业算X”, “X要达到什么标准才能认定”
_STANDARD_ASKED = re.compile(r"是什么标准|是啥标准|啥标准|什么标准才|达到什么标准|什么样的(?:企业|项目)?(?:才)?算|怎样才算|怎么才算|"
                             r"才能认定|认定标准是|量化标准|具体标准|怎么定义|如何定义|怎么界定|排第几|第几名")
_STANDARD_TERM = (re.compile(r"什么样的(?:企业|项目)?(?:才)?算[“\"]?([\u4e00-\u9fa5A-Za-z]{2,12})[”\"]?"),
                  re.compile(r"[“\"]?([\u4e00-\u9fa5A-Za-z、]{2,14}?)[”\"]?(?:要|需要|得)?(?:达到)?(?:是)?(?:什么|啥)标准"),
                  re.compile(r"[“\"]?([\u4e00-\u9fa5A-Za-z、]{2,14}?)[”\"]?(?:是)?(?:怎么|如何)(?:定义|界定|认定)"),
                  re.compile(r"([\u4e00-\u9fa5]{2,8}?)(?:企业)?要[^，。？?]{0,12}?(?:排第几|第几名|才算)"))


def _standard_term(text: str) -> Optional[str]:
    for pattern in _STANDARD_TERM:
        found = pattern.search(text)
        if found:
            term = re.sub(r"^.*?(?:里说的|说的|所说的|的)(?=[\u4e00-\u9fa5])", "", found.group(1)) if "的" in found.group(1)[:4] else found.group(1)
            term = term.split("、")[0]
            return term if len(term) >= 2 else None
    return None


def _longest_head(term: str, points: Sequence[Point]) -> Optional[str]:
    """The longest head of `term` (two characters at least) that some point's text holds."""
    return next((term[:k] for k in range(len(term), 1, -1) if any(term[:k] in p.text for p in points)), None)


def _defined_term(text: str) -> Optional[str]:
    """The term a definition question asks about: “X”, 什么是X, X是什么 / 具体指啥 / 包括哪些."""
    for pattern in (_QUOTED, _TERM_AFTER, _TERM_BEFORE):
        found = pattern.search(text)
        if found:
            term = re.sub(r"^(?:里说的|里面的|说的|所说的|中的|里的|这个|那个|政策里的|请问)", "", found.group(1))
            term = re.sub(r"^[\u4e00-\u9fa5]{2,8}?(?:里说的|里面说的|所说的|说的|里讲的|讲的)", "", term)  # "六安说的技术改造"
            term = re.sub(r"(?:的标准|的定义|的意思|的范围|的界定|的含义|具体)$", "", term)
            return term if len(term) >= 2 else None
    return None


def _names_a_title_as_a_kind(q: Question) -> bool:
    """“建企业技术中心算不算创新化改造”: a title named as a kind of project, with no award in sight."""
    awardish = ("奖", "补贴", "补助", "钱", "多少", "评上", "认定", "获评", "拿到", "一共", "合计")
    return "awards" not in q.topics and "directions" in q.topics and not any(w in q.text for w in awardish)


def _builds_a_title(q: Question) -> bool:
    """The message builds a title's kind of facility as its project and asks about the project."""
    asks_project = q.case_question or "program" in q.topics or "fixed_asset_investment_wan" in q.facts
    return asks_project and bool(_BUILD_TITLE.search(q.text)) and not re.search(r"评上|认定|获评|拿到|获得|评为", q.text)


def _one_title_at_levels(items: Sequence[Any]) -> bool:
    """“省级工业设计中心奖多少？市级的呢”: one title at two levels is a comparison, not a sum."""
    return len({re.sub(r"^(?:国家级|省级|市级)", "", item.honor) for item in items}) == 1


def title_count(text: str, honor: str) -> Optional[float]:
    """How many of one title the question names: “市级数字化车间2个”, “两个市级数字化车间” (its level
    may be said once for several titles, so the title without it counts too); “A、B、C三个都新认定了”
    counts the titles listed, not three of the last."""
    core = re.sub(r"^(?:国家级|省级|市级)", "", honor)
    projects = re.search(rf"(?<![第另])([两二三四五六七八九十\d]+)个(?:[\u4e00-\u9fa5]{{0,4}}?)(?:项目|车间|工厂|中心|厂区)(?:都|同时|一起|均)?(?:被)?(?:新)?(?:被)?(?:评上了|评上|评为|评定为|评成|认定为|认定成|获评|入选|认定了)(?:了)?{re.escape(honor)}", text)
    if projects:  # "两个项目评上了市级技改示范项目", "两个车间都评上了市级数字化车间"
        count = chinese_number(projects.group(1).replace("两", "二"))
        return count if count and count > 1 else None
    for name in dict.fromkeys([honor, core]):
        # ("市级智能工厂、市级绿色工厂、市级数字化车间三个牌子": the titles counted, not three of the last)
        found = re.search(rf"(?<![第另])([两二三四五六七八九十\d]+)个{re.escape(name)}|"
                          rf"{re.escape(name)}[×x*]?([两二三四五六七八九十\d]+)个(?!牌子|称号|荣誉|头衔|奖)", text)
        listed = found and found.group(2) and re.match(r"[都全均]", text[found.end():]) \
            and re.search(r"[、和及与]", text[max(0, found.start() - 16):found.start()])
        if found and found.group(2) and not listed:
            # "评了市级智能工厂、市级绿色工厂、市级数字化车间三个": as many as the titles listed in the clause
            clause = re.split(r"[，,。；;？?！!]", text[:found.start()])[-1]
            said = chinese_number(found.group(2).replace("两", "二"))
            listed = bool(said) and said == len(re.findall(r"[、和及与]", clause)) + 1 > 1
        if found and not listed:
            count = chinese_number((found.group(1) or found.group(2)).replace("两", "二"))
            return count if count and count > 1 else None
    return None


def projects_counted(text: str) -> Optional[float]:
    """How many projects the question says hold the title (“两个项目都被评为…”), when more than one."""
    match = _COUNTED_PROJECTS.search(text)
    if not match:
        return None
    count = chinese_number(match.group(1).replace("两", "二"))
    return count if count and count > 1 else None


_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(份)?")
_PUT_TO_USE = ("投入使用", "用上", "开始使用", "投用", "启用", "装好", "安装好", "安装完", "调试好")


def _with_digits(text: str) -> str:
    """`text` with every money amount written in figures of 万元: “原值四百万” → “原值400万”."""
    out, last = [], 0
    for span in find_amounts(text):
        if span.kind == "money":
            out += [text[last:span.start], f"{num(span.value)}万"]
            last = span.end
    return "".join(out) + text[last:]


def _month_put_to_use(text: str) -> Optional[tuple]:
    """(year, month) the equipment was put to use: “2025年12月买的，当月就装好用上了” → (2025, 12),
    “2026年3月买的，4月投入使用” → (2026, 4); None without a use date."""
    use = min((text.find(cue) for cue in _PUT_TO_USE if cue in text), default=-1)
    if use < 0:
        return None
    year, month = None, None
    for match in _DATE.finditer(text[:use]):
        if match.group(1):
            year = int(match.group(1))
        month = int(match.group(2))
    if month is None or year is None or not 1 <= month <= 12:
        return None
    return year, month


_TOTAL_WORDS = ("一共", "总共", "合计", "加起来", "总计", "共计")

_ROLE_WORDS = {"rd_commissioned_domestic_wan": "委托", "rd_commissioned_foreign_wan": "境外", "rd_intangible_wan": "无形资产",
               "rd_fiscal_wan": "财政", "freight_wan": "运输"}
_PRACTICAL = ("materials", "procedure", "where", "timing")
_KEPT_WORDS = re.compile(r"凭证|发票|留存|备查|台账|记录|合同|登记")
_WHOLLY_OWNED = ("100%控股", "100%持股", "100%股权", "全资子公司", "全资控股", "全资母公司", "百分之百控股")

_TENTHS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _income_share(text: str, industry: str, cues: Sequence[str] = ()) -> Optional[float]:
    """The share of income the text gives a listed industry: “批发占四成” → 0.4, “批发收入占40%” → 0.4,
    “三成是对外开的食堂饭店收入” (by the words that name it) → 0.3."""
    stems = [stem for stem in dict.fromkeys([*tax.industry_stems(industry), *cues]) if len(stem) >= 2]
    for stem in stems:
        match = re.search(re.escape(stem) + r"[^，,。；;、]{0,6}?[，,]?占(?:比)?(?:我们|我司|公司|企业|全公司|总)?(?:的)?(?:营业收入总额|收入总额|总收入|营业收入|收入|营收|总营收)?(?:的)?(?:约|大概|大约|差不多)?"
                          r"(?:(\d+(?:\.\d+)?)%|百分之(\d+)|([一二两三四五六七八九])成)", text)
        # "六成是自己生产的产品，四成是批发贸易": the share said before the industry
        match = match or re.search(r"(?:(\d+(?:\.\d+)?)%|百分之(\d+)|([一二两三四五六七八九])成)(?:左右|多)?(?:的收入|的营收|收入)?(?:是|为|来自|属于|靠)"
                                   r"[^，,。；;、\d]{0,8}?" + re.escape(stem), text)
        if match:
            if match.group(3):
                return _TENTHS[match.group(3)] / 10
            return float(match.group(1) or match.group(2)) / 100
    return None
