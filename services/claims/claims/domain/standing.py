"""An enterprise's standing on a past date, answered from histories of other services' events.

Claims keeps the whitelist's and credit-data's events as history (never only the latest state), so
"was it listed and rated A or better on the day the loan was issued?" has one answer forever.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from xinyidai_shared.dishonesty import in_force

GRADE_ORDER = ("AAA", "AA", "A", "B", "C", "D")  # best first; UNRATED is below all of them


def grade_at_least(grade: str | None, floor: str) -> bool:
    """True when ``grade`` is ``floor`` or better; UNRATED or no grade never is."""
    if grade not in GRADE_ORDER:
        return False
    return GRADE_ORDER.index(grade) <= GRADE_ORDER.index(floor)


@dataclass(frozen=True)
class ListingEntry:
    """A listing change: recommended (listed=True) or delisted/suspended (listed=False) from ``on``."""

    on: date
    seq: int  # arrival order breaks ties between changes on the same day
    listed: bool
    sme_size: str | None = None
    industry_code: str | None = None
    known_at: datetime | None = None  # when claims learned of it (None: unknown, counts as always known)
    accepted_exceptions: tuple[str, ...] = ()  # art.9 conditions officers accepted as met (a recommendation's)


@dataclass(frozen=True)
class RatingEntry:
    """A rating valid from ``valid_on`` (the business date of its ``valid_from``) until the next."""

    valid_on: date
    seq: int
    grade: str
    has_report: bool
    known_at: datetime | None = None


@dataclass(frozen=True)
class DishonestyEntry:
    """A dishonesty record in effect from ``started_on`` through ``expires_on`` (inclusive) unless removed.

    The rule is the shared one (``xinyidai_shared.dishonesty``), so claims and credit-data agree on the day.
    """

    record_id: str
    started_on: date
    expires_on: date | None = None
    removed_on: date | None = None  # no longer in effect from this day on
    known_at: datetime | None = None  # when claims learned of it (None: unknown, counts as always known)

    def in_effect_on(self, day: date) -> bool:
        """Whether the record stood against the enterprise on ``day``."""
        return in_force(self.started_on, self.expires_on, self.removed_on, on=day)


@dataclass(frozen=True)
class Standing:
    """What was true of an enterprise on one date."""

    on: date
    listed: bool
    sme_size: str | None
    grade: str | None
    has_report: bool
    dishonesty_ids: tuple[str, ...]
    accepted_exceptions: tuple[str, ...] = ()


@dataclass
class EnterpriseHistory:
    """All that claims has heard about one enterprise, in arrival order."""

    uscc: str
    listings: list[ListingEntry] = field(default_factory=list)
    ratings: list[RatingEntry] = field(default_factory=list)
    dishonesty: list[DishonestyEntry] = field(default_factory=list)

    def standing_on(self, day: date, *, known_by: datetime | None = None) -> Standing:
        """The enterprise's standing on ``day`` (the last change on or before it wins).

        With ``known_by`` (a loan's registration instant), a change dated ``day`` itself counts only if it
        was known by then: the bank lent on what the platform showed, so a downgrade or a dishonesty record
        later that same day (often caused by this very loan's default) does not rewrite the standing at
        issuance. Changes dated before ``day`` always count, however late they arrived.
        """
        listing = max((e for e in self.listings if _counts(e.on, e.known_at, day, known_by)), key=_listing_order, default=None)
        rating = max((e for e in self.ratings if _counts(e.valid_on, e.known_at, day, known_by)), key=_rating_order, default=None)
        recommendation = _last_recommendation(self.listings, day)
        return Standing(
            on=day,
            listed=bool(listing and listing.listed),
            sme_size=_last_known_size(self.listings, day),
            grade=rating.grade if rating else None,
            has_report=bool(rating and rating.has_report),
            dishonesty_ids=tuple(sorted(d.record_id for d in self.dishonesty
                                        if d.in_effect_on(day) and _counts(d.started_on, d.known_at, day, known_by))),
            accepted_exceptions=recommendation.accepted_exceptions if recommendation else (),
        )


def _counts(effective_on: date, known_at: datetime | None, day: date, known_by: datetime | None) -> bool:
    if effective_on < day:
        return True
    if effective_on > day:
        return False
    return known_by is None or known_at is None or known_at <= known_by


def _listing_order(entry: ListingEntry) -> tuple[date, int]:
    return entry.on, entry.seq


def _rating_order(entry: RatingEntry) -> tuple[date, int]:
    return entry.valid_on, entry.seq


def _last_known_size(entries: list[ListingEntry], day: date) -> str | None:
    # A delisting carries no size, so the size is the one stated by the latest recommendation.
    sized = (e for e in entries if e.on <= day and e.sme_size is not None)  # size is stated, not rated
    latest = max(sized, key=_listing_order, default=None)
    return latest.sme_size if latest else None


def _last_recommendation(entries: list[ListingEntry], day: date) -> ListingEntry | None:
    # The exceptions officers accepted are those of the recommendation in force (a delisting states none).
    return max((e for e in entries if e.on <= day and e.listed), key=_listing_order, default=None)
