"""GET /board/{hallCode}: the page is served with the hall code escaped, and strict headers."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.routing import Route

from api.board_page import board_page
from api.trusted_documents import page_ids

APP = Starlette(routes=[Route("/board/{hall_code}", board_page)])


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://board") as client:
        return await client.get(path)


async def test_page_carries_the_hall_code() -> None:
    response = await _get("/board/370100")
    assert response.status_code == 200
    assert 'data-hall="&quot;370100&quot;"' in response.text
    events = page_ids("BoardPageEvents")["BoardPageEvents"]
    assert f"&quot;BoardPageEvents&quot;: &quot;{events}&quot;" in response.text
    assert "hallBoard(" not in response.text  # the page sends ids, never text
    assert "speechSynthesis" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


async def test_odd_codes_are_not_reflected() -> None:
    for path in ("/board/%3Cscript%3E", "/board/a%22b", "/board/" + "x" * 40):
        response = await _get(path)
        assert response.status_code == 404
        assert "<script>" not in response.text
