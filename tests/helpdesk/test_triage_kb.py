"""Triage against the built knowledge base (`policybot kb build`): departments as the seeds name them."""

from __future__ import annotations

import pytest

from bot.helpdesk import triage
from bot.settings import get_settings

CASES = [
    # 六安 seed 三（五）: 市经信局 runs the city project library, the precondition of 技改财政奖补.
    ("六安市", "ask_payment_status", "我们的奖补资金什么时候到账", "资金拨付", {"市经信局"}),
    # 六安 seed 三（四）: filing goes down to 县区主管部门.
    ("六安市", "ask_procedure", "技改项目备案去哪里办", "申报", {"县区主管部门"}),
    # 六安 seed 三（一）/（五）: 入统 is the statistics office's.
    ("六安市", "ask_procedure", "入统要怎么报", "申报", {"市统计局", "统计部门"}),
    # 广西 seed 三 (末段): 自治区工业和信息化厅 issues the project plan.
    ("广西壮族自治区", "ask_payment_status", "去年申报的项目审核到哪一步了", "申报", {"自治区工业和信息化厅"}),
    ("广西壮族自治区", "complain", "你们这服务太差了", "投诉", {"自治区工业和信息化厅"}),
]


@pytest.mark.parametrize("region,intent,text,category,departments", CASES, ids=[c[2] for c in CASES])
def test_department_from_the_kb(region, intent, text, category, departments):
    kb_path = get_settings().kb_path
    result = triage.suggest(intent, text, region, triage.departments_for(region, kb_path))
    assert result.category == category
    assert result.department in departments
    assert "征求意见稿" in result.explanation  # the cited document's title


def test_region_found_in_the_text_through_kb_aliases():
    kb_path = get_settings().kb_path
    assert triage.region_in_text("我们是广西的企业，钱还没到账", kb_path) == "广西壮族自治区"
    assert triage.region_in_text("皖西这边的项目", kb_path) == "六安市"
    assert triage.region_in_text("钱还没到账", kb_path) is None


def test_departments_merged_once_per_name():
    names = [d.name for d in triage.departments_for("广西壮族自治区", get_settings().kb_path)]
    assert names.count("自治区工业和信息化厅") == 1
