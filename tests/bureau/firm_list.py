"""A filled-in template: 63 firms worked out by hand from docs/rules.md, 6 bad rows, equipment.

Every group below states why its firms get their status; EXPECTED holds the figures the
tests compare with what the matcher, the CLI and the browser show.

六安 (luan-city-project-library: 规上, 投资200万元以上 unless 信息化/创新化, 备案):
  L-ok      10  规上, 智能化, 300, 备案                    -> eligible
  L-near     5  规上, 自动化, 190, 备案                    -> ineligible, 还差10万元 (5% of 200: close)
  L-info     5  规上, 信息化, 80, 备案                     -> eligible (信息化 has no minimum)
  L-filing   5  规上, 智能化, 500, 未备案                  -> ineligible (a yes/no failure: not "close")
  L-unknown  5  规上 not stated, 智能化, 300, 备案         -> needs_info
  L-two      2  not 规上, 绿色化, 100                      -> ineligible (two failures: not close)
广西 (guangxi-qianqi-jigai: 规上, 目录 assumed 允许类, 投资500以上, schedule, growth 15%):
  G-ok       8  3000, this year 900 (30%), 备案, growth 20 -> eligible; two of them typed as 三千万元/九百万
  G-near     6  3000, this year 800 (26.67%), 备案, 20      -> ineligible, 今年完成投资还差100万元 (11%: close)
  G-small    5  1000, 年内竣工, 20 (地区 merged over the 5 rows) -> eligible
  G-unknown  5  1000, 竣工 not stated, 20                  -> needs_info
  G-low      4  450, 年内竣工, 20                          -> ineligible, 固定资产投资还差50万元 (10%: close)
  G-limited  3  限制类, 3000, 900, 备案, 20                -> ineligible (not close)
Bad firm rows (6): unknown region 上海, amount 很多, 规上 也许, direction 数字化, a formula
never calculated, a firm whose equipment row has the date 2025-02-30.
Equipment sheet: 300万元 环境保护 (date typed 2025年3月1日) for the first L-ok firm: credit 10% = 30万元;
the bad date row; an item for a firm not in the list (a bad row of the equipment sheet).
Awards: the second L-ok firm has 省级智能工厂；市级绿色工厂 = 50 + 10 = 60万元.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Dict, List

from openpyxl import load_workbook

from policy_kb import workbook

HEADERS = [c.key for c in workbook.FIRM_COLUMNS]


def _firm(name: str, region: str, **values: Any) -> Dict[str, Any]:
    return {"name": name, "region": region, **values}


def firms() -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    luan = dict(above_designated_size="是", filed_or_approved="是")
    for i in range(10):
        out.append(_firm(f"六安达标机械{i + 1:02d}有限公司", "六安市", direction="智能化",
                         fixed_asset_investment_wan=300, **luan))
    out[1]["honors"] = "省级智能工厂；市级绿色工厂"
    for i in range(5):
        out.append(_firm(f"六安差十万铸造{i + 1:02d}厂", "六安", direction="自动化", fixed_asset_investment_wan=190, **luan))
    for i in range(5):
        out.append(_firm(f"六安云数信息{i + 1:02d}公司", "六安市", direction="信息化", fixed_asset_investment_wan=80, **luan))
    for i in range(5):
        out.append(_firm(f"六安未备案材料{i + 1:02d}公司", "六安市", direction="智能化", fixed_asset_investment_wan=500,
                         above_designated_size="是", filed_or_approved="否"))
    for i in range(5):
        out.append(_firm(f"六安规模未知{i + 1:02d}公司", "六安市", direction="智能化", fixed_asset_investment_wan=300,
                         filed_or_approved="是"))
    for i in range(2):
        out.append(_firm(f"六安小微绿色{i + 1:02d}厂", "六安市", direction="绿色化", fixed_asset_investment_wan=100,
                         above_designated_size="否"))
    gx = dict(above_designated_size="是", output_growth_pct=20)
    for i in range(8):
        out.append(_firm(f"广西达标制造{i + 1:02d}有限公司", "广西", direction="智能化", fixed_asset_investment_wan=3000,
                         investment_this_year_wan=900, filed_or_approved="是", **gx))
    out[-1].update(fixed_asset_investment_wan="三千万元", investment_this_year_wan="九百万")
    out[-2].update(output_growth_pct="20%")
    for i in range(6):
        out.append(_firm(f"广西差一百万{i + 1:02d}公司", "广西壮族自治区", direction="高端化",
                         fixed_asset_investment_wan=3000, investment_this_year_wan=800, filed_or_approved="是", **gx))
    for i in range(5):
        out.append(_firm(f"广西中型技改{i + 1:02d}公司", "广西" if i == 0 else None, direction="自动化",
                         fixed_asset_investment_wan=1000, completes_this_year="是", **gx))
    for i in range(5):
        out.append(_firm(f"广西竣工未知{i + 1:02d}公司", "广西", direction="自动化", fixed_asset_investment_wan=1000, **gx))
    for i in range(4):
        out.append(_firm(f"广西差五十万{i + 1:02d}公司", "广西", direction="绿色化", fixed_asset_investment_wan=450,
                         completes_this_year="是", **gx))
    for i in range(3):
        out.append(_firm(f"广西限制类{i + 1:02d}公司", "广西", direction="智能化", industry_catalog="限制类",
                         fixed_asset_investment_wan=3000, investment_this_year_wan=900, filed_or_approved="是", **gx))
    out += [
        _firm("错误：上海某公司", "上海", above_designated_size="是"),
        _firm("错误：投资很多公司", "六安", above_designated_size="是", fixed_asset_investment_wan="很多"),
        _firm("错误：规模也许公司", "六安", above_designated_size="也许"),
        _firm("错误：数字化方向公司", "广西", direction="数字化"),
        _firm("错误：公式公司", "六安", above_designated_size="是", fixed_asset_investment_wan="=100*3"),
        _firm("错误：设备日期公司", "广西", above_designated_size="是", fixed_asset_investment_wan=800),
    ]
    return out


EQUIPMENT = [
    ("六安达标机械01有限公司", 300, "2025年3月1日", "环境保护"),
    ("错误：设备日期公司", 120, "2025-02-30", None),
    ("不在名单里的公司", 50, dt.date(2025, 5, 1), None),
]

G_SMALL_FIRST = "广西中型技改01公司"

EXPECTED = {
    "rows": 69, "ok": 63, "bad_firm_rows": 6, "bad_total": 8, "near_misses": 15,
    "overall_eligible": 28,
    "programmes": {
        "luan-city-project-library": {"eligible": 15, "needs_info": 5, "ineligible": 12},
        "guangxi-qianqi-jigai": {"eligible": 13, "needs_info": 5, "ineligible": 13},
    },
    "near": {"六安差十万铸造01厂": "固定资产投资还差10万元", "广西差一百万01公司": "今年完成投资还差100万元",
             "广西差五十万01公司": "固定资产投资还差50万元"},
    "tax": {"六安达标机械01有限公司": 30},
    "awards": {"六安达标机械02有限公司": 60},
}


def write(path: Path) -> Path:
    """Fill the real template (as staff would: keep its header, example row and drop-downs)."""
    template = path.with_name("template-for-fixture.xlsx")
    workbook.build_template(template, ["省级智能工厂", "市级绿色工厂"], ["环境保护", "节能节水", "安全生产"])
    return fill(template, path)


def fill(template: Path, path: Path) -> Path:
    wb = load_workbook(template)
    ws, eq = wb[workbook.FIRM_SHEET], wb[workbook.EQUIPMENT_SHEET]
    ws.append([])  # a blank row between the example and the firms is skipped
    first_small = None
    for firm in firms():
        ws.append([firm.get(key) for key in HEADERS])
        if firm["name"] == G_SMALL_FIRST:
            first_small = ws.max_row
    ws.merge_cells(start_row=first_small, start_column=2, end_row=first_small + 4, end_column=2)
    for item in EQUIPMENT:
        eq.append(list(item))
    wb.save(path)
    return path
