"""Invariant: whatever a feed sends, validation answers with a record or a RecordRejected, never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from credit_data.domain.records import SOURCES, RecordRejected, validate_record

from .factories import AS_OF, TODAY, raw_si, raw_tax, raw_utility

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)
templates = st.sampled_from([raw_utility(AS_OF - 1), raw_tax(AS_OF - 1), raw_si(AS_OF - 1)])


@settings(max_examples=300, deadline=None)
@given(template=templates, changes=st.dictionaries(st.sampled_from(
    ["source_record_id", "uscc", "source", "period", "account_no", "consumption", "unit", "amount_due", "amount_paid",
     "due_on", "paid_on", "arrears", "disconnected", "tax_paid", "filed_on_time", "tax_credit_grade",
     "insured_headcount", "contribution_due", "contribution_paid"]), json_values, max_size=4))  # fmt: skip
def test_any_field_value_is_accepted_or_rejected_with_a_reason(template, changes):
    try:
        record = validate_record(template | changes, provider="p", allowed_sources=SOURCES, today=TODAY)
    except RecordRejected as error:
        assert error.field and error.code and error.reason
    else:
        assert record.uscc == (template | changes)["uscc"]
