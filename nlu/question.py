"""What a message asks: topics, the aspect asked, the firm's facts each with its role, and the
rules it merely mentions. Table-driven (`nlu/resources/question.yaml` for how people ask; the
knowledge base's `topics` for what they ask about), deterministic, no Rasa imports.

    >>> q = analyse("我们是高新企业，去年研发花了600万，还买了两百万的节能设备，税能少多少", Vocabulary.load(topics=[]))
    >>> q.facts["rd_expense_wan"], q.facts["equipment"][0]["value_wan"], q.high_tech
    (600.0, 200.0, True)
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from nlu.normalise import Span, chinese_number, find_amounts, format_number, normalise_text
from nlu.tables import resource

_CLAUSE_BREAK = re.compile(r"[,;!?，。；！？、\n]")
_YEAR = re.compile(r"(20\d\d)年")
_AFTER_REACH = 12
_VERB_BREAK = re.compile(r"[买购花投做给是有在]|使用|用了|用于")
_YEARS = re.compile(r"(?:(?:分|按|[，,、\s])(\d+|[一二两三四五六七八九十]{1,2})年(?:摊销|摊|折旧|直线))|(?:(?:法定折旧|折旧年限|法定年限|设备年限|使用年限|折旧期|摊销期|摊销年限)(?:是|为|按)?(\d+|[一二两三四五六七八九十]{1,2})年)")
_YEAR_WORDS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十五": 15, "二十": 20}
_STAFF = re.compile(r"(?:员工|从业人数|职工|人数)[^\d，。,一二两三四五六七八九十百千]{0,4}(\d+|[一二两三四五六七八九十百千零]+)\s*(?:人|名|(?=[、，,；;。]))")
_BARE_UNIT_PRICE = re.compile(r"(?:(?<=一台)|(?<=一套)|(?<=每台)|(?<=每套))(?:是|要|花了|花)?\d{2,5}(?:\.\d+)?(?![\d.万元%年月日号台套个人wW])")
_STAFF_LATER = re.compile(r"(?:员工|从业人数|职工|从业人员)[^\d。；;？?]{0,14}?(\d+|[一二两三四五六七八九十百千零]{2,})\s*(?:人|名)(?![次民])")
_EXACTLY = re.compile(r"(?:正好|刚好|恰好|整好|刚刚好)(\d+(?:\.\d+)?)万")
_COUNT_WORDS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_COUNT = re.compile(r"([两二三四五2-5])[台套个]")


@dataclass(frozen=True)
class TopicCue:
    """A knowledge-base topic and the words that name it (`KnowledgeBase.topics()`)."""

    id: str
    kind: str
    cues: Tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """The cue tables: how people ask (YAML beside this module) and the KB's topics."""

    tables: Dict[str, Any]
    topics: Tuple[TopicCue, ...]
    regions: Tuple[Tuple[str, str], ...] = ()  # (name or alias, region) from the knowledge base

    @property
    def kinds(self) -> Dict[str, str]:
        """Topic id → kind (program, award, measure, incentive …)."""
        return _kinds(self.topics)

    @classmethod
    def load(cls, topics: Iterable[Any], regions: Optional[Dict[str, str]] = None,
             path: Optional[Path] = None) -> "Vocabulary":
        cues = tuple(TopicCue(t.id, t.kind, tuple(t.cues)) for t in topics)
        names = tuple(sorted((regions or {}).items(), key=lambda item: -len(item[0])))
        return cls(_tables(str(path or resource("question.yaml"))), cues, names)


@lru_cache(maxsize=8)
def _kinds(topics: Tuple[TopicCue, ...]) -> Dict[str, str]:
    return {t.id: t.kind for t in topics}


@lru_cache(maxsize=4)
def _tables(path: str) -> Dict[str, Any]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RuleMention:
    """A figure the question quotes from a rule ("不超过500万元的"): never the firm's value."""

    value: float
    words: str


@dataclass
class Question:
    text: str
    topics: List[str] = field(default_factory=list)
    aspects: List[str] = field(default_factory=list)
    facts: Dict[str, Any] = field(default_factory=dict)
    rule_mentions: List[RuleMention] = field(default_factory=list)
    regions: List[str] = field(default_factory=list)
    other_places: List[str] = field(default_factory=list)
    towns_named: List[str] = field(default_factory=list)  # a covered region's county or town said ("霍山")
    summed: Dict[str, List[float]] = field(default_factory=dict)  # role → the amounts added up
    firm_region: Optional[str] = None  # the covered region the firm says it is in
    firm_elsewhere: bool = False  # the firm is in a place the sources do not cover
    asks_elsewhere: bool = False  # the question is about a place the sources do not cover
    industry: Optional[str] = None
    industry_cues: List[str] = field(default_factory=list)  # the words that name it ("饭店" for 住宿和餐饮业)
    firms: List[Tuple[str, Optional[str]]] = field(default_factory=list)  # (the firm as said, its listed industry)
    trade: Optional[str] = None  # the non-industrial trade the firm names (批发, 酒店 …), none if it also names industrial work
    high_tech: bool = False
    small_profit: bool = False
    tech_sme: bool = False  # 科技型中小企业 (losses carried 10 years, like 高新)
    own_case: bool = False
    all_conditions: bool = False  # "入选要满足哪些条件？列一下"
    case_question: bool = False  # "我们够不够", "能入选吗": whether the firm's own project qualifies
    yes_no: bool = False
    tech_transfer_is_revenue: bool = False
    details: Dict[str, List[str]] = field(default_factory=dict)  # specific details asked → their words
    ic_or_machine_tool: bool = False
    ic_not_listed: bool = False  # "做数控机床的，但还没进工业母机企业名单": the general rate applies
    not_small_profit: bool = False  # "超过300万不算小微了": the standard rate from now on
    not_high_tech: bool = False  # "我们不是高新，普通企业": the standard rate, whatever was said before
    asks_person: bool = False
    flags: Dict[str, bool] = field(default_factory=dict)  # yes/no facts for the eligibility check
    completion_denied: bool = False  # "年内投产不了", "要明年三月": the project will not finish this year
    asks_payment: bool = False  # "奖补资金什么时候到账": a payment's status, a person's job
    derived: List[str] = field(default_factory=list)  # figures computed from the user's own (with the sum shown)
    output_wan: List[float] = field(default_factory=list)  # output before and after the project (not investment)
    output_side: Optional[str] = None  # one output figure said alone: "before" (改造前…) or "after" (改造后…)
    output_said: str = ""  # that figure as said ("1亿")
    manufacturing: bool = False  # "我们是制造业企业"
    levels_before: List[str] = field(default_factory=list)  # "国家级…" said in the turn before a bare "能奖多少钱"
    unreadable_amount: Optional[str] = None  # "研发费用-500万", "1e308万", an absurd size: what to tell the user
    detail_near: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # detail → the nearest point's id (question.yaml)
    detail_department: Dict[str, str] = field(default_factory=dict)  # detail → who settles it, when not the point's office
    circumstances: List[str] = field(default_factory=list)  # 核定征收, 合伙企业, 财政拨款 … (points' `excludes`)
    other_titles: List[str] = field(default_factory=list)  # titles awarded that no schedule title names (安徽工业精品)
    programmes_outside: List[str] = field(default_factory=list)  # funds and schemes the sources do not hold (超长期特别国债)
    local_own: bool = False  # "县里自己还有没有配套奖励": a county's or district's own policy, which is not held
    items: List[Dict[str, Any]] = field(default_factory=list)  # "下面谁能用：1.个体户 2.合伙企业…": each case listed

    @property
    def aspect(self) -> Optional[str]:
        return self.aspects[0] if self.aspects else None

    def tax_facts(self) -> Dict[str, Any]:
        keys = ("rd_expense_wan", "rd_intangible_wan", "rd_commissioned_domestic_wan", "rd_commissioned_foreign_wan",
                "equipment", "tech_transfer_income_wan", "vat_input_wan", "rd_offset_wan", "rd_fiscal_wan", "rd_other_wan",
                "rd_five_wan", "vat_refund_increment_wan")
        return {k: v for k, v in self.facts.items() if k in keys}


_ANALYSED: "OrderedDict[Tuple[int, str], Tuple[Vocabulary, Question]]" = OrderedDict()
_ANALYSED_MAX = 256


def analyse(text: str, vocab: Vocabulary) -> Question:
    """The question in `text` (any width, traditional or simplified). A turn reads its message
    several times (the answer, the form, the region, the facts): the analysis is made once and each
    caller gets its own copy to complete."""
    key = (id(vocab), text)
    hit = _ANALYSED.get(key)
    if hit is None or hit[0] is not vocab:
        hit = (vocab, _analyse(text, vocab))
        _ANALYSED[key] = hit
        if len(_ANALYSED) > _ANALYSED_MAX:
            _ANALYSED.popitem(last=False)
    return copy.deepcopy(hit[1])


def _analyse(text: str, vocab: Vocabulary) -> Question:
    # "八百来万"/"八百多万": about that much; the number is the firm's figure all the same.
    plain = normalise_text(text).replace("来万", "万").replace("多万", "万").replace("来个亿", "亿")
    plain = plain.replace("‘", "“").replace("’", "”")  # ‘三品’ is quoted as “三品” is
    if "万" in plain:  # beside amounts in 万, bare prices are in 万 too: "一台380一台620", "设备三百五" (350)
        plain = _BARE_UNIT_PRICE.sub(lambda m: m.group(0) + "万", plain)
        plain = re.sub(r"(?<=[设备器机线台套])([一二两三四五六七八九])百([一二三四五六七八九])(?![十百千万亿零一二三四五六七八九\d])",
                       r"\1百\2十万", plain)
    tables = vocab.tables
    for typo, word in (tables.get("typos") or {}).items():
        plain = plain.replace(typo, word)  # "被案" for 备案, "加记扣除" for 加计扣除 (same length)
    q = Question(text=plain)
    masked = plain
    for phrase in tables.get("topic_masks", []):
        masked = masked.replace(phrase, "·" * len(phrase))  # "融资租赁" is not the 融资 measure
    q.topics = _topics(masked, vocab.topics)
    if "awards" not in q.topics and re.search(r"(?:奖|补)(?:励|贴|助)?了?[\d一二两三四五六七八九十百千]+万", masked) \
            and any(t.id == "awards" for t in vocab.topics):
        q.topics.append("awards")  # "听说进了千企技改自治区直接奖两百万": an award amount said is the awards asked
    if "statistics" in q.topics and re.search(r"钱|奖补|补贴|奖励|到账|拨付", plain) \
            and not re.search(r"统计|报送|数据|入统|纳统|报什么|义务|要做|要干|得干|得做", plain):
        q.topics.remove("statistics")  # "入库以后多久能拿到钱": the money after entry, not the statistics duty
    q.aspects = _aspects(plain, tables["aspects"])
    if "statistics" in q.topics and re.search(r"入库(?:以后|之后|后)", plain) and re.search(r"报什么|要报|报送|每个月|按月", plain) \
            and not re.search(r"谁|调度|手续|条件|门槛|怎么入|要求|还要干|还要做|材料", plain):
        q.topics = ["statistics"]  # "入库以后每个月要报什么": the statistics duty, not the entry rules
    if "exclusions" in q.aspects and re.search(r"限制类|淘汰类", plain) and not re.search(
            r"不能享受|不适用|排除|负面清单|哪些不行|哪些行业不|不享受|不能加计|不能用|不允许|不符合", plain):
        q.aspects.remove("exclusions")  # "属于限制类": the catalogue class, not a question about exclusions
    if re.search(r"只能等|等到?年底|年底才能|汇算清缴才能|等汇算", plain):
        # "是不是只能等年底汇算清缴才能享受": when, not who or how much (才能享受, 是不是)
        q.aspects = [a for a in q.aspects if a not in ("who", "threshold")]
    q.own_case = any(cue in plain for cue in tables["own_case"])
    q.yes_no = any(cue in plain for cue in tables["yes_no"])
    q.case_question = any(cue in plain for cue in tables["case_question"])
    q.all_conditions = any(cue in plain for cue in tables["all_conditions"])
    zoneless = re.sub(r"高新(?:技术产业开发)?区|高新园区?|高新开发区|高新技术产业园", "", plain)  # "合肥高新区的企业": a zone
    q.high_tech = any(cue in zoneless for cue in tables["status"]["high_tech"])
    compared = re.sub(r"(?:比|跟|和|与|同|较|相比)(?:一般|普通)企业|[，,？?](?:那)?(?:一般|普通)企业(?:又|呢|的话|是多少|多少)", "", plain)  # "比普通企业少交多少": a comparison, not the firm
    q.not_high_tech = any(cue in compared for cue in tables["status"]["not_high_tech"])
    q.high_tech = q.high_tech and not q.not_high_tech
    q.tech_sme = any(cue in plain for cue in tables["status"].get("tech_sme", []))
    q.not_small_profit = any(cue in plain for cue in tables["status"].get("not_small_profit", []))
    q.small_profit = any(cue in plain for cue in tables["status"]["small_profit"]) and not q.not_small_profit
    q.manufacturing = any(cue in plain for cue in tables["status"].get("manufacturing", [])) \
        and "not_manufacturing" not in [name for name, cues in tables["circumstances"].items() if any(c in plain for c in cues)]
    q.industry = first_key(plain, tables["industries"])
    q.industry_cues = list(tables["industries"].get(q.industry, [])) if q.industry else []
    q.firms = _firms_listed(plain, tables["industries"])
    trade = re.search(tables["not_industrial"], plain)
    q.trade = trade.group(0) if trade and not re.search(tables["industrial"], plain) else None
    share_said = q.industry and any(re.search(r"(?:\d+(?:\.\d+)?%|[一二两三四五六七八九]成)[^，。；?？]{0,10}?(?:来自|是|为|属于)[^，。；]{0,3}?"
                                              + re.escape(c), plain) for c in tables["industries"][q.industry])
    if q.industry and _asked_about(plain, tables["industries"][q.industry]) and not share_said:
        q.industry = None  # "我们是做食品的，属于批发零售吗": the industry is asked about, not said
        # ("有35%左右的收入来自批发贸易。听说批发零售不能享受…": the share is the firm's own)
    masked = plain  # "六安评上…": a cue (安评) never runs across a place's name
    for name, _ in vocab.regions:
        if len(name) >= 2:
            masked = masked.replace(name, "\u3000" * len(name))
    q.details = {name: cues for name, cues in tables["details"].items()
                 if any(c in masked or c in plain and any(r in c for r, _ in vocab.regions) for c in cues)}
    for name, context in (tables.get("detail_requires") or {}).items():
        if name in q.details and not re.search(context, plain):
            q.details.pop(name)
    if "逾期申报的处罚" in q.details and not re.search(r"奖|补|资金", plain):
        q.details.pop("奖补退回和追责", None)  # "汇算清缴…逾期了会罚款吗": the tax office's penalty, no award in sight
    if "目录" in plain:  # "在不在不予免税的进口商品目录里，能帮我查一下吗": a list to look up, not a firm's record
        q.details = {name: cues for name, cues in q.details.items() if not name.startswith("各企业的入库")}
    near_table = tables.get("detail_near", {})  # a detail → its nearest point, or one per region
    q.detail_near = {name: tuple(near_table[name]) if isinstance(near_table[name], list) else (near_table[name],)
                     for name in q.details if name in near_table}
    q.detail_department = {name: tables["detail_department"][name] for name in q.details
                           if name in tables.get("detail_department", {})}
    q.ic_not_listed = any(cue in plain for cue in tables["status"]["not_ic_or_machine_tool"])
    q.ic_or_machine_tool = any(cue in plain for cue in tables["status"]["ic_or_machine_tool"]) and not q.ic_not_listed \
        and not re.search(r"(?:算不算|是不是|属不属于|算是|能不能算|可以算)(?:集成电路|工业母机)", plain)  # asked, not said
    unpaid = re.sub(r"没到(?=规|规模|标准|门槛|\d|[一二两三四五六七八九十百千])", "", plain)  # "还没到规上" is no payment awaited
    q.asks_payment = any(cue in unpaid for cue in tables["payment_cues"])
    q.asks_person = any(cue in plain for cue in tables["human_cues"] + tables["complaint_cues"]) \
        or plain.strip("！!。.？? ") in ("人工", "人工吧", "人工服务")
    q.completion_denied = any(cue in plain for cue in tables["completion_denied"])
    q.flags = _flags(plain, tables["flags"])
    q.other_titles = _titles_named(plain, tables["titles_named"])
    q.programmes_outside = [p for p in tables.get("programmes_outside", ()) if p in plain]
    q.programmes_outside = [p for p in q.programmes_outside if not any(p != o and p in o for o in q.programmes_outside)]
    q.local_own = bool(re.search(tables["local_own"], plain)) if tables.get("local_own") else False
    q.items = _items_listed(plain, tables)
    lower = plain.lower()  # 纳税信用C级 / c级
    # "在不在里面", "属不属于目录": asked, not said (the cue "不在里面" stands inside the question)
    lower = re.sub(r"在不在|属不属于|是不是在", "是否在", lower)
    q.circumstances = [name for name, cues in tables["circumstances"].items() if any(c.lower() in lower for c in cues)]
    if "fiscal_funds" in q.circumstances and not re.search(
            r"财政拨款|财政拨的|财政资金|政府给的|专项拨款|拨的专项|政府拨款|财政补助资金",
            re.sub(r"(?:扣除|减除|减去|剔除|除去)(?:了)?不征税收入", "", plain)) and "不征税收入" not in re.sub(
            r"(?:扣除|减除|减去|剔除|除去)(?:了)?不征税收入", "", plain):
        q.circumstances.remove("fiscal_funds")  # "（扣除不征税收入和投资收益后）": the negative list's base, not funding
    if re.search(r"(?:转成|转为|改为|变成|改成)查账", plain):
        q.circumstances = [c for c in q.circumstances if c != "deemed_tax"]  # "7月才从核定征收转成查账征收"
    if "fiscal_funds" in q.circumstances and not re.search(r"到账|什么时候|啥时候|还没|进度|多久|拨付进度", plain):
        q.asks_payment = False  # "用财政拨款买的设备": where the money came from, not a payment awaited
    if re.search(r"(?:明年|下一年|后年)[^，。；？?]{0,6}?(?:才|再)?(?:能)?(?:投产|竣工|完工|建成)", plain) or re.search(
            r"(?:投产|竣工|完工|建成)[^，。；？?]{0,4}?(?:得|要|要到|得到|在|到|是|就)(?:明年|下一年|后年)", plain):
        # ("投产得明年了")
        q.completion_denied = True  # "要明年三月才投产"
    if q.completion_denied:
        q.flags["completes_this_year"] = False
    elif _completes_this_year(plain):
        q.flags["completes_this_year"] = True  # "今年11月投产", "12月就能转起来"
    q.regions, q.other_places = _places(plain, tables)
    q.towns_named = [c for cues in tables["places_inside"].values() for c in cues if len(c) >= 2 and _named(plain, c)]
    q.regions = list(dict.fromkeys([region for name, region in vocab.regions if _named(plain, name)] + q.regions))
    located = tables.get("located") or {}
    names = [*vocab.regions, *((c, r) for r, cues in tables["places_inside"].items() for c in cues)]
    # "我们是六安的企业，能不能去报广西的千企技改": where the firm is, among the covered regions
    # the firm's place is the first one the message places it in ("合肥的厂…我们跟六安的企业有合作")
    here = min(((at, region) for name, region in names for at in [_located_at(plain, name, located)] if at >= 0),
               default=(-1, None))
    there = min((at for p in q.other_places for at in [_located_at(plain, p, located)] if at >= 0), default=-1)
    branch = [m for m in re.finditer(r"分公司|子公司|分厂|分支机构|设的|开的厂|工厂在|厂区在|厂在|项目在|项目也在", plain)
              if not any(plain.startswith(p, m.end()) for p in q.other_places)
              and not re.search(r"(?:没有|没|无)$", plain[max(0, m.start() - 2):m.start()])]  # ("我们厂在寿县"; "没有子公司")
    if here[0] >= 0 and branch:
        there = -1  # "深圳一家公司在南宁开的分公司": the branch, and its project, are where the firm asks about
    q.firm_region = here[1] if here[0] >= 0 and (there < 0 or here[0] < there) else None
    if q.other_places:
        # "淮南的企业，能进六安那种项目库吗", "我们在河南信阳，挨着六安": the firm is elsewhere
        q.firm_elsewhere = there >= 0 and (here[0] < 0 or there < here[0])
        # "我们是六安的企业，安徽省层面有没有补助": the question is about the other place's policy
        q.asks_elsewhere = any(f"{p}{cue}" in plain for p in q.other_places for cue in tables.get("elsewhere_asked", []))
    purposes = [c for cues in tables["purposes"].values() for c in cues]
    _read_amounts(_output_growth(_masked_gaps(_masked_roles(_without_asides(plain, purposes), tables)), q), tables, q)
    _corrected_amount(plain, q)
    if "equipment-loan-interest-subsidy" in q.topics and not q.regions:
        q.details.pop("贴息", None)  # "技改贷款贴息怎么申请，贴多少": the national subsidy's own rule answers it
    if "tariff_rate_pct" in q.facts:
        q.details.pop("关税税率", None)  # "关税税率按5%算，能免多少": the user gives the rate
    if "income_tax_rate_pct" in q.facts or q.not_high_tech and re.search(r"按\d+%(?:来|去)?算", plain):
        q.details.pop("高新技术企业资格到期当年的税率", None)  # "要是明年到期没续上，按25%算呢": the rate is given
    if "income_tax_rate_pct" in q.facts and "rate" in q.aspects and not _asks_rate(plain, tables["aspects"]["rate"]):
        q.aspects.remove("rate")  # "税率25%，能省多少": the rate is the firm's, not the question
    years = _YEARS.search(plain)
    if years:
        said = years.group(1) or years.group(2)
        value = float(said) if said.isdigit() else _YEAR_WORDS.get(said)  # "按十年摊销"
        if value:
            q.facts["amortisation_years"] = float(value)
    in_use = _IN_USE.search(plain) or _IN_USE_SAME_MONTH.search(plain)
    if in_use:  # "2025年12月投入使用", "今年12月底就投入使用了", "那如果是11月投入使用呢"
        year, relative, month = in_use.group(1), in_use.group(2), int(in_use.group(3))
        if 1 <= month <= 12:
            q.facts["in_use_month"] = float(month)
            earlier = re.findall(r"(20\d\d)年", plain[:in_use.start()])
            if year or earlier:  # "2025年12月买的，12月就投入使用了": the year said just before
                q.facts["in_use_year"] = float(year or earlier[-1])
            elif relative:
                q.facts["in_use_year_rel"] = {"今年": 0.0, "去年": -1.0, "明年": 1.0}[relative]
    if re.search(r"进项(?:税)?(?:已经|已)?抵(?:扣)?了|已(?:经)?抵扣|抵扣了|专票抵了|进项抵了|进项已经抵扣", plain):
        q.facts["vat_deducted"] = 1.0  # the invoice's VAT was credited: the investment is net of it
    share = _THIS_YEAR_SHARE.search(plain)
    if share:  # "今年能完成八成投资": the firm's plan for this year, not the rule's share
        word = share.group(1)
        value = float(word[:-1]) if word.endswith("%") else float("一二三四五六七八九".index(word[0]) + 1) * 10
        q.facts["this_year_share_pct"] = value
        q.rule_mentions = [m for m in q.rule_mentions if m.value != value]
    licence = _LICENCE.search(plain) or _LICENCE_BEFORE.search(plain) or _LICENCE_USE.search(plain)
    if licence:  # "非独占许可，许可期3年": how long a licence of the technology runs
        q.facts["licence_years"] = float(_small_number(licence.group(1)))
    staff = _STAFF.search(plain) or _STAFF_LATER.search(plain)  # ("员工的话，全年季度平均大概320人")
    if staff and re.search(r"(?:不超过|超过|不到|低于|少于|以内|要求)[^\d，。,]{0,3}$", plain[:staff.start(1)]):
        staff = None  # "要求从业人数不超过300人": the rule's cap, not the firm's head count
    if staff:
        count = chinese_number(staff.group(1))  # "员工三百二十人"
        if count is not None:
            q.facts["staff_count"] = count
    income = re.search(r"所得(?:大概|大约|约|是|有|为)?\s*(\d+(?:\.\d+)?|[一二两三四五六七八九十百千零]+)万", plain)
    value = chinese_number(income.group(1)) if income else None
    if value and q.small_profit and "taxable_income_wan" not in q.facts and not re.search(r"转让|许可|专利|技术", plain):
        # "小微企业…我们所得二百万（人数资产都符合）要交多少": the year's taxable income
        q.facts["taxable_income_wan"] = value
        _drop_other(q, [value])
    likened = [float(m.group(1)) for m in re.finditer(r"(?:一样|同样|也是|也给|也奖|也能拿)[^，。；？?\d]{0,3}(\d+(?:\.\d+)?)万", plain)]
    if "awards" in q.topics and q.facts.get("fixed_asset_investment_wan") in likened:
        # "这种项目奖励标准是多少？是不是也跟示范项目一样50万": an award figure guessed, not the investment
        _to_other(q, q.facts.pop("fixed_asset_investment_wan"))
    quoted_elsewhere = [float(m.group(1)) for m in re.finditer(
        r"(\d+(?:\.\d+)?)(?:万)?(?:元)?(?:是|那个是|那是)(?:另一家|另外一家|别家|其他家|别人|人家)", plain)]
    if quoted_elsewhere:  # "是四百八十万，520是另一家的报价": the other quote is not the firm's figure
        _drop_other(q, quoted_elsewhere)
    exactly = _EXACTLY.search(plain)
    if exactly and "taxable_income_wan" not in q.facts and re.search(r"应纳税所得额|所得额", plain) \
            and float(exactly.group(1)) in (q.facts.get("other_amounts") or []):
        # "应纳税所得额不超过300万，正好300万算不算？": the firm's own figure, right on the line
        q.facts["taxable_income_wan"] = float(exactly.group(1))
        _drop_other(q, [q.facts["taxable_income_wan"]])
    if "taxable_income_wan" in q.facts and re.search(
            r"(?:(?:加计扣除|加计|扣完|扣除完|算完加计)(?:了)?(?:以后|之后|后)?)(?:的)?[，,]?(?:应纳税所得额|所得额|利润)", plain) \
            and not re.search(r"再加计|实际发生额|据实", plain) or "taxable_income_wan" in q.facts and re.search(
            r"(?:已经|已)(?:把[^，。；]{0,16})?(?:加计扣除|加计)[^，。；]{0,6}?(?:算进去|扣掉|扣除|减掉|扣过|扣了|算过)|"
            r"(?:已经|已)(?:算过|扣过|扣除过|减过)[^，。；]{0,8}?(?:加计扣除|加计)(?:以后|之后|后)|"
            r"是(?:加计扣除|加计)(?:以后|之后|后)的", plain):
        if not re.search(r"(?:还没|没|未|没有|尚未)(?:算|扣|减|做)[^，。；)）]{0,6}?加计|不含[^，。；)）]{0,4}?加计|加计[^，。；)）]{0,6}?(?:前|之前)的", plain):
            # ("应纳税所得额（还没算研发加计扣除）大概250万…加计扣除以后应纳税所得额是多少": before it, asked after)
            q.facts["income_after_deductions"] = 1.0  # "研发160万做加计，扣完以后应纳税所得额200万": already net of it
    failed = re.search(r"研发(?:费用|支出|投入)?(?:是|有|共|一共|总共)?\s*(\d+(?:\.\d+)?)万[^。；]{0,6}?其中[^，。；]{0,4}?"
                       r"(\d+(?:\.\d+)?)万[^，。；]{0,12}?失败", plain)
    if failed and q.facts.get("rd_expense_wan") == float(failed.group(2)):
        # "研发费用300万，其中有100万的项目最后失败了": failed R&D is R&D too, the total counts
        q.facts["rd_expense_wan"] = float(failed.group(1))
    lettered = [float(m.group(1)) for m in _LETTERED.finditer(plain)]
    units = q.facts.get("equipment") or []
    if len(lettered) > 1 and len(units) == 1 and units[0]["value_wan"] == lettered[0]:
        # "新买了三台设备：A 480万，B 520万，C 100万": each lettered one is a unit
        q.facts["equipment"] = [{**units[0], "value_wan": v} for v in lettered]
        _drop_other(q, lettered)
    share = _RD_SHARE.search(plain)
    if share and q.facts.get("revenue_wan") and "rd_expense_wan" not in q.facts:
        # "营业收入2个亿，研发投入占收入5%": the R&D expense from its share of revenue
        q.facts["rd_share_pct"] = float(share.group(1))
        q.facts["rd_expense_wan"] = round(q.facts["revenue_wan"] * q.facts["rd_share_pct"] / 100, 4)
        q.facts["rd_share_of_wan"] = q.facts.pop("revenue_wan")
    if "rd_commissioned_foreign_wan" in q.facts and "not_rd_activity" in q.circumstances \
            and re.search(r"引进|进口|购买|买了|买的|采购", plain) and not re.search(r"委托|外包|合作研发|帮我们(?:做|搞)", plain):
        # "花2000万从德国引进一条成熟的生产线…能不能算研发费用": equipment bought abroad, not R&D commissioned there
        _to_other(q, q.facts.pop("rd_commissioned_foreign_wan"))
    routine = _ROUTINE_PART.search(plain)
    if routine and "not_rd_activity" in q.circumstances and q.facts.get("rd_expense_wan"):
        # "研发费用600万，不过里面有100万其实是生产线日常的质量检测费用": a part of the total is not R&D
        part = float(routine.group(1))
        if part < q.facts["rd_expense_wan"]:
            q.facts["rd_routine_wan"] = part
            q.circumstances.remove("not_rd_activity")
            q.facts["equipment"] = [e for e in q.facts.get("equipment") or [] if e["value_wan"] != part]
            if not q.facts["equipment"]:
                q.facts.pop("equipment")
            _drop_other(q, [part])
    parts = [float(m.group(1)) for m in _TRANSFER_ITEM.finditer(plain)]
    if "tech_transfer_income_wan" in q.facts and len(parts) > 1 and q.facts["tech_transfer_income_wan"] == parts[0] \
            and re.search(r"[两三四几]项|[两三四几]个专利|[两三四几]笔|[两三四几]份", plain):
        # "今年转让了两项专利，一项所得300万，一项所得400万": the year's transfer income is their sum
        q.facts["transfer_parts_wan"] = parts
        q.facts["tech_transfer_income_wan"] = round(sum(parts), 4)
        _drop_other(q, parts[1:])
    bare = re.search(r"(?<![应纳税])所得(?:额)?(?:大概|大约|约|是|有|为)?(\d+(?:\.\d+)?)万", plain)
    if "tech-transfer-exemption" in q.topics and bare and "tech_transfer_income_wan" not in q.facts \
            and float(bare.group(1)) in (q.facts.get("other_amounts") or []) and not q.small_profit:
        # "把一项专利转让给子公司，所得大概400万": the transfer's income
        q.facts["tech_transfer_income_wan"] = float(bare.group(1))
        _drop_other(q, [q.facts["tech_transfer_income_wan"]])
    if re.search(r"100%控股|100%持股|100%股权|全资子公司|全资控股|全资母公司|百分之百控股", plain):
        for detail in [d for d in q.details if "股权结构" in d]:
            q.details.pop(detail)  # the 100% related party is the rule's own case, not a detail it leaves open
    fees = re.search(r"(?:相关税费|税费)[^，。；\d]{0,14}?(?:一共|合计|总共|共)(\d+(?:\.\d+)?)万", plain)
    if fees and "transfer_taxes_wan" not in q.facts and ("revenue_wan" in q.facts or "tech_transfer_income_wan" in q.facts):
        # "相关税费和合同、律师费一共100万": the transfer's costs, said with what they include
        value = float(fees.group(1))
        q.facts["transfer_taxes_wan"] = value
        if q.facts.get("fixed_asset_investment_wan") == value:
            q.facts.pop("fixed_asset_investment_wan")
        _drop_other(q, [value])
    each = re.search(r"([两二三四2-4])(?:项|个|笔|份)[^，。；]{0,6}?(?:专利|技术|合同|转让|许可)", plain)
    if "tech_transfer_income_wan" in q.facts and each and "transfer_parts_wan" not in q.facts \
            and re.search(r"(?:每项|每个|每笔|每份|各自)[^，。；\d]{0,10}?(?:都是|均为|均是|都为|都有)", plain) \
            and len({a.value for a in find_amounts(plain) if a.kind != "percent"} - {500.0}) == 1:
        # "卖了两项专利…每项技术转让所得都是400万": the year's transfer income is both
        value = q.facts["tech_transfer_income_wan"]
        q.facts["transfer_parts_wan"] = [value] * _COUNT_WORDS[each.group(1)]
        q.facts["tech_transfer_income_wan"] = round(value * _COUNT_WORDS[each.group(1)], 4)
    q.tech_transfer_is_revenue = "tech_transfer_income_wan" in q.facts and "所得" not in plain
    abroad = "|".join(tables["roles"]["rd_commissioned_foreign_wan"])
    if "rd_commissioned_foreign_wan" in q.facts and re.search(
            rf"(?:{abroad})[^，。；]{{0,8}}?个人|(?:{abroad})(?:的)?(?:一个|一位|一名)?(?:独立)?(?:专家|教授|工程师|研究员|研究人员|学者|科学家)"
            rf"(?!团队|机构|公司)|(?:他|她|对方)是个人|是个人[，,]?不是(?:公司|机构|单位)", plain):
        # "委托国外一个专家个人做研发": commissioned from an individual abroad, which is not counted
        q.facts["rd_foreign_individual_wan"] = q.facts.pop("rd_commissioned_foreign_wan")
    q.unreadable_amount = _unreadable_amount(plain, q)
    _rd_parts_of_a_total(q)
    _equipment_as_investment(q, vocab)
    _investment_as_equipment(q, vocab, tables)
    if "customs_value_wan" in q.facts and "equipment" not in q.facts and set(EQUIPMENT_INCENTIVES) & set(q.topics):
        # "进口一台设备，完税价格1000万…能不能一次性在所得税前扣除": the imported unit is the equipment asked about
        q.facts["equipment"] = [{"value_wan": q.facts["customs_value_wan"]}]
    if any(d in q.details for d in tables.get("detail_amounts") or []) and "fixed_asset_investment_wan" in q.facts:
        # "车间装修费80万能算进技改投资额吗": the amount is what the detail asks about, not the project's
        _to_other(q, q.facts.pop("fixed_asset_investment_wan"))
    if "fixed_asset_investment_wan" in q.facts or q.flags:
        for detail in tables.get("checked_details") or []:
            q.details.pop(detail, None)  # "技改项目一千五百万，属于鼓励类…符合千企技改吗": the firm's fact for the check
        q.detail_near = {d: near for d, near in q.detail_near.items() if d in q.details}
    if q.details and re.search(r"补贴|补助|奖补|奖励", plain) and not re.search(r"税|抵免|扣除|加计|折旧", plain):
        # "设备（软件）补贴，按设备投资额的百分之多少补": a subsidy asked, not the tax credit on 设备投资额
        q.topics = [t for t in q.topics if vocab.kinds.get(t) != "incentive"]
    if {"sole_proprietor", "partnership"} & set(q.circumstances) and "program" in q.topics:
        q.flags.setdefault("independent_legal_person", False)  # "我是个体户…能不能报千企技改": no legal person
    units = q.facts.get("equipment") or []
    portion = _FISCAL_PORTION.search(plain)
    said = [span.value for span in find_amounts(portion.group(1) + "万") if span.kind != "percent"] if portion else []
    if "fiscal_funds" in q.circumstances and len(units) == 1 and said and "rd_expense_wan" not in q.facts \
            and said[0] < units[0]["value_wan"]:
        # "环保设备一共花了一千万，其中四百万是政府给的财政拨款，剩下六百万自己出的": the fiscal part apart
        fiscal = said[0]
        own = round(units[0]["value_wan"] - fiscal, 4)
        whole = {"whole_wan": units[0]["value_wan"]} if re.search(r"一台|一套|这台|这套|该设备", plain) else {}
        units[:] = [{**units[0], "value_wan": own, **whole}, {**units[0], "value_wan": fiscal, "fiscal": True}]
        for key in ("rd_fiscal_wan",):
            q.facts.pop(key, None)
        others = [v for v in q.facts.get("other_amounts", []) if abs(v - own) > 1e-9 and abs(v - fiscal) > 1e-9]
        q.facts.pop("other_amounts", None)
        if others:
            q.facts["other_amounts"] = others
    if "fiscal_funds" in q.circumstances and any(u.get("fiscal") for u in units) and not all(u.get("fiscal") for u in units):
        # "一台452万…；另一台100万是拿政府专项拨款买的": only that unit is bought with fiscal money
        q.facts["fiscal_units_wan"] = [u["value_wan"] for u in units if u.get("fiscal")]
        q.facts["equipment"] = [u for u in units if not u.get("fiscal")]
        q.circumstances.remove("fiscal_funds")
    if q.facts.get("equipment") and (q.details or "awards" in q.topics) and not re.search(r"税|扣除|抵免|加计|折旧", plain) \
            and re.search(r"补贴|补助|奖补|奖励|补多少", plain):
        # "设备（软件）补贴是按发票金额的百分之几补的？设备款六百来万": a subsidy asked, not a tax figure
        q.facts["other_amounts"] = [*q.facts.get("other_amounts", []), *(e["value_wan"] for e in q.facts.pop("equipment"))]
    if "rd_fiscal_wan" in q.facts and "rd_expense_wan" not in q.facts and not q.facts.get("equipment") \
            and "fixed_asset_investment_wan" not in q.facts \
            and re.search(r"设备|器具|机器", plain) and not re.search(r"研发|研究开发", plain):
        # "用政府给的财政拨款500万买了环保专用设备": the equipment bought with fiscal money
        unit = {"value_wan": q.facts.pop("rd_fiscal_wan")}
        purpose = first_key(plain, tables["purposes"])
        if purpose:
            unit["special_purpose"] = purpose
        q.facts["equipment"] = [unit]
    parts = [(m.group(1), float(m.group(2))) for m in _PROJECT_PART.finditer(plain)]
    if len({name for name, _ in parts}) > 1 and q.facts.get("fixed_asset_investment_wan") in [v for _, v in parts] \
            and (q.case_question or "program" in q.topics) and not re.search(r"总投资|一共|合计|总共|总额", plain):
        # "设备800万，厂房改造400万，能入库吗": the project's fixed-asset investment is both parts
        total = round(sum(v for _, v in parts), 4)
        q.facts["fixed_asset_investment_wan"] = total
        _drop_other(q, [v for _, v in parts])
        q.derived.append(f"固定资产投资 = {' + '.join(f'{name}{format_number(v)}' for name, v in parts)} = {format_number(total)}万元。")
    return q


_ITEM_MARK = re.compile(r"(?:(?<=[：:；;，,。\s])|^)(?:\d{1,2}[.、．）)]|[①②③④⑤⑥⑦⑧⑨])(?!\d)")
_LIST_ASKED = re.compile(r"下面(?:谁|哪|这)|哪些(?:设备|企业|公司|情况|项目|单位)?(?:能|可以)|谁能|哪几种|哪几个|哪几家|以下哪|"
                         r"这几(?:种|个|家|类)|下面几|下列")


def _items_listed(plain: str, tables: Dict[str, Any]) -> List[Dict[str, Any]]:
    """"500万以下设备一次性扣除，下面谁能用：1.个体工商户 2.合伙企业 …": each numbered case, with
    the circumstances and licence term it states; [] unless the message lists three or more and asks
    which of them qualify."""
    marks = list(_ITEM_MARK.finditer(plain))
    if len(marks) >= 3 and _LIST_ASKED.search(plain[:marks[0].start()]):
        pieces = [plain[mark.end():end] for mark, end in zip(marks, [*(m.start() for m in marks[1:]), len(plain)], strict=True)]
    else:
        # "今年买了这几样：新厂房一栋八百万、一台四百五十万的新数控机床、…还有股东拿来入股的设备一百万，哪些能一次性税前扣除"
        listed = re.search(r"(?:这几样|这几种|这几个|这几台|这几项|以下几|下面几|这些)[^：:，,]{0,6}[：:](.+?)[，,。]\s*(?:哪些|哪几|谁|哪个)", plain)
        pieces = re.split(r"、|还有|以及", listed.group(1)) if listed else []
        if len(pieces) < 3:
            return []
    items = []
    for piece in pieces:
        words = piece.strip(" ，,；;。？?")
        if not words:
            continue
        lower = words.lower()
        licence = _LICENCE.search(words) or _LICENCE_BEFORE.search(words) or _LICENCE_USE.search(words) \
            or re.search(r"(?:许可|签了)[^，。；\d]{0,8}?([一二两三四五六七八九十1-9]|1\d)年", words)
        money = [span.value for span in find_amounts(words) if span.kind != "percent"]
        items.append({"text": words, "circumstances": [name for name, cues in tables["circumstances"].items()
                                                      if any(c.lower() in lower for c in cues)],
                      **({"value_wan": money[0]} if len(money) == 1 else {}),
                      **({"licence_years": float(_small_number(licence.group(1)))} if licence else {})})
    return items


def _titles_named(plain: str, spec: Dict[str, Any]) -> List[str]:
    """"去年被评为安徽省工业精品，今年又拿了省级新产品": the titles said as awarded that none of the
    schedule's title words names (question.yaml `titles_named`)."""
    found: List[str] = []
    for match in re.finditer(spec["cue"] + r"([^，。；？！,.;?!]{2,60})", plain):
        words = re.split(r"这|那|在|称号|荣誉|以后|之后|的话|能(?:不能|否|拿|奖|给|享受|有|申请|报)|可以|有没有|有|给|奖", match.group(1))[0]
        for title in re.split(r"[、和及与跟]|还有|以及", words):
            title = title.strip("了个为的是 ")
            if len(title) < 3 or any(w in title for w in spec["known"]) or any(w in title for w in spec["not_titles"]):
                continue
            if re.search(spec["shape"], title):
                found.append(title)
    # "六安省级新产品、安徽工业精品有没有奖励": a title no schedule lists, asked about without "评上"
    for title in sorted(spec.get("direct", ()), key=len, reverse=True):
        if title in plain and not any(title in f for f in found):
            found.append(title)
    return list(dict.fromkeys(found))


_THIS_YEAR_SHARE = re.compile(r"(?:能|可以|预计|计划|打算|准备|能够)(?:完成|投完|投)(?:了)?(?:投资)?(?:额)?(?:的)?([一二三四五六七八九]成|\d+(?:\.\d+)?%)")
_LICENCE = re.compile(r"许可(?:使用)?(?:期|期限|年限|时间)?(?:为|是|只有|只|共|签了)?([一二两三四五六七八九十1-9]|1\d)年")
_LICENCE_USE = re.compile(r"许可给[^，。；？?]{0,8}?(?:用|使用)([一二两三四五六七八九十1-9]|1\d)年")
_LICENCE_BEFORE = re.compile(r"([一二两三四五六七八九十1-9]|1\d)年(?:期)?的?(?:全球)?(?:非独占|独占|排他|普通)?(?:使用)?许可")


_OUTPUT_BEFORE = re.compile(r"(?:改造前|技改前|原来|目前|现在|去年|现有)[^，。；\d]{0,6}?产值[^，。；\d]{0,4}?(\d+(?:\.\d+)?|[一二两三四五六七八九十百千零点]+)\s*个?(亿|万)")
_OUTPUT_SAID = re.compile(r"(?:年产值|产值|年产出)[^，。；\d]{0,4}?(\d+(?:\.\d+)?|[一二两三四五六七八九十百千零点]+)\s*个?(亿|万)")
_OUTPUT_AFTER = re.compile(r"(?:改造后|技改后|改完|改好后|改造完|技改完|搞完|做完|完成后)[^，。；\d]{0,8}?(\d+(?:\.\d+)?|[一二两三四五六七八九十百千零点]+)\s*个?(亿|万)")


_OUTPUT_FROM_TO = re.compile(r"(?:年产值|产值|年产出|营收)[^，。；\d]{0,6}?从?(\d+(?:\.\d+)?)\s*个?(亿|万)(?:元)?(?:左右)?"
                             r"(?:涨到|增加到|提高到|提升到|增长到|增至|升到|变成|到)(?:大概|约|差不多)?(\d+(?:\.\d+)?)\s*个?(亿|万)")


class _Said:
    """One figure of “从1个亿涨到1.1个亿”, shaped like the other output matches."""

    def __init__(self, match: "re.Match[str]", first: int):
        self.match, self.first = match, first

    def group(self, n: int) -> str:
        return self.match.group(self.first + n - 1)

    def start(self, n: int) -> int:
        return self.match.start(self.first + n - 1)

    def end(self, n: int) -> int:
        return self.match.end(self.first + n - 1)


def _figure(said: str) -> float:
    """“1.35” or “八千” as a number (0 when it reads as none)."""
    return float(chinese_number(said) or 0)


def _output_growth(text: str, q: Question) -> str:
    """“改造前年产值1.2亿，改造后大概1.35亿”: the growth, computed and shown; the text without the
    two output figures (they are not the project's investment)."""
    before = _OUTPUT_BEFORE.search(text)
    after = _OUTPUT_AFTER.search(text, before.end()) if before else None
    span = _OUTPUT_FROM_TO.search(text)
    if span and not (before and after):  # "年产值预计从1个亿涨到1.1个亿": before and after in one phrase
        before, after = _Said(span, 1), _Said(span, 3)  # type: ignore[assignment]
    alone = (before or _OUTPUT_AFTER.search(text) or _OUTPUT_SAID.search(text)) if not (before and after) else None
    if alone and ("产值" in text or "效益" in text or before):  # "改造后估计1.12亿" said alone: output, not the investment
        q.output_wan = [round(_figure(alone.group(1)) * (10000 if alone.group(2) == "亿" else 1), 4)]
        q.output_side = "before" if alone is before else "after" if alone.re is _OUTPUT_AFTER else None
        q.output_said = alone.group(1) + alone.group(2)
        return text[:alone.start(1)] + "·" * (alone.end(2) - alone.start(1)) + text[alone.end(2):]
    if not before or not after:
        return text
    wan = [round(_figure(m.group(1)) * (10000 if m.group(2) == "亿" else 1), 4) for m in (before, after)]
    if wan[0] <= 0:
        return text
    growth = round((wan[1] - wan[0]) / wan[0] * 100, 1)
    q.facts["output_growth_pct"] = growth
    q.output_wan = wan
    said = [m.group(1) + m.group(2) for m in (before, after)]
    q.derived.append(f"产值预期增长 = ({said[1]} − {said[0]}) ÷ {said[0]} = {growth:g}%。")
    for m in (after, before):
        text = text[:m.start(1)] + "·" * (m.end(2) - m.start(1)) + text[m.end(2):]
    return text


def _rd_parts_of_a_total(q: Question) -> None:
    """“研发一共花了1000万，其中600万费用化，另外400万形成了一项专利”: the expensed part is what is
    left of the total (the total is not expensed R&D on top of the intangible)."""
    expensed, intangible = q.facts.get("rd_expense_wan"), q.facts.get("rd_intangible_wan")
    rest = re.search(r"(?:其余|剩下|剩余)(?:的)?\s*(\d+(?:\.\d+)?)\s*万(?:元)?(?:是|为|都)?(?:费用化|计入当期|直接费用化)", q.text)
    if expensed and intangible and rest:  # "研发费用1000万，其中300万形成了专利，其余700万费用化"
        q.facts["rd_expense_wan"] = float(rest.group(1))
        return
    stated = re.search(r"其中(?:的)?\s*(\d+(?:\.\d+)?)\s*万(?:元)?(?:是|为|都)?(?:费用化|计入当期|直接费用化)", q.text)
    if expensed and intangible and stated and float(stated.group(1)) + intangible == expensed:
        # "研发支出1000万，其中800万费用化，200万资本化形成了无形资产": the parts add up to the total
        q.facts["rd_expense_wan"] = float(stated.group(1))
        _drop_other(q, [q.facts["rd_expense_wan"]])
        return
    # ("研发费用1500万，其中200万形成了专利，其余费用化": the rest of the total is expensed)
    if not expensed or not intangible or not re.search(r"一共|总共|合计|总计|总投入|总支出|总额|总共花"
                                                       r"|其中[^，。；]{0,12}形成[^。；]{0,20}(?:其余|剩下|剩余|其他)", q.text):
        return
    stated = re.search(r"(?:其中|另外)(?:的)?\s*(\d+(?:\.\d+)?)\s*万(?:元)?(?:是|为|都)?(?:费用化|计入当期|直接费用化)", q.text)
    if stated:
        q.facts["rd_expense_wan"] = float(stated.group(1))
    elif expensed > intangible:
        q.facts["rd_expense_wan"] = round(expensed - intangible, 4)


def _drop_other(q: Question, values: Iterable[float]) -> None:
    """The amounts no role took, less those now read as something (the key gone when none is left)."""
    rest = [v for v in q.facts.pop("other_amounts", []) if v not in set(values)]
    if rest:
        q.facts["other_amounts"] = rest


def _to_other(q: Question, value: float) -> None:
    """An amount read under a role it does not have, back among those no role took."""
    q.facts["other_amounts"] = [*q.facts.get("other_amounts", []), value]


_PROJECT_PART = re.compile(r"(设备|厂房改造|厂房|土建|软件|安装工程)(?:投资|部分|费用|购置)?(?:买了|花了|投了|用了|是)?(?:约|大概|大约)?\s*(\d+(?:\.\d+)?)万")
_LETTERED = re.compile(r"(?:^|[，,、：:；;\s（(])[A-Da-d甲乙丙丁](?:设备|机|台)?\s*[:：]?\s*(\d+(?:\.\d+)?)万")
_RD_SHARE = re.compile(r"研发(?:投入|费用|支出|经费)?(?:大概|大约|约)?占(?:营业|销售|主营业务)?(?:收入|营收|销售额)(?:的)?(?:大概|大约|约)?"
                       r"(\d+(?:\.\d+)?)%")
_ROUTINE_PART = re.compile(r"(?:其中|里面有|里头有|里边有|包括|含)[^，。；\d]{0,4}?(\d+(?:\.\d+)?)万[^，。；]{0,16}?"
                           r"(?:日常|常规|质量检测|质量控制|售后|市场调查|维护)")
_TRANSFER_ITEM = re.compile(r"(?:一项|另一项|一个|另一个|一笔|另一笔|第[一二三四]项|第[一二三四]笔)[^，。；\d]{0,8}?"
                            r"(?:所得|收入|收了|卖了)[^，。；\d]{0,3}?(\d+(?:\.\d+)?)万")


def _small_number(word: str) -> int:
    """'3' or '三' (or '两', '十') → 3."""
    return int(word) if word.isdigit() else {"两": 2, "十": 10}.get(word) or "一二三四五六七八九".index(word) + 1


EQUIPMENT_INCENTIVES = ("special-equipment-credit", "equipment-one-time-deduction", "accelerated-depreciation")


_CORRECTED = re.compile(r"(?:不对|错了|看错|打错|写错|说错|搞错|更正|纠正)[^。？?\d]{0,12}?(?:应该是|其实是|是|为|改成|改为)\s*(\d+(?:\.\d+)?)万")


def _corrected_amount(text: str, q: Question) -> None:
    """“今年计划投1000万，哦不对，我看错表了，是1100万”: the amount corrected to takes the role of the
    one said before the correction (the later one has no role words of its own)."""
    said = _CORRECTED.search(text)
    others = q.facts.get("other_amounts") or []
    if not said or float(said.group(1)) not in others:
        return
    value = float(said.group(1))
    before = text[:said.start()]
    roles = [(before.rfind(f"{v:g}万"), key) for key, v in q.facts.items()
             if key.endswith("_wan") and isinstance(v, (int, float)) and f"{v:g}万" in before]
    if not roles:
        return
    key = max(roles)[1]
    q.facts[key] = value
    others.remove(value)
    if not others:
        q.facts.pop("other_amounts")


def _masked_gaps(text: str) -> str:
    """“（还差50万到5000万）”, “再多投100万就够了”: a gap to a line or a sum the firm might add is not one of
    its amounts (masked with dots of the same length)."""
    return _GAP.sub(lambda m: "·" * len(m.group(0)), text)


_GAP = re.compile(r"(?:还差|差了|只差|就差|差)\s*\d+(?:\.\d+)?\s*万(?:元)?(?:就)?(?:到|够|满|达到)?(?:\d+(?:\.\d+)?万(?:元)?)?"
                  r"|(?:再多投|再投|再加|再追加|多投|追加)\s*\d+(?:\.\d+)?\s*万(?:元)?"
                  r"(?=[^，。；？?]{0,4}?(?:就够|够不够|够吗|就行|行不行|行吗|就能|能不能|可以吗|是不是))"
                  # "设备抵免是按339万还是312万算": the bases the user weighs, not two more amounts
                  r"|按\s*\d+(?:\.\d+)?\s*万(?:元)?\s*还是(?:按)?\s*\d+(?:\.\d+)?\s*万(?:元)?(?=\s*(?:来|去)?(?:算|计算|计|抵))")


def _masked_roles(text: str, tables: Dict[str, Any]) -> str:
    """Words that hold a role cue without having that role (“无形资产摊销” is a cost item of R&D,
    not R&D that forms an intangible), replaced by their role-free word of the same length."""
    for phrase, plain in (tables.get("role_masks") or {}).items():
        text = text.replace(phrase, plain.ljust(len(phrase), "·")[:len(phrase)])
    return text


def _investment_as_equipment(q: Question, vocab: Vocabulary, tables: Dict[str, Any]) -> None:
    """“买了安全生产专用设备，投资一千二百万，这个抵免怎么算”: asked about an equipment incentive
    with no programme in sight, the investment named is the equipment's value."""
    kinds = vocab.kinds
    total = q.facts.get("fixed_asset_investment_wan")
    if total is None or "equipment" in q.facts or not set(EQUIPMENT_INCENTIVES) & set(q.topics):
        return
    if any(kinds.get(t) in ("program", "award") for t in q.topics) or q.case_question or q.regions:
        return
    item: Dict[str, Any] = {"value_wan": total}
    purpose = first_key(q.text, tables["purposes"])
    if purpose:
        item["special_purpose"] = purpose
    q.facts["equipment"] = [item]
    del q.facts["fixed_asset_investment_wan"]


def _investment_of_parts(q: Question, units: List[float], other: float) -> None:
    """The project's fixed-asset investment as its equipment and its other part, with the sum shown."""
    total = round(sum(units) + other, 4)
    q.facts["fixed_asset_investment_wan"] = total
    q.derived.append(f"固定资产投资 = 设备{' + '.join(format_number(v) for v in units)} + 其他{format_number(other)}"
                     f" = {format_number(total)}万元。")


def _equipment_as_investment(q: Question, vocab: Vocabulary) -> None:
    """“技改投了600万买设备，能入库吗”: asked about a programme with no tax in sight, the money
    spent on equipment is the project's fixed-asset investment, not a tax figure."""
    kinds = vocab.kinds
    equipment = q.facts.get("equipment")
    loose = q.facts.get("other_amounts") or []
    if equipment and "税" in q.text and ("fixed_asset_investment_wan" in q.facts or len(loose) == 1) \
            and (q.case_question or any(kinds.get(t) == "program" for t in q.topics)) \
            and len(set(re.findall(r"(去年|今年|明年|前年|后年|20\d\d年)(?![^，。；]{0,3}(?:营收|营业收入|收入|产值|销售))", q.text))) <= 1 \
            and re.search(r"还上了|还买了|另外|加上|再加|以及|外加|还花了|还投了", q.text) \
            and not re.search(r"总投资|一共|合计|总共|总额|其中|投资总额", q.text):
        # "设备花了四百五十万，另外软件和系统集成六十万，能进项目库吗？设备那块税上有什么说法": the project is
        # both parts, the equipment still the tax's
        other = q.facts.get("fixed_asset_investment_wan") or loose[0]
        _drop_other(q, [other])
        _investment_of_parts(q, [item["value_wan"] for item in equipment], other)
        return
    if not equipment or "税" in q.text:
        return
    if any(kinds.get(t) == "incentive" for t in q.topics) or set(q.tax_facts()) != {"equipment"}:
        return
    if not (q.case_question or any(kinds.get(t) == "program" for t in q.topics)):
        return
    if "fixed_asset_investment_wan" in q.facts:  # "去年设备投资了六百万，今年还准备投四百万": another year's money
        years = set(re.findall(r"去年|今年|明年|前年|后年|20\d\d年", q.text))
        if len(years) <= 1 and re.search(r"还上了|还买了|还有|另外|加上|再加|以及|外加|还花了|还投了", q.text) \
                and not re.search(r"总投资|一共|合计|总共|总额|其中", q.text):
            # "买了三百来万的设备，还上了MES系统花了五十多万": two parts of one project
            _investment_of_parts(q, [item["value_wan"] for item in q.facts.pop("equipment")], q.facts["fixed_asset_investment_wan"])
            return
        q.facts["other_amounts"] = [*q.facts.get("other_amounts", []), *(item["value_wan"] for item in q.facts.pop("equipment"))]
        return
    q.facts["fixed_asset_investment_wan"] = sum(item["value_wan"] for item in equipment)
    del q.facts["equipment"]


_COMPLETES_THIS_YEAR = re.compile(r"(?:今年|年内)?(?:\d{1,2}|十一|十二|十)月(?:份|底)?(?:就|就能|能|可以)?(?:投产|竣工|完工|转起来|建成)")
def _completes_this_year(text: str) -> bool:
    """A month of completion said without another year before it (“明年3月投产” is not this year)."""
    for found in _COMPLETES_THIS_YEAR.finditer(text):
        if not re.search(r"明年|后年|下一年|\d{4}年", text[max(0, found.start() - 5):found.start() + 2]):
            return True
    return False


_ASIDE = re.compile(r"[（(][^（）()\d]{1,20}[）)]")
_LIST_NUMBER = re.compile(r"(?:(?<=^)|(?<=[\s，,；;。:：]))\d{1,2}(?:[、)）]|\.(?!\d))")


def _without_asides(text: str, keep: Sequence[str] = ()) -> str:
    """“买了200万（不含税，专票抵了）的环保设备”: an aside without figures is left out, so the
    amount still meets the word that says what it is — but a purpose it names stays (“580万的检测
    设备（在安全生产目录里）”); “1、… 2、…” numbers a list, not money."""
    def aside(match: "re.Match[str]") -> str:
        return next((cue for cue in keep if cue in match.group(0)), "")
    return _LIST_NUMBER.sub("；", _ASIDE.sub(aside, text))  # (a clause break: "…500万 2.今年技术转让…")


MAX_AMOUNT_WAN = 1e8  # 一万亿元: a larger figure is a typo, not a firm's amount
_NEGATIVE = re.compile(r"(?<![\d万亿元%])[-－−]\s?\d+(?:\.\d+)?\s?(?:万|亿|元|[wW])")
_SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


def _unreadable_amount(text: str, q: Question) -> Optional[str]:
    """An amount the message gives but no estimate should use, and the message saying why."""
    if _SCIENTIFIC.search(text):
        return "金额请直接写数字（例如“研发费用800万”），不要用科学计数法，我再帮您算。"
    if _NEGATIVE.search(text):
        return "金额不能是负数，请检查后再告诉我（例如“研发费用800万”）。"
    amounts = [v for v in q.facts.values() if isinstance(v, (int, float))]
    amounts += [item["value_wan"] for item in q.facts.get("equipment", [])]
    if any(abs(v) >= MAX_AMOUNT_WAN for v in amounts):
        return "金额过大，无法估算，请检查输入的金额（单位：万元）。"
    return None


def _asks_rate(text: str, cues: List[str]) -> bool:
    """A rate cue other than the 税率 of a rate the firm states (“税率25%”, “按15%的税率”)."""
    stated = re.sub(r"税率(?:是|为)?\s?\d+(?:\.\d+)?%|\d+(?:\.\d+)?%的?(?:所得)?税率", "", text)
    return any(cue in stated for cue in cues)


def _flags(text: str, table: Dict[str, Dict[Any, List[str]]]) -> Dict[str, bool]:
    """"已经备案" → filed_or_approved: True; the "no" cues first ("不是规上" also holds "是规上")."""
    flags: Dict[str, bool] = {}
    for slot, cues in table.items():
        for answer, value in ((False, "no"), (True, "yes")):
            if any(cue in text for cue in cues.get(value) or cues.get(answer) or []):
                flags[slot] = answer
                break
    return flags


def _topics(text: str, topics: Sequence[TopicCue]) -> List[str]:
    """Topic ids by where their first cue stands; a longer cue hides a shorter one inside it."""
    found: List[Tuple[int, int, str]] = []
    for topic in topics:
        for cue in topic.cues:
            at = text.find(cue)
            # "普通生产设备（不是专用设备）": not that incentive's ("是不是小巨人就能…" asks, it does not deny)
            while at >= 0 and denied_at(text, at) and not text[max(0, at - 3):at].endswith(("是不是", "算不算", "属不属于")):
                at = text.find(cue, at + 1)
            if at >= 0:
                found.append((at, -len(cue), topic.id))
    found.sort()
    taken: List[Tuple[int, int]] = []
    ordered: List[str] = []
    for at, negative_length, topic_id in found:
        end = at - negative_length
        if any(s <= at and end <= e and (s, e) != (at, end) for s, e in taken):
            continue
        taken.append((at, end))
        if topic_id not in ordered:
            ordered.append(topic_id)
    return ordered


def _aspects(text: str, table: Dict[str, List[str]]) -> List[str]:
    """Aspects in table order (compute before amount before threshold …), each once."""
    def plain(words: str) -> str:  # "预缴能不能用" holds 不能用 (an exclusion) without saying it
        # "汇算清缴时才能享受吗" asks when, not who or how much ("才能" alone is a threshold's word)
        words = re.sub(r"(时|时候)才(能|可以)", r"\1只\2", words)
        words = re.sub(r"才(能|可以)(?=投产|竣工|完工|建成|开工|建完)", r"再\1", words)  # "要是明年才能投产呢": when, not a bar
        # "是不是得先备案审批了才能享受": a step before claiming, not a bar on who qualifies
        words = re.sub(r"(备案|审批|批准|批下来|核准|申请|登记)(了|以后|之后|后)?才(能|可以)", r"\1\2再\3", words)
        words = re.sub(r"(合同|发票|开票|交易|转让)金额", r"\1价款", words)  # "是指合同金额吗": a term, not an amount asked
        words = re.sub(r"(?:还在|正在|在)走流程", "未完", words)  # "备案还没批下来，还在走流程": a fact, not the procedure asked
        words = re.sub(r"申报表(?=模[板版]|样表|样本|格式)", "表格", words)  # "有没有申报表模版": a template, not the procedure
        # "入选了一般多久能拿到钱": when the money comes, not what the programme gives
        words = re.sub(r"(多久|多长时间|什么时候|啥时候|几时|何时)(才)?能拿到钱", r"\1\2到钱", words)
        return words.replace("能不能", "能否").replace("可不可以", "可否").replace("在哪一年", "哪一年").replace("在哪年", "哪年")
    text = plain(text)
    return [aspect for aspect, cues in table.items() if any(plain(cue) in text for cue in cues)]


def _asked_about(text: str, cues: List[str]) -> bool:
    """The cue stands in a yes/no question about it: “属于批发零售吗”, “算不算批发”, “是不是房地产”."""
    for cue in cues:
        at = text.find(cue)
        if at >= 0 and (re.match(r"[业的]?(?:吗|么|不|呢)", text[at + len(cue):at + len(cue) + 3])
                        or re.search(r"(?:是不是|算不算|属不属于|属于不属于)$", text[max(0, at - 5):at])):
            return True
    return False


_FIRM_MARK = re.compile(r"^\s*(?:另外|还有)?(?:另)?一家|^\s*第[一二三四五]家")


def _firms_listed(text: str, industries: Dict[str, List[str]]) -> List[Tuple[str, Optional[str]]]:
    """“集团下面三家公司：一家卷烟厂，一家连锁酒店，一家汽车零部件制造厂”: each firm and its
    industry on the R&D negative list (None when it names none); [] unless two or more are listed."""
    pieces = [p for p in re.split(r"[，,；;。：:、]", text) if _FIRM_MARK.match(p)]
    if len(pieces) < 2:
        return []
    firms = []
    for piece in pieces:
        name = re.split(r"[？?]|研发|能不能|能否|哪家", _FIRM_MARK.sub("", piece))[0].strip() or piece.strip()
        firms.append((name, first_key(piece, industries)))
    return firms


def first_key(text: str, table: Dict[str, List[str]]) -> Optional[str]:
    """The key of the table whose cue comes first in the text."""
    hits = [(text.find(cue), key) for key, cues in table.items() for cue in cues if cue in text]
    return min(hits)[1] if hits else None


def _places(text: str, tables: Dict[str, Any]) -> Tuple[List[str], List[str]]:
    inside = [region for region, cues in tables["places_inside"].items()
              if any(_named(text, c) for c in cues)]
    outside = [place for place in tables["places_outside"] if place in text]
    # "德国对中小企业工业4.0改造有补贴吗": a country asked about as a place (not "从德国进口的设备")
    outside += [country for country in tables.get("countries_asked", ()) if country not in outside and re.search(
        rf"{country}(?:对|政府|的政府|当地|那边|有没有|有什么|的补贴|的政策|的技改|本地)|在{country}", text)]
    # "安徽六安" names the province of a covered city: not another place.
    if any(f"{province}六安" in text for province in ("安徽", "安徽省")):
        outside = [p for p in outside if p not in ("安徽", "安徽省")]
    return inside, outside


DENIALS = ("不是", "并非", "非", "不属于")
_DENIAL_REACH = max(len(d) for d in DENIALS)


def _located_at(text: str, place: str, located: Dict[str, List[str]]) -> int:
    """Where the message places the firm in `place` (“在淮南”, “淮南的企业”, “我们是六安的”), -1 if nowhere."""
    # ("我们在广西没有子公司也没有厂": not placed there)
    hits = [at for before in located.get("before", []) for at in [text.find(f"{before}{place}")]
            if at < 0 or not re.match(r"(?:也|都|并)?(?:没有|没|无)", text[at + len(before) + len(place):])]
    hits += [text.find(f"{place}{after}") for after in located.get("after", [])
             if not re.search(rf"{re.escape(place + after)}(?:库|计划|清单)", text)]  # "六安的项目库" is the programme
    if text.rstrip("。.!！ ").endswith(f"{place}的"):
        hits.append(text.rfind(place))  # "我们湖南长沙的": said as the whole message
    said = re.search(rf"{re.escape(place)}的[\u4e00-\u9fa5]{{1,6}}?(?:企业|公司|工厂|厂)(?![长房区里])", text)
    if said:
        hits.append(said.start())  # "马鞍山的钢铁企业": the firm placed there
    hits = [h for h in hits if h >= 0]
    return min(hits) if hits else -1


def denied_at(text: str, start: int) -> bool:
    """What stands at `start` is denied: “不是六安市的，是省级的”, “也不是安全改造”, “不属于节能”."""
    return text[max(0, start - _DENIAL_REACH):start].endswith(DENIALS)


def _named(text: str, cue: str) -> bool:
    """`cue` stands in `text` other than denied (see `denied_at`)."""
    start = text.find(cue)
    while start != -1:
        if not denied_at(text, start):
            return True
        start = text.find(cue, start + 1)
    return False


def _sentence_before(text: str, end: int) -> str:
    """From the start of the sentence (after the last 。！？ or newline) to `end`."""
    start = max(text.rfind(mark, 0, end) for mark in "。！？!?\n") + 1
    return text[start:end]


# "2025年12月买的，当月就用上了": bought in a month and put to use the same month
_IN_USE_SAME_MONTH = re.compile(r"(?:(20\d\d)年)?()(\d{1,2})月[^。？?]{0,12}?当月[^，。？?,]{0,6}?(?:投入使用|投用|用上|开始使用|启用)")
_SUMMABLE = ("tech_transfer_income_wan", "rd_expense_wan")
_ENUMERATED = re.compile(r"分别|两个|两笔|三个|三笔|几个|几笔|两份|三份|一份[^。？?]{2,20}一份|另一份|[AB甲乙]项目|[AB甲乙]花|第一[个笔份]|第二[个笔份]|另一个|另一笔|另外一个|各自")
_WHOLE = re.compile(r"其中|一共|总共|合计|加起来|总计|共计|不对|打错|说错|更正")
_IN_USE = re.compile(r"(?:(20\d\d)年|(今年|去年|明年))?(\d{1,2})月[初中底末份]?[^，。？?,]{0,10}?(?:投入使用|投用|用上|开始使用|开始用|用起来|启用|装好|安装好|安装完|调试好)")
_UNIT_WORD = re.compile(r"(?:一|另一|第二|第三|两|另)(?:台|套|条|组|部)")


def _read_amounts(text: str, tables: Dict[str, Any], q: Question) -> None:
    # "这两块优惠": 块 as a measure word reads as 2元; no amount the policies speak of is below 100元
    spans = [span for span in find_amounts(text) if span.kind == "percent" or span.value >= 0.01]
    last_role: Optional[str] = None
    for index, span in enumerate(spans):
        if span.kind == "percent":
            before, after = _clause_before(text, spans, index), text[span.end:span.end + 4]
            other_tax = before.endswith(("关税税率", "关税税率是", "关税税率为", "关税税率按", "关税税率算", "关税按",
                                         "关税税率就按", "关税就按", "关税按照", "关税税率按照", "关税税率就是", "关税税率假设",
                                         "关税税率假设为", "关税假设", "关税税率大概", "关税大概",
                                         "关税率", "关税率是", "关税率为",
                                         "增值税税率", "增值税率"))
            if re.match(r"还是", after) or before.endswith("还是") or re.search(r"按$", before) and re.match(r"还是", after):
                q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))  # "按5%还是25%": asked
                continue
            near = text[max(0, span.start - 16):span.start]  # ("关税能免多少，税率10%": the clause before names it)
            customs = before.endswith(("税率", "税率是", "税率为")) and re.search(r"海关|关税|进口", near) \
                and "所得税" not in near and "增值税" not in near
            if customs:
                q.facts["tariff_rate_pct"] = span.value  # "海关说税率5%": the import's tariff
            elif other_tax and "关税" in before[-6:]:
                q.facts["tariff_rate_pct"] = span.value  # "关税税率5%": the import's tariff, not income tax
            elif other_tax:
                q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))
            elif q.not_high_tech and re.search(r"高新[\u4e00-\u9fa5]{0,6}?(?:是|按|为|享受|适用|才是|才)$", before):
                # "听说高新企业是15%税率，不过我们还没评上高新": the status's rate, not the firm's
                q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))
            elif before.endswith(("税率", "税率是", "税率为")) and "所得税" not in before \
                    and re.search(r"专票|进项|增值税|一般纳税人|发票", text[max(0, span.start - 16):span.start]):
                q.facts["vat_rate_pct"] = span.value  # "专票进项已经抵扣了，税率13%": the invoice's VAT rate
            elif before.endswith(("税率", "税率是", "税率为", "所得税率", "企业所得税", "所得税", "所得税按", "企业所得税按")) \
                    or after.startswith(("税率", "的税率", "的所得税")) \
                    or (before.endswith("按") and re.match(r"(?:的)?(?:交税|缴税|纳税|交所得税|缴所得税|计税|交企业所得税|能省|能少交|算|来算|计算|估算)", after)
                        and not re.search(r"加计|抵减|抵免|计入|摊销", before[-8:] + after[:6]) and span.value <= 25
                        and not re.search(r"还是|也是按$|是不是按$|是否按$", before[-8:]) and not re.match(r"(?:算|来算)?(?:吗|么|呢|不|还是|？|\?)", after)
                        and "还是" not in after[:8]) \
                    or re.search(r"税率(?:就是|就按|是|为|按|都是)?(?:普通的|一般的|正常的|法定的|标准的|常规的)?$", before):
                q.facts["income_tax_rate_pct"] = span.value  # "税率15%", "按15%的税率"
            elif after.startswith(("的要求", "要求", "的门槛", "的标准", "的条件", "的投资", "投资", "对我们", "太难", "很难", "有点难",
                                   "做不到", "达不到", "太高")) \
                    or before.endswith(("完成", "要完成", "得完成", "达到")) or _is_rule_mention(before, after, tables):
                q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))
            elif "构成比例" in before:
                q.facts["input_ratio_pct"] = span.value  # "进项构成比例90%": the refund's ratio
            elif ("增长" in before + after or "涨" in before + after) and (
                    "output_growth_pct" in q.facts and q.derived and abs(q.facts["output_growth_pct"] - span.value) > 0.05
                    or re.search(r"要求|规定|门槛|标准|条件", re.split(r"[，,。；;？?！!]", before)[-1][-12:])):
                # "千企技改要求产值增长15%是吧，…1.2个亿…1.35亿": the rule's figure beside the firm's own growth
                q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))
            elif "增长" in before + after or "涨" in before + after:
                q.facts["output_growth_pct"] = span.value
            continue
        before, after = _clause_before(text, spans, index), _clause_after(text, spans, index)
        if denied_at(text, span.start) and index:
            continue  # "收入是1000万不是900万": the amount corrected away
        if _is_rule_mention(before, after, tables):
            q.rule_mentions.append(RuleMention(span.value, text[span.start:span.end]))
            continue
        role = _role(before, after, tables["roles"])
        if role is None:  # "环保设备，不含税350万": the cue stands in the clause before
            wide = text[spans[index - 1].end if index else 0:span.start]
            specific = {r: c for r, c in tables["roles"].items() if r not in GENERIC_ROLES and r != "award"}
            role = _nearest_role(wide, specific)
            before = wide if role else before
        if role is None and last_role == "equipment" and _UNIT_WORD.search(before):
            role = "equipment"  # "两台设备：一台480万一台650万": the list goes on
        between = text[spans[index - 1].end:span.start] if index else ""
        if role is None and last_role == "equipment" and re.fullmatch(r"\s*(?:元)?\s*(?:、|和|，|,)\s*", between):
            role = "equipment"  # "三台设备：120万、260万、700万": each a unit of the same list
        if role is None and last_role in _SUMMABLE and re.fullmatch(r"\s*(?:元)?\s*(?:和|、|与|及|跟|加上?)\s*", between):
            role = last_role  # "所得分别是300万和400万": the same kind of amount
        if role is None and "tech_transfer_income_wan" in q.facts and "revenue_wan" not in q.facts \
                and re.search(r"(?<!应纳税)所得(?:额)?(?:是|为|有|大概|约|只有)?\s*$", before) \
                and "收入" in text[:spans[index - 1].end + 2] and "所得" not in text[:spans[index - 1].start]:
            # "技术转让收入三百万，所得两百五十万": the first was the revenue, this is the income
            q.facts["revenue_wan"] = q.facts.pop("tech_transfer_income_wan")
            role = "tech_transfer_income_wan"
        year_said = re.fullmatch(r"\s*(?:元)?[，,、；\s]*(今年|去年|明年|前年)\s*(?:预计|大概|估计|计划|准备)?\s*(?:花|投入|发生|是)?(?:了)?\s*", between)
        if last_role == "rd_expense_wan" and role in (*GENERIC_ROLES, None) and year_said and "rd_expense_wan" in q.facts:
            # "研发费用去年600万今年800万，分别能省多少": each year's R&D, computed on its own
            first = re.search(r"(今年|去年|明年|前年)[^，。；\d]{0,6}$", text[:spans[index - 1].start])
            if first and not q.facts.get("rd_by_year"):
                q.facts["rd_by_year"] = [[first.group(1), q.facts["rd_expense_wan"]]]
            if q.facts.get("rd_by_year"):
                q.facts["rd_by_year"].append([year_said.group(1), span.value])
                last_role = "rd_expense_wan"
                continue
        if role is None and last_role in _SUMMABLE and re.search(r"(?:一份|另一份|一笔|另一笔|第二份|第二笔|一个|另一个|第二个)[^，。；\d]{0,4}$", before):
            role = last_role  # "一份所得300万，一份所得400万": the next item of the same list
        sentence = _sentence_before(text, span.start)
        own = re.search(r"(?:自己|自行|自主|我们自己|本公司自己)[^，。；,;]{0,6}$", re.split(r"[，,；;。]", before)[-1])
        if role in ("rd_commissioned_foreign_wan", "rd_commissioned_domestic_wan") and not re.search(r"委托|研发|开发|外包|研究", sentence):
            # "技术转让给国外客户，所得三百万": abroad is where the buyer is, not commissioned R&D
            rest = {r: c for r, c in tables["roles"].items() if r not in GENERIC_ROLES and not r.startswith("rd_commissioned")}
            role = _nearest_role(before, rest) or role
        if role == "rd_commissioned_domestic_wan" and "委托" in sentence and any(
                c in sentence for c in tables["roles"]["rd_commissioned_foreign_wan"]):
            role = "rd_commissioned_foreign_wan"  # "委托国外一个专家…帮我们做研发，给了他100万"
        if own and role in ("rd_commissioned_foreign_wan", "rd_commissioned_domestic_wan"):
            role = "rd_expense_wan"  # "委托国外专家做研发给了100万，另外我们自己研发300万": the firm's own
        if role in ("revenue_wan", "rd_expense_wan", None) and "委托" in sentence and re.search(r"研发|开发|研究", sentence) \
                and not own:
            # "委托省内一所大学做了个研发项目，合同金额150万": the contract is the commissioned R&D
            foreign = any(c in sentence for c in tables["roles"]["rd_commissioned_foreign_wan"])
            role = "rd_commissioned_foreign_wan" if foreign else "rd_commissioned_domestic_wan"
        near = "".join(re.split(r"[，,；;。]", sentence)[-2:])  # "属于创新化改造，投一百五十万": the project's money
        if role == "fixed_asset_investment_wan" and "研发" in text \
                and not re.search(r"项目库|技改库|千企|入库|入选|固定资产|技改奖补|小项目|这个项目|项目总|项目投", text) \
                and not re.search(r"奖|补贴|补助|贴息", after[:6]) and not (re.search(r"改造|技改", near) and "研发" not in near):
            role = "rd_expense_wan"  # "研发费用里…那五项加起来900万": R&D money, no project in sight
        if role == "revenue_wan" and any(cue in before for cue in tables["roles"]["rd_offset_wan"]):
            role = "rd_offset_wan"  # "中间试制品卖了80万": income that reduces the R&D base
        if role == "transfer_cost_wan" and "转让" not in text and "收入" not in text \
                and re.search(r"无形资产|研发形成|形成了?一项", sentence):
            role = "rd_intangible_wan"  # "研发项目形成了无形资产，成本500万": no transfer in sight
        wide = text[spans[index - 1].end if index else 0:span.start]
        if role in ("transfer_taxes_wan", "transfer_cost_wan") and not re.search(r"转让|许可|收入|所得|技术", text) \
                and any(c in wide for c in tables["roles"]["equipment"]):
            role = "equipment"  # "加工中心，含税费安装各项一共480万": the equipment's cost, no transfer in sight
        if role == "rd_expense_wan" and re.match(r"[^，。？?]{0,8}形成(?:了)?无形资产", after):
            role = "rd_intangible_wan"  # "这500万研发最后形成了无形资产": R&D that forms an intangible
        if role == "rd_part_wan" and "研发" not in text:
            role = None  # "设备折旧100万" with no R&D in sight is no R&D cost item
        referred = (role in q.facts and q.facts[role] != span.value) or q.facts.get("transfer_service_wan") == span.value
        if index and referred and re.search(r"(?:把|将)?(?:这|那)(?:个|笔|台)?$", text[:span.start]) \
                and any(abs(other.value - span.value) < 1e-9 for other in spans[:index]):
            # ("服务所得150万，这150万能并进技术转让吗": the services' amount, not transfer income)
            continue  # "研发加计基数能不能把这一百万全算进去": the amount said before, referred to again
        ahead = text[span.end:spans[index + 1].start if index + 1 < len(spans) else len(text)]
        _store(q, role, span, before + after, tables, ahead, wide)
        last_role = role
    _gross_restated(q)
    service = q.facts.get("transfer_service_wan")
    if service is not None and _SAME_CONTRACT.search(q.text):
        # "合同里还附带了技术服务费50万": agreed in the transfer contract, part of its income
        key = "tech_transfer_income_wan" if "tech_transfer_income_wan" in q.facts else "revenue_wan"
        if key in q.facts:
            q.summed.setdefault(key, [q.facts[key]]).append(service)
            q.facts[key] = round(q.facts[key] + service, 4)
            del q.facts["transfer_service_wan"]
    if "rd_five_wan" in q.facts and "rd_other_wan" in q.facts and "rd_expense_wan" not in q.facts:
        q.facts["rd_expense_wan"] = q.facts.pop("rd_five_wan")  # "这五项加起来900万，其他相关费用150万": the base
    parts = q.facts.pop("rd_part_wan", None)
    if parts and "rd_expense_wan" not in q.facts and "rd_intangible_wan" not in q.facts:
        # "研发人员工资300万，材料200万，仪器折旧100万": the R&D expense is their sum
        q.facts["rd_expense_wan"] = round(sum(parts), 4)
        if len(parts) > 1:
            q.summed["rd_expense_wan"] = list(parts)


_SAME_CONTRACT = re.compile(r"同一份|同一个合同|同一合同|一并收取|一起收|合同里(?:还)?(?:附带|包括|包含|约定)|包含在转让合同|写在转让合同")
_FISCAL_PORTION = re.compile(r"其中(?:有)?([\d.一二两三四五六七八九十百千零]{1,8})万(?:元)?(?:是|为|来自|用的是|靠)?[^，。；\d]{0,8}?(?:财政|政府|拨款|专项资金)")


def _gross_restated(q: Question) -> None:
    """“价税合计339万（设备300万，税39万）”: one unit said twice, with and without VAT — one unit,
    its invoice VAT the amount between them (the reply shows 339 − 39)."""
    units = q.facts.get("equipment", [])
    others = q.facts.get("other_amounts", [])
    for gross in [u for u in units if u.get("gross")]:
        net = next((u for u in units if u is not gross and not u.get("gross") and u["value_wan"] < gross["value_wan"]
                    and any(abs(u["value_wan"] + o - gross["value_wan"]) < 0.5 for o in others)), None)
        if not net or "invoice_vat_wan" in q.facts:
            continue
        tax = next(o for o in others if abs(net["value_wan"] + o - gross["value_wan"]) < 0.5)
        others.remove(tax)
        units.remove(net)
        q.facts["invoice_vat_wan"] = tax
        for key in ("special_purpose", "year", "years_ago"):
            if key in net and key not in gross:
                gross[key] = net[key]
    if "other_amounts" in q.facts and not others:
        del q.facts["other_amounts"]


def _clause_before(text: str, spans: List[Span], index: int) -> str:
    start = spans[index - 1].end if index else 0
    window = text[start:spans[index].start]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1] if parts else window


def _clause_after(text: str, spans: List[Span], index: int) -> str:
    end = spans[index + 1].start if index + 1 < len(spans) else len(text)
    window = text[spans[index].end:end]
    if re.match(r"\s*[（(](?:其中|税额|增值税额?|进项税?额?)", window):
        return ""  # "价税合计339万（其中增值税39万）": the aside names the next amount, not this one
    # ("研发500万 技术转让所得1200万": in a message written in spaced terms, the next term is another item)
    # ("1.研发费用300万（一般企业）2.节能节水设备…": the next numbered item is another amount's)
    window = re.split(r"\d+\s*[.．、)）](?!\d)", _CLAUSE_BREAK.split(window)[0])[0]
    return re.split(r"\s+(?=[\u4e00-\u9fa5])", window)[0][:_AFTER_REACH]


def _is_rule_mention(before: str, after: str, tables: Dict[str, Any]) -> bool:
    compared = any(before.endswith(cue) for cue in tables["rule_before"]) or any(
        after.startswith(cue) or after.startswith("元" + cue) for cue in tables["rule_after"])
    own = any(cue in before for cue in tables["own_case"])
    ranged = re.match(r"(?:万|万元|元)?(?:以下|以内|以上|及以下|及以上)的?(?:设备|机器|仪器|器具|生产线|机床)", after)
    return compared and (not own or bool(ranged))  # "我们买了台500万以下的设备": a range, not its value


def _role(before: str, after: str, roles: Dict[str, List[str]]) -> Optional[str]:
    """A cue right after the number wins (两百万的节能设备); else the nearest cue before it.
    Commissioned R&D is named by 委托 anywhere before the number (委托本地大学做研发付了200万)."""
    if re.search(r"(?:贷了|借了|贷款|借款|(?:想|要|准备|打算|计划|申请|能)贷)(?:了)?\s*$", before):
        return "loan_wan"  # "贷了2000万搞设备更新": the loan, whatever it is spent on
    if re.match(r"(?:元)?(?:的)?[^，。；\d]{0,6}?(?:贷款|借款)", after):
        return "loan_wan"  # "申请了2000万设备更新贷款": the loan, not equipment
    if re.search(r"(?:今年|年内|当年|本年|年度内)(?:计划|预计|估计|能|可以|要|大概)?(?:完成|投)(?:投资)?(?:大概|大约|约)?\s*$", before):
        return "investment_this_year_wan"  # "今年计划完成500万投资": this year's part, not the project's total
    if re.search(r"(?:^|[，,、；\s]|改造|项目|技改|总共|一共|共|要|准备|计划|预计|打算|再|大概|大约)投(?:了|个)?(?:大概|大约|约)?\s*$", before):
        return "fixed_asset_investment_wan"  # "属于创新化改造，投一百五十万左右": the project's investment
    if re.search(r"所得额[^，。；\d]{0,10}?(?:加计|扣除|抵免)(?:之)?前(?:是|为|有)?\s*$", before) \
            or re.search(r"(?:加计|扣除|抵免)(?:扣除)?(?:之)?前(?:的)?(?:应纳税)?(?:所得|利润)(?:额)?(?:只有|就|是|为|有|才)*\s*$", before):
        return "taxable_income_wan"  # "应纳税所得额还没算研发加计前是280万"
    if re.search(r"卖(?:了)?[^，。；\d]{0,8}(?:设备|零件|配件|原材料|产品)[^，。；\d]{0,4}$", before):
        return "sales_wan"  # "附带卖了一批设备零件收了200万": sales, neither equipment bought nor transfer income
    if re.search(r"(?:[一两二三四五六七八九十\d]|这|那|买了|购置了|购进了|上了|添了|进了)(?:台|套)\s*$", before) \
            or re.search(r"(?<!手)(?<!司)(?<!飞)(?<!算)(?<![时危商])[\u4e00-\u9fa5]{1,4}机(?:组)?(?:的)?(?:价格|价|是|花了|共|一共)?\s*$", before) \
            or re.match(r"(?:元)?(?:的)?[\u4e00-\u9fa5]{0,4}?(?:机|机组|炉|窑)(?=[，。；？?,\s]|$|这|那|能|可)", after):
        return "equipment"  # "买了台1200万的挤压机": a machine, counted in 台 or named by its kind
    if "委托" in before:
        foreign = any(c in before for c in roles["rd_commissioned_foreign_wan"])
        return "rd_commissioned_foreign_wan" if foreign else "rd_commissioned_domestic_wan"
    head = re.split(r"\s", after.lstrip("元的 "), maxsplit=1)[0][:_AFTER_REACH]  # (not past a list's next item)
    if re.match(r"[^，。；]{0,8}?形成(?:了)?(?:一项|一个|了一项)?(?:专利|无形资产|软件著作权)", head):
        return "rd_intangible_wan"  # "另外有200万研发支出形成了一项专利"
    joined = re.match(r"(?:和|及|与|跟|以及|还有|另外|加上)(?![\d一二两三四五六七八九十百千])", after.lstrip("元 "))  # "研发300万和设备200万"
    after_hits = [] if joined else [(head.find(c), -len(c), role) for role, cues in roles.items() for c in cues if c in head
                                    and (role != "investment_this_year_wan" or after.lstrip("元 ").startswith("的"))
                                    # ("所得三百万要交所得税吗": the tax asked about, not the tax payable)
                                    and (role != "tax_payable_wan" or not re.match(r"(?:要|需要|该|得|还要|还得|用不用|要不要)?(?:交|缴)", head))]
    # ("研发费用去年600万今年800万": the year that follows a number begins the next item, it is not this one's)
    reach = 10 if head.startswith("是") else 3  # "其中200万是用政府科技专项拨款花的"
    if after_hits and (after.lstrip("元 ").startswith("的") or min(after_hits)[0] <= reach):
        return min(after_hits)[2]
    equipment = [hit for hit in after_hits if hit[2] == "equipment"]
    if equipment and not _VERB_BREAK.search(head[:equipment[0][0]]):
        return "equipment"  # "150万安全生产专用设备"
    specific = {r: c for r, c in roles.items() if r not in GENERIC_ROLES}
    return _nearest_role(before, specific) or _nearest_role(before, {r: roles[r] for r in GENERIC_ROLES if r in roles})


# Investment words are weak: in "研发投入450万" the amount is R&D, not the project's investment.
GENERIC_ROLES = ("fixed_asset_investment_wan", "investment_this_year_wan", "total_assets_wan")


def _nearest_role(before: str, roles: Dict[str, List[str]]) -> Optional[str]:
    best: Optional[Tuple[int, int, str]] = None
    for role, cues in roles.items():
        for cue in cues:
            end = before.rfind(cue)
            if end >= 0:
                key = (end + len(cue), len(cue), role)
                best = key if best is None or key[:2] > best[:2] else best
    return best[2] if best else None


def _store(q: Question, role: Optional[str], span: Span, clause: str, tables: Dict[str, Any], ahead: str = "",
           behind: str = "") -> None:
    if role == "equipment":
        item: Dict[str, Any] = {"value_wan": span.value}
        if any(cue in clause for cue in tables["circumstances"]["fiscal_funds"]):
            item["fiscal"] = True  # "另一台100万是拿政府专项拨款买的": this unit's money
        if re.search(r"专门用于研发|研发用的|用于研发|研发专用|专用于研发|研发中心买", clause):
            item["rd_use"] = True  # "研发中心买了台一百万的测试仪，专门用于研发": its depreciation is an R&D cost
        count = _COUNT.search(clause)
        # "设备大概380万，都在环保目录里": the purpose said in the clauses after the price (not another unit's:
        # "一台普通设备480万，另一台节能节水专用设备200万")
        units = tables["roles"]["equipment"]
        # (the words right after the price are this unit's own: "580万的进口检测设备（在安全生产目录里）")
        own, *rest = _CLAUSE_BREAK.split(ahead)
        ahead = own if any(cue in part for part in rest for cue in units) else ahead
        # "买了一台环保专用设备，专票上价税合计339万": the unit and its purpose named in the clause before
        named = [part for part in _CLAUSE_BREAK.split(behind) if any(cue in part for cue in units)] \
            if not q.facts.get("equipment") else []  # (only for the first unit: not the unit before's words)
        purpose = first_key(clause, tables["purposes"]) or first_key(ahead, tables["purposes"]) \
            or next((first_key(part, tables["purposes"]) for part in reversed(named)
                     if first_key(part, tables["purposes"])), None)  # "…专用设备，目录里有的，设备款280万"
        if purpose:
            item["special_purpose"] = purpose
        if re.search(r"价税合计|(?<!不)含税|含增值税", clause) and not re.search(r"不含税|不含增值税", clause):
            item["gross"] = True  # "价税合计339万": the invoice total, VAT included
        year = _YEAR.search(clause)
        if year:
            item["year"] = int(year.group(1))
        elif "去年" in clause:
            item["years_ago"] = 1
        per_unit = re.search(r"各|每[台套]|单价", clause)
        if per_unit and not count and behind:  # "买了3台注塑机，每台210万": the units counted in the clause before
            count = _COUNT.search(_CLAUSE_BREAK.split(behind)[-2] if len(_CLAUSE_BREAK.split(behind)) > 1 else behind)
        times = _COUNT_WORDS.get(count.group(1), 1) if count and per_unit else 1
        q.facts.setdefault("equipment", []).extend(dict(item) for _ in range(times))
    elif role == "award" or role is None:
        q.facts.setdefault("other_amounts", []).append(span.value)
    elif role == "rd_part_wan":
        q.facts.setdefault("rd_part_wan", []).append(span.value)  # summed after all amounts are read
    elif role in _SUMMABLE and role in q.facts and _ENUMERATED.search(q.text) \
            and not _WHOLE.search(q.text[:span.end] + re.split(r"[，,。；;？?]", q.text[span.end:span.end + 6])[0]):
        # ("一个400万一个300万，成本加起来200万": the next clause's 加起来 is the cost's, not these amounts')
        # ("…250万。25%税率总共能省多少": a total asked after the amounts is the saving's, not theirs)
        # "所得分别是300万和400万", "两个研发项目：A花了300万…B花了200万": the year's total
        q.summed.setdefault(role, [q.facts[role]]).append(span.value)
        q.facts[role] = round(q.facts[role] + span.value, 4)
    else:
        q.facts[role] = span.value
