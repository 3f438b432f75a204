"""送政策入企 speed: a firm workbook (.xlsx) to results.xlsx, and PDF notices.

    python bench/bench_bureau.py                      # 100,000 firms; 1,000 PDF notices
    python bench/bench_bureau.py --firms 10000 --notices 200

The workbook is generated once (openpyxl, shared strings as Excel writes them, an equipment
sheet with one item per four firms) under build/bench/ and reused. Each measurement runs in
a fresh subprocess, so its peak memory (ru_maxrss) is its own. Targets (issue #15): 100,000
firms in ≤ 60 s and ≤ 500 MB; 1,000 PDF notices in ≤ 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "build" / "bench"
# Cycled firm profiles: every status and near miss of both programmes, amounts in words too.
PROFILES = [
    ("六安", "是", "智能化", 300, None, None, "是", None, "省级智能工厂"),
    ("六安", "是", "自动化", 190, None, None, "是", None, ""),
    ("六安", "是", "信息化", "八十万元", None, None, "是", None, ""),
    ("六安", None, "智能化", 300, None, None, "是", None, ""),
    ("广西", "是", "智能化", 3000, 900, 20, "是", None, ""),
    ("广西", "是", "高端化", 3000, 800, 20, "是", None, ""),
    ("广西", "是", "自动化", 1000, None, 20, None, "是", ""),
    ("广西", "是", "绿色化", 450, None, "20%", None, "是", ""),
]


def generate(path: Path, firms: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业")
    ws.append(["企业名称", "地区", "规模以上工业企业", "改造方向", "固定资产投资（万元）", "今年完成投资（万元）",
               "改造后工业总产值预期增长（%）", "项目备案（核准）", "年度内竣工投产", "新认定称号", "研发费用（万元）"])
    eq = wb.create_sheet("设备")
    eq.append(["企业名称", "单价（万元）", "购置日期", "专用设备类别"])
    for i in range(firms):
        region, scale, direction, inv, this_year, growth, filed, completes, honors = PROFILES[i % len(PROFILES)]
        name = f"测试企业{i:06d}有限公司"
        ws.append([name, region, scale, direction, inv, this_year, growth, filed, completes, honors or None,
                   (i % 5) * 40 or None])
        if i % 4 == 0:
            eq.append([name, 100 + i % 300, dt.date(2025, 1 + i % 12, 1), "环境保护" if i % 8 == 0 else None])
    wb.save(path)


def _usage() -> dict:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": round(ru.ru_utime + ru.ru_stime, 2), "peak_mb": round(ru.ru_maxrss / 1024, 1)}


def measure_match(path: Path) -> dict:
    from policy_kb import bureau
    from policy_kb.store import open_kb

    kb = open_kb()
    start = time.perf_counter()
    report = bureau.match_file(path, OUT / "results.xlsx", kb=kb)
    wall = time.perf_counter() - start
    s = report.summary
    return {"firms": s.rows, "ok": s.ok, "bad": len(report.bad), "near_misses": s.near_misses,
            "wall_s": round(wall, 2), "per_s": round(s.rows / wall), **_usage()}


def measure_notices(count: int) -> dict:
    from policy_kb import documents, eligibility
    from policy_kb.profile import flatten
    from policy_kb.store import open_kb

    kb = open_kb()
    firms = []
    for i in range(count):
        region, scale, direction, inv, this_year, growth, filed, completes, _ = PROFILES[i % len(PROFILES)]
        flat = flatten({"above_designated_size": scale, "direction": direction,
                        "fixed_asset_investment_wan": 80 if isinstance(inv, str) else inv,
                        "investment_this_year_wan": this_year, "filed_or_approved": filed,
                        "completes_this_year": completes,
                        "output_growth_pct": 20 if isinstance(growth, str) else growth})
        flat.pop("region")
        firms.append((i + 2, f"测试企业{i:06d}有限公司", eligibility.resolve_region(region, kb), flat, None, None))
    start = time.perf_counter()
    size = sum(len(data) for _, data in documents.notices_for(firms, "某区工业和信息化局", dt.date.today(), kb))
    wall = time.perf_counter() - start
    return {"notices": count, "wall_s": round(wall, 2), "per_notice_ms": round(wall / count * 1000, 1),
            "avg_kb": round(size / count / 1024, 1), **_usage()}


def _child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=1_000)
    parser.add_argument("--measure-match", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure-notices", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_match:
        print(json.dumps(measure_match(args.measure_match)))
        return
    if args.measure_notices:
        print(json.dumps(measure_notices(args.measure_notices)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"firms-{args.firms}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        generate(path, args.firms)
        print(f"生成测试名单 {path.name}（{path.stat().st_size / 1048576:.1f} MB）用时 {time.perf_counter() - start:.1f} 秒")
    m = _child("--measure-match", str(path))
    print(f"送政策入企 {m['firms']:,} 家企业 .xlsx → results.xlsx：{m['wall_s']} 秒（{m['per_s']:,} 家/秒，CPU {m['cpu_s']} 秒），"
          f"峰值内存 {m['peak_mb']} MB；有误 {m['bad']} 行，接近符合 {m['near_misses']} 项次"
          f"{'  ✓ ≤60 s, ≤500 MB' if m['wall_s'] <= 60 and m['peak_mb'] <= 500 else '  ✗ 超出目标'}")
    n = _child("--measure-notices", str(args.notices))
    print(f"PDF 政策告知书 {n['notices']:,} 份：{n['wall_s']} 秒（每份 {n['per_notice_ms']} ms，平均 {n['avg_kb']} KB，"
          f"CPU {n['cpu_s']} 秒），峰值内存 {n['peak_mb']} MB{'  ✓ ≤60 s' if n['wall_s'] <= 60 else '  ✗ 超出目标'}")


if __name__ == "__main__":
    main()
