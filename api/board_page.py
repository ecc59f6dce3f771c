"""GET /board/{hallCode}: the ready-made large-screen page, driven by hallBoard."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.trusted_documents import page_ids

PAGE = Path(__file__).parent / "static" / "board.html"
# Its registered operations (static/board.graphql); the page sends their ids.
OPERATIONS = ("BoardPageLogin", "BoardPageHall", "BoardPageSnapshot", "BoardPageEvents")
HALL_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
# The page talks only to this origin; no inline handlers outside its own script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def _template() -> str:
    return PAGE.read_text(encoding="utf-8")


async def board_page(request: Request) -> Response:
    """The board page of a hall (the hall itself is checked by the page's first query)."""
    code = request.path_params["hall_code"]
    if not HALL_CODE.fullmatch(code):
        return Response("unknown hall", status_code=404, media_type="text/plain")
    documents = json.dumps(page_ids(*OPERATIONS))
    page = (
        _template()
        .replace("__HALL_CODE_JSON__", html.escape(json.dumps(code), quote=True))
        .replace("__DOCUMENTS_JSON__", html.escape(documents, quote=True))
    )
    return HTMLResponse(page, headers=SECURITY_HEADERS)
