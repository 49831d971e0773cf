"""Input that looks right but is not: padded money, identifiers with hidden characters, formula cells."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from xinyidai_shared.exports import safe_cell, safe_row
from xinyidai_shared.money import MoneyFormatError, YuanIn, parse_yuan
from xinyidai_shared.text import Identifier, Name, Text, identifier_problem, text_problem

HIDDEN = ["\x00", "\n", "\r", "\t", "\x1b", "\x7f", "\u202e", "\u202d", "\u2066", "\u200b", "\u200e", "\u2028", "\ufeff"]


class _Form(BaseModel):
    amount: YuanIn
    ref: Identifier
    name: Name
    note: Text


@pytest.mark.parametrize("text", [" 1.00", "1.00 ", "1.00\n", "\t1.00", "1.00\r\n", "\u00a01.00", "1.00\u3000"])
def test_money_with_surrounding_white_space_is_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_yuan(text)
    with pytest.raises(ValidationError):
        _Form(amount=text, ref="R-1", name="n", note="")


def test_plain_money_still_parses() -> None:
    assert [parse_yuan(t) for t in ("0.01", "361.5", "1000000")] == [1, 36150, 100000000]
    assert _Form(amount="12.30", ref="R-1", name="凌源 水表", note="两行\n说明").amount == 1230


@pytest.mark.parametrize("hidden", HIDDEN)
def test_identifiers_and_names_refuse_control_format_and_bidi_characters(hidden: str) -> None:
    for text in (f"L{hidden}1", f"{hidden}L1", f"L1{hidden}"):
        assert identifier_problem(text) is not None, repr(text)
        assert identifier_problem(text, spaces=True) is not None, repr(text)
        with pytest.raises(ValidationError):
            _Form(amount="1.00", ref=text, name="n", note="")
        with pytest.raises(ValidationError):
            _Form(amount="1.00", ref="R-1", name=text, note="")


def test_identifiers_refuse_spaces_names_allow_inner_ones() -> None:
    assert identifier_problem("ICBC 001") is not None and identifier_problem(" ICBC") is not None
    assert identifier_problem("凌源 水表", spaces=True) is None and identifier_problem("ICBC-LY-001") is None
    assert identifier_problem("凌源市示范机械有限公司") is None


def test_free_text_keeps_lines_and_tabs_but_not_nul_or_bidi_overrides() -> None:
    assert text_problem("第一行\n第二行\t附注\r\n") is None
    for hidden in ("\x00", "\x1b", "\u202e", "\u2066", "\u200f"):
        assert text_problem(f"ab{hidden}c") is not None, repr(hidden)
        with pytest.raises(ValidationError):
            _Form(amount="1.00", ref="R-1", name="n", note=f"ab{hidden}c")


@pytest.mark.parametrize("cell", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")", "-", "+"])
def test_export_cells_that_a_spreadsheet_would_run_are_quoted(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


def test_export_cells_that_cannot_run_stay_as_they_are() -> None:
    values = ["凌源市示范机械有限公司", "-1500.00", "-3", "12.30", "", "a=b", 7, None, "2026-12-02T08:00:00+00:00"]
    assert safe_row(values) == values
