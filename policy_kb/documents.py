"""Printable 政策告知书 per firm: PDF (A4, a CJK TrueType font embedded) and DOCX.

A notice names the firm, the issuing department and the date; per programme the
conclusion, every check with its clause and quote, what would make a failed check pass,
the assumptions made, the award and tax estimates, and the 征求意见稿 caveat. The content
is built once (`notice_content`) and laid out twice (`pdf_bytes`, `docx_bytes`).

The PDF font is a system font (Debian's fonts-wqy-microhei, installed by
scripts/test-deps.sh; fonts-wqy-zenhei, fonts-arphic and Droid fallback also work):
nothing is fetched from the network. reportlab embeds the subset of glyphs used.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from policy_kb import eligibility, wording
from policy_kb.errors import PolicyKBError
from policy_kb.firm_notice import status_word
from policy_kb.store import or_default

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT_NAME = "NoticeCJK"
_CN_NUMERALS = "一二三四五六七八九十"


class FontMissing(PolicyKBError):
    """No CJK TrueType font is installed (apt-get install fonts-wqy-microhei)."""


@dataclass
class Section:
    heading: str
    checks: List[Tuple[str, str]] = field(default_factory=list)  # (conclusion, citation)
    notes: List[str] = field(default_factory=list)  # assumptions and advice


@dataclass
class NoticeContent:
    """What a notice says, independent of the file format."""

    title: str
    addressee: str
    opening: str
    sections: List[Section]
    closing: List[str]
    issuer: str
    date: str

    def text(self) -> str:
        """Plain text of the whole notice (tests, search)."""
        out = [self.title, self.addressee, self.opening]
        for s in self.sections:
            out += [s.heading, *(t for check in s.checks for t in check), *s.notes]
        return "\n".join(out + self.closing + [self.issuer, self.date])


def date_text(day: dt.date) -> str:
    """2026-12-01 -> '2026年12月1日'."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_content(name: str, region: str, flat: Dict[str, Any], awards_total: Optional[float],
                   tax_saving: Optional[float], issuer: str, day: dt.date, kb=None) -> NoticeContent:
    """The notice of one firm, every conclusion with its citation (evaluated again from `flat`)."""
    kb = or_default(kb)
    results = eligibility.evaluate({"region": region, **flat}, kb=kb)
    sections = [_section(i, r) for i, r in enumerate(results)]
    closing = []
    if awards_total:
        closing.append(f"按贵企业填报的新认定称号，可申请奖补约{wording.fmt_number(awards_total)}万元（以主管部门审核为准）。")
    if tax_saving:
        closing.append(f"按填报的研发、设备等情况估算，可享税收优惠少缴企业所得税约{wording.fmt_number(tax_saving)}万元"
                       "（不含设备一次性扣除的递延部分）。")
    drafts = sorted({r.checks[0].citation.document for r in results if r.checks and _is_draft(kb, r)})
    closing.append("以上为根据贵企业填报信息作出的初步比对，仅供参考；具体以主管部门审核结果为准。")
    if drafts:
        closing.append(f"本告知书依据的{'、'.join(f'《{d}》' for d in drafts)}为征求意见稿，以正式发布文件为准。")
    return NoticeContent(
        title="政策告知书", addressee=f"{name or '贵企业'}：",
        opening=f"根据贵企业（所在地区：{region}）填报的企业和项目情况，经对照有关技术改造支持政策逐条比对，现将结果告知如下。",
        sections=sections, closing=closing, issuer=issuer or "（发文单位）", date=date_text(day))


def _is_draft(kb, result) -> bool:
    program = next((p for p in kb.programs(result.region) if p.id == result.program_id), None)
    return program is not None and eligibility.document_status(kb, program.document) == wording.DRAFT_STATUS


def _section(index: int, result) -> Section:
    numeral = _CN_NUMERALS[index] if index < len(_CN_NUMERALS) else str(index + 1)
    section = Section(f"{numeral}、{result.program_name}：{status_word(result.status)}")
    for check in result.checks:
        c = check.citation
        section.checks.append((check.brief or check.explanation,
                               f"依据《{c.document}》{wording.clause_display(c.clause)}：“{c.quote}”"))
    section.notes += [f"说明：{a}" for a in result.assumptions]
    # The draft caveat is said once, at the end of the notice.
    section.notes += [f"建议：{a}" for a in result.advice if wording.DRAFT_STATUS not in a]
    return section


# ---------------------------------------------------------------------------
# PDF (reportlab)
# ---------------------------------------------------------------------------
_FONT_READY: Dict[str, str] = {}


def find_font(configured: Optional[Path] = None) -> Path:
    """The CJK font file to embed: `configured` when given, else the first installed candidate."""
    for candidate in ([configured] if configured else []) + [Path(p) for p in FONT_CANDIDATES]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("未找到中文字体，无法生成 PDF：请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）。")


def _register_font(path: Path) -> str:
    key = str(path)
    if key not in _FONT_READY:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        name = f"{FONT_NAME}{len(_FONT_READY)}"
        pdfmetrics.registerFont(TTFont(name, key, subfontIndex=0) if key.endswith(".ttc") else TTFont(name, key))
        _FONT_READY[key] = name
    return _FONT_READY[key]


def _styles(font: str):
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=12),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=21, spaceAfter=4),
        "plain": ParagraphStyle("plain", parent=base, spaceAfter=4),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=4),
        "line": ParagraphStyle("line", parent=base, leftIndent=10, spaceAfter=1),
        "cite": ParagraphStyle("cite", parent=base, leftIndent=22, fontSize=9, leading=13, textColor="#444444",
                               spaceAfter=3),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, fontSize=11, leading=18),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf_bytes(content: NoticeContent, font_path: Optional[Path] = None) -> bytes:
    """The notice as an A4 PDF with the CJK font embedded."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font = _register_font(find_font(font_path))
    st = _styles(font)
    flow = [Paragraph(_esc(content.title), st["title"]), Paragraph(_esc(content.addressee), st["plain"]),
            Paragraph(_esc(content.opening), st["body"])]
    for section in content.sections:
        flow.append(Paragraph(_esc(section.heading), st["heading"]))
        for line, cite in section.checks:
            flow += [Paragraph(_esc(line), st["line"]), Paragraph(_esc(cite), st["cite"])]
        flow += [Paragraph(_esc(ln), st["line"]) for ln in section.notes]
    flow.append(Spacer(1, 6))
    flow += [Paragraph(_esc(text), st["body"]) for text in content.closing]
    flow += [Spacer(1, 18), Paragraph(_esc(content.issuer), st["right"]), Paragraph(_esc(content.date), st["right"])]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=22 * mm,
                            bottomMargin=22 * mm, title=f"{content.title}：{content.addressee.rstrip('：')}",
                            author=content.issuer, subject="政策告知书", creator="技改政策助手")
    doc.build(flow)
    return out.getvalue()


# ---------------------------------------------------------------------------
# DOCX (python-docx)
# ---------------------------------------------------------------------------
def _east_asian(run, font: str = "宋体") -> None:
    from docx.oxml.ns import qn

    run.font.name = font
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font)


def docx_bytes(content: NoticeContent) -> bytes:
    """The notice as a Word document (A4, 宋体/黑体)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    doc.core_properties.title = f"{content.title}：{content.addressee.rstrip('：')}"
    doc.core_properties.author = content.issuer

    def para(text: str, size: float = 10.5, bold: bool = False, align=None, indent: bool = False,
             grey: bool = False, font: str = "宋体"):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size, run.bold = Pt(size), bold
        if grey:
            run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
        _east_asian(run, font)
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        return p

    para(content.title, 20, True, WD_ALIGN_PARAGRAPH.CENTER, font="黑体")
    para(content.addressee)
    para(content.opening, indent=True)
    for sec in content.sections:
        para(sec.heading, 12.5, True, font="黑体")
        for line, cite in sec.checks:
            para(line)
            para(cite, 9, grey=True)
        for line in sec.notes:
            para(line)
    for text in content.closing:
        para(text, indent=True)
    para(content.issuer, 11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(content.date, 11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# File names
# ---------------------------------------------------------------------------
def file_name(row: int, name: str, suffix: str) -> str:
    """'000012-六安皖西机械有限公司-政策告知书.pdf' (no characters a file system refuses)."""
    safe = re.sub(r"[\\/:*?\"<>|\s]+", "_", name).strip("_")[:40] or "企业"
    return f"{row:06d}-{safe}-政策告知书.{suffix}"


def notices_for(firms: Sequence[Tuple[int, str, str, Dict[str, Any], Optional[float], Optional[float]]],
                issuer: str, day: dt.date, kb=None, font_path: Optional[Path] = None):
    """(file name, PDF bytes) for each (row, name, region, flat, awards, tax) firm."""
    kb = or_default(kb)
    for row, name, region, flat, awards_total, tax_saving in firms:
        content = notice_content(name, region, flat, awards_total, tax_saving, issuer, day, kb)
        yield file_name(row, name, "pdf"), pdf_bytes(content, font_path)
