"""Application intake (USCC, city division, SME, catalogue) and art.10 material checks."""

from __future__ import annotations

import pytest

from whitelist.domain.intake import FLAG_DIVISION_OUTSIDE_CITY, assess
from whitelist.domain.materials import MaterialKind, check_upload, missing_materials
from whitelist.domain.sme import Figures, Size
from xinyidai_shared.errors import DomainError, Invalid
from xinyidai_shared.uscc import make_uscc

SMALL = Figures(employees=50, revenue_fen=500 * 1_000_000, assets_fen=100 * 1_000_000)
PDF = b"%PDF-1.7\n..."


def _assess(**changes: object):
    args: dict[str, object] = dict(
        uscc=make_uscc("MA0000011"), name="凌源市示范制造有限公司", legal_representative="张三",
        industry_code="C1391", figures=SMALL, city_divisions=["211382"], encouraged_catalogue=["C", "I65"],
    )
    args.update(changes)
    return assess(**args)  # type: ignore[arg-type]


def test_local_small_manufacturer_is_accepted_without_flags() -> None:
    intake = _assess()
    assert intake.classification.size is Size.SMALL
    assert intake.flags == ()
    assert intake.industry.normalised == "C1391"


def test_code_registered_in_another_division_is_flagged_not_refused() -> None:
    intake = _assess(uscc=make_uscc("MA0000011", division="211302"))
    assert intake.flags == (FLAG_DIVISION_OUTSIDE_CITY,)


def test_bad_check_character_is_refused() -> None:
    good = make_uscc("MA0000011")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(Invalid) as caught:
        _assess(uscc=bad)
    assert caught.value.code == "USCC_INVALID"


def test_large_enterprise_is_refused_with_the_reason() -> None:
    with pytest.raises(DomainError) as caught:
        _assess(figures=Figures(employees=1000, revenue_fen=40000 * 1_000_000, assets_fen=0))
    assert caught.value.code == "NOT_SME"
    assert "employees ≥ 1000" in caught.value.detail


def test_industry_outside_the_catalogue_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        _assess(industry_code="F5211")
    assert caught.value.code == "INDUSTRY_NOT_ENCOURAGED"


def test_blank_name_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        _assess(name="  ")
    assert caught.value.extra["field"] == "name"


def test_upload_type_is_sniffed_from_content_and_must_agree_with_the_declared_type() -> None:
    assert check_upload("application/pdf", PDF, max_bytes=100) == "application/pdf"
    assert check_upload(None, b"\x89PNG\r\n\x1a\nrest", max_bytes=100) == "image/png"
    with pytest.raises(DomainError) as caught:
        check_upload("application/pdf", b"MZ\x90\x00", max_bytes=100)
    assert caught.value.code == "MATERIAL_TYPE_UNSUPPORTED"
    with pytest.raises(DomainError) as caught:
        check_upload("image/png", PDF, max_bytes=100)
    assert caught.value.code == "MATERIAL_TYPE_MISMATCH"


def test_empty_and_oversized_uploads_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        check_upload("application/pdf", b"", max_bytes=100)
    assert caught.value.code == "MATERIAL_EMPTY"
    with pytest.raises(DomainError) as caught:
        check_upload("application/pdf", PDF + b"x" * 100, max_bytes=100)
    assert caught.value.code == "MATERIAL_TOO_LARGE"


def test_completeness_needs_the_five_named_materials_but_not_other() -> None:
    assert missing_materials([]) == [k for k in MaterialKind if k is not MaterialKind.OTHER]
    present = ["business_licence", "operations", "tax_proof", "credit_report"]
    assert missing_materials(present) == [MaterialKind.LOAN_REQUEST]
    assert missing_materials([*present, "loan_request"]) == []
