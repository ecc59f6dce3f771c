"""Statistics downloads over HTTP: CSV and Excel with the query's rows, and refused requests."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from strawberry.relay import to_base64

from tests import factories as f
from tests.models.test_statistics import _a_day_of_work, _hall

pytestmark = pytest.mark.slow

LOGIN = "mutation($i: AuthLoginInput!){authLogin(input:$i){... on AuthLoginSuccess{token}}}"


@pytest.fixture
async def desk(committed: object) -> dict[str, Any]:
    h = await _hall()
    await _a_day_of_work(h)
    return h


async def _token(client: httpx.AsyncClient, username: str) -> str:
    body = {"query": LOGIN, "variables": {"i": {"username": username, "password": f.PASSWORD}}}
    response = await client.post("/graphql", json=body)
    return str(response.json()["data"]["authLogin"]["token"])


def _params(desk: dict[str, Any], **more: str) -> dict[str, str]:
    hall = to_base64("Hall", desk["hall"].id)
    return {"hallId": hall, "from": "2026-11-01", "to": "2026-12-31", **more}


async def test_csv_and_excel_hold_the_same_rows(desk: dict[str, Any], server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        await _csv_and_excel(desk, client)


async def _csv_and_excel(desk: dict[str, Any], client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {await _token(client, 'director')}"}
    params = _params(desk, groupBy="DEPARTMENT")
    got = await client.get("/exports/statistics.csv", params=params, headers=headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["部门", "受理量", "上年同期受理量"]
    by_name = {line[0]: line for line in lines[1:]}
    assert (by_name["市市场监管局"][1], by_name["市公安局"][1], by_name["合计"][1]) == (
        "3",
        "1",
        "4",
    )
    assert by_name["合计"][lines[0].index("满意率")] == "66.67%"

    book = await client.get(
        "/exports/statistics.xlsx",
        params={**params, "groupBy": "DEPARTMENT,MONTH"},
        headers=headers,
    )
    assert book.status_code == 200, book.text
    sheet = load_workbook(io.BytesIO(book.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:3] == ["部门", "月份", "受理量"]
    assert ["市市场监管局", "2026-11", 3] in [r[:3] for r in rows[2:]]  # numbers stay numbers
    assert rows[-1][:3] == ["合计", "合计", 4]


async def test_refused_downloads(desk: dict[str, Any], server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        await _refused(desk, client)


async def _refused(desk: dict[str, Any], client: httpx.AsyncClient) -> None:
    url = "/exports/statistics.csv"
    anonymous = await client.get(url, params=_params(desk))
    assert (anonymous.status_code, anonymous.json()["errors"][0]["extensions"]["code"]) == (
        401,
        "UNAUTHENTICATED",
    )
    clerk = {"Authorization": f"Bearer {await _token(client, 'clerk1')}"}
    staff = await client.get(
        url,
        params=_params(desk, staffId=to_base64("User", desk["clerk2"].user_id)),
        headers=clerk,
    )
    assert (staff.status_code, staff.json()["errors"][0]["extensions"]["code"]) == (
        403,
        "FORBIDDEN",
    )
    bad = await client.get(url, params={**_params(desk), "from": "someday"}, headers=clerk)
    assert bad.status_code == 400
