"""GET /rate/{caseNumber}: the invitation's page, its strict headers, and the rating it posts."""

from __future__ import annotations

import re
from typing import Any

import httpx
from graphql import parse, validate
from starlette.applications import Starlette
from starlette.routing import Route

from api.rating_page import rating_page
from api.trusted_documents import registry
from schema.context import Context
from schema.schema import schema
from tests.operations import TOKENS

APP = Starlette(routes=[Route("/rate/{case_number}", rating_page)])


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        return await client.get(path)


def _document(page: str) -> str:
    """The registered text of the id the page sends."""
    found = re.search(r'const SUBMIT_ID = "(sha256:[0-9a-f]{64})";', page)
    assert found is not None
    return registry().by_id[found.group(1)].text


async def test_page_carries_the_case_number_and_strict_headers() -> None:
    response = await _get("/rate/JN-20261120-000001?t=abc")
    assert response.status_code == 200
    assert 'const CASE_NUMBER = "JN-20261120-000001";' in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"  # the token stays on the page


async def test_odd_numbers_are_not_reflected() -> None:
    for path in ("/rate/%3Cscript%3E", "/rate/a%22b", "/rate/" + "x" * 41):
        response = await _get(path)
        assert response.status_code == 404
        assert "<script>" not in response.text


async def test_the_page_posts_a_valid_rating(db: Any) -> None:
    page = (await _get("/rate/JN-1")).text
    document = _document(page)
    assert validate(schema._schema, parse(document)) == []
    # Posted for an unknown case, the page gets the schema's error to show.
    context = Context(actor=None, user=None, tokens=TOKENS)
    variables = {
        "input": {"channel": "SMS_LINK", "grade": 5, "caseNumber": "JN-1", "token": "x" * 16}
    }
    result = await schema.execute(document, variable_values=variables, context_value=context)
    assert result.errors is None
    assert result.data == {
        "evaluationSubmit": {
            "__typename": "NotFoundError",
            "code": "NOT_FOUND",
            "message": "未找到办件：JN-1",
        }
    }
