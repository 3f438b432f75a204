"""Triage table: message, intent and region → category, department, urgency (and a reason for each)."""

from __future__ import annotations

import pytest

from bot.helpdesk.triage import DepartmentInfo, suggest

# Departments as the seeds name them (六安 seed 000 三（三）–（五）; 广西 seed 002), written out by hand.
LUAN = [
    DepartmentInfo("市经信局", ["市级技改项目库调度管理", "技改投资统计监测分析", "技改示范项目宣传"], "三.（五）", "六安市"),
    DepartmentInfo("县区主管部门", ["《政府核准的投资项目目录》以外的技改项目备案"], "三.（四）", "六安市"),
    DepartmentInfo("市统计局", ["技改投资统计监测分析"], "三.（五）", "六安市"),
    DepartmentInfo("税务部门", ["落实税收优惠政策，送政策入企"], "三.（三）", "六安市"),
    DepartmentInfo("市产投公司", ["市级技改项目库基金投放"], "三.（三）", "六安市"),
]
GUANGXI = [
    DepartmentInfo("自治区工业和信息化厅", ["千企技改工程组织实施", "技改项目库管理与申报审核"], "五", "广西"),
    DepartmentInfo("自治区财政厅", ["技改专项资金安排与拨付"], "五", "广西"),
]

CASES = [
    # (name, intent, text, region, departments, category, department, urgency)
    ("payment, luan: no fund department named → programme lead", "ask_payment_status",
     "我们的奖补资金什么时候到账", "六安市", LUAN, "资金拨付", "市经信局", "中"),
    ("payment, guangxi: the fund department", "ask_payment_status",
     "技改资金什么时候拨付", "广西壮族自治区", GUANGXI, "资金拨付", "自治区财政厅", "中"),
    ("payment, waiting long → higher urgency", "ask_payment_status",
     "奖补资金一直没到账", "六安市", LUAN, "资金拨付", "市经信局", "高"),
    ("application status by words, despite the payment intent", "ask_payment_status",
     "去年申报的项目审核到哪一步了", "广西壮族自治区", GUANGXI, "申报", "自治区工业和信息化厅", "中"),
    ("filing question goes to the filing department", "ask_procedure",
     "技改项目备案去哪里办", "六安市", LUAN, "申报", "县区主管部门", "中"),
    ("complaint is urgent", "complain", "你们这服务太差了", "六安市", LUAN, "投诉", "市经信局", "高"),
    ("complaint by words under another intent", "request_human",
     "打了好几次电话都没人管，我要投诉", "六安市", LUAN, "投诉", "市经信局", "高"),
    ("tax question goes to the tax office; 急 raises urgency", "ask_tax_incentive",
     "研发费用加计扣除的税怎么算，急", "六安市", LUAN, "咨询", "税务部门", "中"),
    ("plain request for a person", "request_human", "转人工", "六安市", LUAN, "其他", "市经信局", "低"),
    ("no region → no department", "ask_payment_status", "钱什么时候到账", None, LUAN, "资金拨付", None, "中"),
    ("region without KB departments", "complain", "服务太差", "六安市", [], "投诉", None, "高"),
    ("unknown intent, no keyword", "nlu_fallback", "嗯嗯那个啥", "广西壮族自治区", GUANGXI,
     "其他", "自治区工业和信息化厅", "低"),
]


@pytest.mark.parametrize("name,intent,text,region,departments,category,department,urgency", CASES,
                         ids=[c[0] for c in CASES])
def test_triage_table(name, intent, text, region, departments, category, department, urgency):
    result = suggest(intent, text, region, departments)
    assert (result.category, result.department, result.urgency) == (category, department, urgency)
    assert len(result.reasons) == 3 and result.explanation.endswith("。")


def test_explanation_names_keyword_department_duty_and_clause():
    result = suggest("ask_payment_status", "奖补资金一直没到账", "六安市", LUAN)
    assert "到账" in result.explanation
    assert "市经信局" in result.explanation and "三.（五）" in result.explanation
    assert "一直" in result.explanation and "提高一级" in result.explanation


def test_explanation_says_when_the_department_is_unknown():
    assert "不知道企业所在地区" in suggest("complain", "投诉", None, LUAN).explanation
