"""Raw reads cut a period into slices read side by side: together exactly the period's days."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from models.statistics.reads import slices
from models.statistics.rules import Period


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    length=st.integers(min_value=1, max_value=800),
    count=st.integers(min_value=1, max_value=8),
)
def test_slices_cover_the_period_once_in_order(start: date, length: int, count: int) -> None:
    period = Period(start, start + timedelta(days=length - 1))
    pieces = slices(period, count)
    assert len(pieces) == min(count, length)
    assert pieces[0].start == period.start
    assert pieces[-1].end == period.end
    for before, after in pairwise(pieces):
        assert after.start == before.end + timedelta(days=1)
    assert all(piece.start <= piece.end for piece in pieces)
    lengths = [(piece.end - piece.start).days + 1 for piece in pieces]
    assert max(lengths) - min(lengths) <= 1
