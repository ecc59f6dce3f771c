"""Hotline report downloads: CSV and Excel with the query's rows, and refused requests."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.relay import to_base64

from api.work_order_exports import work_order_export
from models.accounts.tables import Role, User
from models.workorders import actions
from models.workorders.tables import Satisfaction, WorkOrderCategory
from tests import factories as f
from tests.operations import TOKENS

APP = Starlette(routes=[Route("/exports/work-orders.{format}", work_order_export(TOKENS))])
NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


@pytest.fixture
async def centre(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    roads = await f.department(hall, "JT", "市交通运输局")
    _, operator = await f.user("op1", Role.HOTLINE, of=hall)
    _, chief = await f.user("jt_chief", Role.CHIEF_REP, of=hall, department_id=roads.id)
    await f.user("screen", Role.MONITOR, of=hall)
    for satisfaction in (Satisfaction.SATISFIED, Satisfaction.UNSATISFIED):
        call = actions.Call(
            hall_id=hall.id,
            category=WorkOrderCategory.HELP,
            caller_name="李四",
            caller_phone="13987654321",
            content="小区停水求助",
        )
        order = await actions.create(operator, call, NOW)
        await actions.dispatch(operator, order.number, roads.id, [], "", NOW)
        await actions.sign(chief, order.number, NOW)
        await actions.reply(chief, order.number, "已协调供水公司处理", NOW + timedelta(hours=3))
        await actions.callback(operator, order.number, satisfaction, "", NOW + timedelta(days=1))
    return {"hall": to_base64("Hall", hall.id)}


async def _get(path: str, params: dict[str, str], username: str | None) -> httpx.Response:
    headers = {}
    if username:
        user = await User.get(username=username)
        headers["Authorization"] = f"Bearer {TOKENS.issue(user, datetime.now(UTC))[0]}"
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        return await client.get(path, params=params, headers=headers)


def _params(centre: dict[str, Any], **more: str) -> dict[str, str]:
    return {"hallId": centre["hall"], "from": "2026-11-01", "to": "2026-11-30", **more}


async def test_csv_and_excel_hold_the_report(centre: dict[str, Any]) -> None:
    got = await _get("/exports/work-orders.csv", _params(centre), "op1")
    assert got.status_code == 200, got.text
    assert "attachment" in got.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    header, row = lines[0], lines[1]
    assert len(lines) == 2
    assert row[0] == "市交通运输局"
    assert row[header.index("受理量")] == "2"
    assert row[header.index("回访数")] == "2"
    # The first unsatisfied callback sends the order back for rework: closed 1 of 2 so far.
    assert row[header.index("办结量")] == "1"
    assert row[header.index("满意率")] == "50.00%"  # one satisfied callback of two
    book = await _get("/exports/work-orders.xlsx", _params(centre), "op1")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == header
    assert [str(v) for v in rows[1]] == row


async def test_refusals_carry_codes(centre: dict[str, Any]) -> None:
    anonymous = await _get("/exports/work-orders.csv", _params(centre), None)
    assert (anonymous.status_code, anonymous.json()["errors"][0]["extensions"]["code"]) == (
        401,
        "UNAUTHENTICATED",
    )
    screen = await _get("/exports/work-orders.csv", _params(centre), "screen")
    assert (screen.status_code, screen.json()["errors"][0]["extensions"]["code"]) == (
        403,
        "FORBIDDEN",
    )
    bad_date = await _get("/exports/work-orders.csv", _params(centre, to="yesterday"), "op1")
    assert bad_date.status_code == 400
    bad_group = await _get("/exports/work-orders.csv", _params(centre, groupBy="STAFF"), "op1")
    assert bad_group.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    pdf = await _get("/exports/work-orders.pdf", _params(centre), "op1")
    assert pdf.status_code == 404
