"""The credit report as a Chinese PDF (fpdf2, with the Noto CJK font embedded as a subset)."""

from __future__ import annotations

from typing import Any

import logging

from fpdf import FPDF

GRADE_WORDS = {"AAA": "信用极好", "AA": "信用优良", "A": "信用良好", "B": "信用一般", "C": "信用较差", "D": "信用差"}
LETTER_WORDS = {"valid": "有效", "void": "已失效（需重新签署）", "replaced": "已被新承诺书替代", "none": "未提交"}


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("cjk", size=10)
    pdf.cell(45, 7, label, border=1)
    pdf.multi_cell(0, 7, value, border=1, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("cjk", size=13)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")


def render_pdf(report: dict[str, Any], font_path: str) -> bytes:
    """Render a report built by ``service_layer.reports.build_report``; blocking (call it in a thread)."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its subsetter logs every glyph at INFO
    pdf = FPDF(format="A4")
    pdf.set_title("企业信用报告")
    pdf.add_font("cjk", fname=font_path)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 12, "凌源市信易贷平台 企业信用报告", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, f"报告编号 {report['report_id']}    生成时间 {report['generated_at']}", align="C", new_x="LMARGIN", new_y="NEXT")
    ent, rating = report["enterprise"], report["rating"]
    _heading(pdf, "一、企业身份")
    _row(pdf, "统一社会信用代码", ent["uscc"])
    _row(pdf, "企业名称", ent["name"] or "（未登记）")
    _row(pdf, "法定代表人", ent["legal_representative"] or "（未登记）")
    _heading(pdf, "二、信用评级")
    _row(pdf, "信用等级", f"{rating['grade']}（{GRADE_WORDS.get(rating['grade'], '')}）")
    _row(pdf, "评分", str(rating["score"]))
    _row(pdf, "符合信贷条件（A级及以上）", "是" if rating["lends"] else "否")
    _row(pdf, "评分模型版本", rating["model_version"])
    for factor in rating["factors"]:
        _row(pdf, f"{factor['points']:+d} 分", f"{factor['code']}：{factor['detail']}")
    _heading(pdf, "三、数据覆盖与欠费")
    for cov in report["coverage"]:
        on_time = "—" if cov["on_time_12_pct"] is None else f"{cov['on_time_12_pct']}%"
        text = f"覆盖 {cov['months_covered']} 个月，最近 {cov['latest_period']}，近12个月按时率 {on_time}，当前欠费 {cov['arrears']} 元"
        if cov["tax_grade"]:
            text += f"，纳税信用等级 {cov['tax_grade']}"
        _row(pdf, cov["source_name"], text)
    _row(pdf, "欠费合计", f"{report['arrears_total']} 元")
    _heading(pdf, "四、失信记录")
    if not report["dishonesty_records"]:
        _row(pdf, "记录", "无")
    for rec in report["dishonesty_records"]:
        state = "有效" if rec["in_force"] else f"已结束 {rec['ended_on'] or rec['expires_on']}"
        _row(pdf, rec["started_on"], f"{rec['reason']}（{rec['recorded_by']}，{state}）")
    _heading(pdf, "五、信用承诺书")
    letter = report["commitment_letter"]
    _row(pdf, "状态", LETTER_WORDS.get(letter["status"], letter["status"]))
    if letter["sha256"]:
        _row(pdf, "SHA-256", letter["sha256"])
    return bytes(pdf.output())
