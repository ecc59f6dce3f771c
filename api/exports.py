"""Downloads of statistics tables: GET /exports/statistics.csv and .xlsx (Bearer token)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry import relay

from api.auth import Tokens
from models.common.errors import DomainError, Forbidden, InvalidInput, NotFound
from models.statistics.export import to_csv, to_xlsx
from models.statistics.queries import StatRequest, statistics
from models.statistics.rules import GroupBy
from schema.relay import decode_optional_id

FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}
IDS = {
    "hallId": "Hall",
    "departmentId": "Department",
    "windowId": "Window",
    "staffId": "User",
    "itemId": "ServiceItem",
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status)


REFUSALS: tuple[tuple[type[DomainError], int, str], ...] = (
    (Forbidden, 403, "FORBIDDEN"),
    (InvalidInput, 400, "BAD_USER_INPUT"),
    (NotFound, 404, "NOT_FOUND"),
)


def _refusal(exc: DomainError) -> JSONResponse:
    """The status and stable code of a refused download (like the GraphQL errors' codes)."""
    for kind, status, code in REFUSALS:
        if isinstance(exc, kind):
            return _error(status, code, exc.message)
    return _error(400, exc.code, exc.message)


def _date(request: Request, name: str) -> date:
    value = request.query_params.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput.single(
            ("filter", name), "INVALID_FORMAT", f"{name} 应为日期，如 2021-01-01"
        ) from None


def request_of(request: Request) -> StatRequest:
    """The statistics query's arguments from query parameters (same names as in GraphQL).

    `groupBy` is repeated or comma-separated: ?groupBy=DEPARTMENT,MONTH.
    """
    ids: dict[str, int | None] = {}
    for name, kind in IDS.items():
        raw = request.query_params.get(name)
        ids[name] = decode_optional_id(
            relay.GlobalID.from_id(raw) if raw else None, kind, ("filter", name)
        )
    dims: list[GroupBy] = []
    for value in request.query_params.getlist("groupBy"):
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part not in GroupBy.__members__:
                raise InvalidInput.single("group_by", "INVALID_VALUE", f"未知的分组：{part}")
            dims.append(GroupBy[part])
    return StatRequest(
        start=_date(request, "from"),
        end=_date(request, "to"),
        hall_id=ids["hallId"],
        department_id=ids["departmentId"],
        window_id=ids["windowId"],
        staff_id=ids["staffId"],
        item_id=ids["itemId"],
        group_by=tuple(dims),
    )


def statistics_export(tokens: Tokens) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint: the same table and access rule as the statistics query."""

    async def endpoint(request: Request) -> Response:
        fmt = request.path_params["format"]
        if fmt not in FORMATS:
            return _error(404, "NOT_FOUND", "未知的导出格式")
        found = await tokens.actor(request.headers.get("authorization"))
        if found is None:
            return _error(401, "UNAUTHENTICATED", "请先登录")
        try:
            report = await statistics(found[0], request_of(request))
        except DomainError as exc:
            return _refusal(exc)
        media_type, render = FORMATS[fmt]
        name = f"统计_{report.period.start}_{report.period.end}.{fmt}"
        disposition = f"attachment; filename=statistics.{fmt}; filename*=UTF-8''{quote(name)}"
        return Response(
            render(report), media_type=media_type, headers={"Content-Disposition": disposition}
        )

    return endpoint
