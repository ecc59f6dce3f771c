"""Pure rules of the catalogue."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.catalogue.errors import WindowStateError
from models.catalogue.rules import (
    Fee,
    HallDraft,
    JointDepartment,
    LaneDraft,
    check_hall,
    check_item_elements,
    check_lane,
    check_window_transition,
    elements_from_json,
    search_keys,
)
from models.catalogue.tables import HallLevel, ItemKind, WindowState
from models.common.errors import InvalidInput
from tests.factories import elements


def codes(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    return {(".".join(map(str, v.field)), v.code) for v in exc.value.violations}


@given(
    legal=st.integers(0, 366),
    promised=st.integers(0, 366),
    kind=st.sampled_from([ItemKind.PROMISED, ItemKind.JOINT, ItemKind.REPORTED]),
)
def test_promised_limit_never_exceeds_legal(legal: int, promised: int, kind: ItemKind) -> None:
    joint = (JointDepartment(99, 1),) if kind is ItemKind.JOINT else ()
    candidate = elements(
        kind=kind, legal_limit=legal, promised_limit=promised, joint_departments=joint
    )
    if 1 <= promised <= legal:
        check_item_elements(candidate)
    else:
        with pytest.raises(InvalidInput) as exc:
            check_item_elements(candidate)
        assert {field for field, _ in codes(exc)} == {"promised_limit"}


@given(legal=st.integers(0, 366))
def test_immediate_items_promise_the_same_day(legal: int) -> None:
    check_item_elements(elements(kind=ItemKind.IMMEDIATE, legal_limit=legal, promised_limit=0))


@given(st.builds(Decimal, st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False)))
def test_fee_amounts_round_trip_through_json(amount: Decimal) -> None:
    item = elements(fees=(Fee(name="工本费", amount=amount, legal_basis="依据"),))
    check_item_elements(item)
    assert elements_from_json(item.to_json()) == item


def test_fee_amount_rules() -> None:
    for bad in (Decimal("-1"), Decimal("0.001")):
        with pytest.raises(InvalidInput) as exc:
            check_item_elements(elements(fees=(Fee(name="费", amount=bad, legal_basis="依据"),)))
        assert codes(exc) == {("fees.0.amount", "INVALID_AMOUNT")}


def test_versions_round_trip() -> None:
    item = dataclasses.replace(elements(), citywide=True, steps=("受理", "决定"))
    assert elements_from_json(item.to_json()) == item


@pytest.mark.parametrize(
    ("parent", "child", "ok"),
    [
        (HallLevel.CITY, HallLevel.COUNTY, True),
        (HallLevel.CITY, HallLevel.VILLAGE, True),
        (HallLevel.COUNTY, HallLevel.COUNTY, False),
        (HallLevel.TOWN, HallLevel.COUNTY, False),
    ],
)
def test_hall_levels_descend(parent: HallLevel, child: HallLevel, ok: bool) -> None:
    draft = HallDraft(code="X1", name="某中心", level=child, region="370102")
    if ok:
        check_hall(draft, parent)
    else:
        with pytest.raises(InvalidInput) as exc:
            check_hall(draft, parent)
        assert codes(exc) == {("level", "LEVEL_NOT_BELOW_PARENT")}


@given(start=st.integers(1, 9999), end=st.integers(1, 9999), cap=st.integers(1, 9999))
def test_lane_cap_fits_its_range(start: int, end: int, cap: int) -> None:
    draft = LaneDraft(
        hall_id=1, prefix="A", name="综合业务", range_start=start, range_end=end, daily_cap=cap
    )
    valid = start <= end and cap <= end - start + 1
    if valid:
        check_lane(draft)
    else:
        with pytest.raises(InvalidInput):
            check_lane(draft)


ALLOWED = {
    (WindowState.CLOSED, WindowState.OPEN),
    (WindowState.OPEN, WindowState.PAUSED),
    (WindowState.OPEN, WindowState.CLOSED),
    (WindowState.PAUSED, WindowState.OPEN),
    (WindowState.PAUSED, WindowState.CLOSED),
}


@pytest.mark.parametrize("current", list(WindowState))
@pytest.mark.parametrize("target", list(WindowState))
def test_window_transitions(current: WindowState, target: WindowState) -> None:
    if (current, target) in ALLOWED:
        check_window_transition(current, target)
    else:
        with pytest.raises(WindowStateError) as exc:
            check_window_transition(current, target)
        assert exc.value.current_state == current.value


@pytest.mark.parametrize(
    ("name", "initials"),
    [("个体工商户设立登记", "gtgshsldj"), ("居民身份证换领", "jmsfzhl"), ("结婚登记", "jhdj")],
)
def test_search_keys(name: str, initials: str) -> None:
    full, keys = search_keys(name)
    assert keys.split(" ")[0] == initials
    assert full.isascii()
    assert full.isalpha()


def test_polyphones_add_alternative_initials() -> None:
    _, keys = search_keys("银行")
    assert "yhh" not in keys
    _, keys = search_keys("重庆行")
    assert len(keys.split(" ")) >= 2


@pytest.mark.parametrize(
    ("kind", "joint", "expected"),
    [
        (ItemKind.JOINT, (), {("joint_departments", "REQUIRED")}),
        (ItemKind.PROMISED, ((3, 1),), {("joint_departments", "NOT_JOINT")}),
        (ItemKind.JOINT, ((3, 1), (3, 2)), {("joint_departments.1.department_id", "DUPLICATE")}),
        (ItemKind.JOINT, ((3, 4),), {("joint_departments.0.limit", "OUT_OF_RANGE")}),
    ],
)
def test_joint_departments_rules(
    kind: ItemKind, joint: tuple[tuple[int, int], ...], expected: set[tuple[str, str]]
) -> None:
    candidate = elements(
        kind=kind,
        legal_limit=20,
        promised_limit=3,
        joint_departments=tuple(JointDepartment(d, limit) for d, limit in joint),
    )
    with pytest.raises(InvalidInput) as exc:
        check_item_elements(candidate)
    assert codes(exc) == expected


def test_joint_elements_round_trip_through_json() -> None:
    item = elements(
        kind=ItemKind.JOINT,
        promised_limit=3,
        investment_project=True,
        joint_departments=(JointDepartment(3, 2),),
    )
    check_item_elements(item)
    assert elements_from_json(item.to_json()) == item
