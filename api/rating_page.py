"""GET /rate/{caseNumber}: the page the invitation text links to (it posts evaluationSubmit)."""

from __future__ import annotations

import html
import json
import re
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.board_page import SECURITY_HEADERS
from api.trusted_documents import page_ids

PAGE = Path(__file__).parent / "static" / "rate.html"
CASE_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}")


@cache
def _template() -> str:
    return PAGE.read_text(encoding="utf-8")


async def rating_page(request: Request) -> Response:
    """The rating form of one case; the token in `?t=` is checked when the rating is posted."""
    number = request.path_params["case_number"]
    if not CASE_NUMBER.fullmatch(number):
        return Response("unknown case", status_code=404, media_type="text/plain")
    submit = json.dumps(page_ids("RatingPageSubmit").get("RatingPageSubmit"))
    page = (
        _template()
        .replace("__CASE_NUMBER_JSON__", html.escape(json.dumps(number), quote=False))
        .replace("__SUBMIT_ID_JSON__", submit)
    )
    return HTMLResponse(page, headers=SECURITY_HEADERS)
