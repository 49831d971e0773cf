"""The one definition of when a dishonesty record binds: through its expiry date, ended from ``ended_on``."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Column, Date, MetaData, String, Table, create_engine, insert, select

from xinyidai_shared.dishonesty import ended_by_expiry, expired_clause, expiry_after_years, in_force, in_force_clause

START, EXPIRY = date(2026, 3, 10), date(2031, 3, 10)


def test_a_record_binds_on_its_expiry_date_and_not_the_day_after() -> None:
    assert not in_force(START, EXPIRY, None, on=date(2026, 3, 9))
    assert in_force(START, EXPIRY, None, on=START)
    assert in_force(START, EXPIRY, None, on=EXPIRY)
    assert not in_force(START, EXPIRY, None, on=date(2031, 3, 11))
    assert ended_by_expiry(EXPIRY) == date(2031, 3, 11)


def test_ended_on_is_the_first_day_a_record_no_longer_binds() -> None:
    assert in_force(START, None, date(2027, 1, 1), on=date(2026, 12, 31))
    assert not in_force(START, None, date(2027, 1, 1), on=date(2027, 1, 1))
    assert in_force(START, None, None, on=date(2099, 1, 1))


def test_a_five_year_term_ends_on_the_corresponding_date_or_the_month_end() -> None:
    assert expiry_after_years(START, 5) == EXPIRY
    assert expiry_after_years(date(2028, 2, 29), 5) == date(2033, 2, 28)
    assert expiry_after_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
    with pytest.raises(ValueError):
        expiry_after_years(START, 0)


@pytest.mark.parametrize("on", [date(2026, 3, 9), START, date(2029, 1, 1), EXPIRY, date(2031, 3, 11)])
def test_the_sql_condition_agrees_with_the_python_rule(on: date) -> None:
    table = Table("record", MetaData(), Column("id", String, primary_key=True), Column("started_on", Date),
                  Column("expires_on", Date), Column("ended_on", Date))
    rows = [("open", START, EXPIRY, None), ("forever", START, None, None), ("repaired", START, EXPIRY, date(2029, 1, 1))]
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    c = table.c
    with engine.begin() as conn:
        conn.execute(insert(table), [dict(zip(("id", "started_on", "expires_on", "ended_on"), r)) for r in rows])
        binding = set(conn.execute(select(c.id).where(in_force_clause(c.started_on, c.expires_on, c.ended_on, on))).scalars())
        expired = set(conn.execute(select(c.id).where(expired_clause(c.expires_on, c.ended_on, on))).scalars())
    assert binding == {r[0] for r in rows if in_force(r[1], r[2], r[3], on=on)}
    assert expired == ({"open"} if on > EXPIRY else set())
