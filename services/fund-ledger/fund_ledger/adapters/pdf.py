"""The audit report as PDF (fpdf2 with the Noto CJK font): the statement and a chart of cash over the year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf import FPDF
from xinyidai_shared.money import format_fen

from ..service_layer.audit import AuditPack

FONT_CANDIDATES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)
KIND_ZH = {
    "initial_capital": "初始资金", "fiscal_deposit": "财政年度注资", "contribution_payment": "银行缴存",
    "recovery_payment": "追偿分成", "clawback_payment": "违规追回", "compensation": "代偿支出", "reversal": "冲正",
}


DUE_ZH = {"fiscal": "财政注资", "contribution": "银行缴存", "recovery": "追偿分成", "clawback": "违规追回"}


def _font() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError("Noto Sans CJK not found; install the fonts-noto-cjk package")


def _chart(pdf: FPDF, pack: AuditPack, x: float, y: float, w: float, h: float) -> None:
    values = [v for _, v in pack.cash_by_day]
    top = max(max(values), 1)
    pdf.set_draw_color(120, 120, 120)
    pdf.rect(x, y, w, h)
    for i in range(1, 4):
        gy = y + h * i / 4
        pdf.set_draw_color(225, 225, 225)
        pdf.line(x, gy, x + w, gy)
        pdf.set_xy(x - 32, gy - 2)
        pdf.set_font_size(6)
        pdf.cell(30, 4, format_fen(top * (4 - i) // 4), align="R")
    for label_y, amount in ((y - 2, top), (y + h - 2, 0)):
        pdf.set_xy(x - 32, label_y)
        pdf.cell(30, 4, format_fen(amount), align="R")
    # The x axis is the whole year even while the year is still running.
    year_days = 366 if pack.year % 4 == 0 and (pack.year % 100 != 0 or pack.year % 400 == 0) else 365
    step = w / (year_days - 1)
    points = [(x + i * step, y + h - h * v / top) for i, v in enumerate(values)]
    pdf.set_draw_color(20, 90, 170)
    pdf.set_line_width(0.5)
    pdf.polyline(points)
    pdf.set_line_width(0.2)
    for month in range(12):
        day_index = (date(pack.year, month + 1, 1) - date(pack.year, 1, 1)).days
        pdf.set_xy(x + day_index * step - 4, y + h + 1)
        pdf.cell(10, 4, f"{month + 1}月")


def render_audit_pdf(pack: AuditPack) -> bytes:
    """A one-page report: totals, per-bank compensation, cash over the year, invariant check."""
    s = pack.statement
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("NotoCJK", fname=str(_font()))
    pdf.set_font("NotoCJK", size=16)
    pdf.add_page()
    pdf.cell(0, 10, f"凌源市信易贷风险缓释基金 {pack.year} 年度专项审计资料", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    pdf.cell(0, 6, "依据《风险缓释基金管理暂行办法》第十八条；金额单位：元", new_x="LMARGIN", new_y="NEXT")
    lines = [("年初现金", s["opening_cash_fen"]), ("期末现金（年末或截至今日）", s["closing_cash_fen"]), ("年内最低现金", s["lowest_cash_fen"])]
    lines += [(f"流入：{KIND_ZH.get(k, k)}", v) for k, v in s["inflows_fen"].items()]
    lines += [(f"流出：{KIND_ZH.get(k, k)}", v) for k, v in s["outflows_fen"].items()]
    lines += [(f"代偿：{bank}", v) for bank, v in s["compensation_by_bank_fen"].items()]
    lines += [(f"年内确认应收：{DUE_ZH.get(k, k)}", v) for k, v in s["dues_recognised_fen"].items()]
    lines += [(f"年末未收：{DUE_ZH.get(k, k)}", v) for k, v in s["dues_outstanding_at_year_end_fen"].items()]
    for label, fen in lines:
        pdf.cell(80, 6, label, border="B")
        pdf.cell(50, 6, format_fen(fen), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 6, f"全年转账笔数：{s['transfers']}", new_x="LMARGIN", new_y="NEXT")
    verdict = "账实相符，全部校验通过" if not s["violations"] else f"发现 {len(s['violations'])} 项问题"
    pdf.cell(0, 6, f"校验结果：{verdict}", new_x="LMARGIN", new_y="NEXT")
    for problem in s["violations"][:10]:
        pdf.multi_cell(0, 5, f"- {problem}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font_size(11)
    pdf.cell(0, 8, "基金现金余额（逐日）", new_x="LMARGIN", new_y="NEXT")
    _chart(pdf, pack, x=45, y=pdf.get_y() + 4, w=150, h=70)
    return bytes(pdf.output())
