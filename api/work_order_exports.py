"""Downloads of the hotline report: GET /exports/work-orders.csv and .xlsx (Bearer token)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from strawberry import relay

from api.auth import Tokens
from api.exports import _date, _error, _refusal
from models.catalogue.tables import Department
from models.common.errors import DomainError
from models.workorders.export import to_csv, to_xlsx
from models.workorders.figures import ReportRequest, report
from schema.relay import decode_id, decode_optional_id

FORMATS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


def _wanted(request: Request) -> ReportRequest:
    params = request.query_params
    hall = params.get("hallId")
    department = params.get("departmentId")
    return ReportRequest(
        hall_id=decode_id(
            relay.GlobalID.from_id(hall) if hall else None, "Hall", ("filter", "hallId")
        ),
        start=_date(request, "from"),
        end=_date(request, "to"),
        group_by=params.get("groupBy", "DEPARTMENT_MONTH"),
        department_id=decode_optional_id(
            relay.GlobalID.from_id(department) if department else None,
            "Department",
            ("filter", "departmentId"),
        ),
    )


async def _names(rows: list[object]) -> dict[str, str]:
    """Department names for department keys ("12" or "12/2026-05")."""
    ids = {int(str(key).split("/")[0]) for key in rows if str(key).split("/")[0].isdigit()}
    found = await Department.filter(id__in=sorted(ids)).values("id", "name")
    names = {str(d["id"]): str(d["name"]) for d in found}
    return {str(key): names.get(str(key).split("/")[0], str(key)) for key in rows}


def work_order_export(tokens: Tokens) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint: the same rows and access rule as workOrderStatistics."""

    async def endpoint(request: Request) -> Response:
        fmt = request.path_params["format"]
        if fmt not in FORMATS:
            return _error(404, "NOT_FOUND", "未知的导出格式")
        found = await tokens.actor(request.headers.get("authorization"))
        if found is None:
            return _error(401, "UNAUTHENTICATED", "请先登录")
        try:
            wanted = _wanted(request)
            rows = await report(found[0], wanted)
        except DomainError as exc:
            return _refusal(exc)
        names = await _names([r.key for r in rows]) if "DEPARTMENT" in wanted.group_by else {}
        media_type, render = FORMATS[fmt]
        name = f"12345工单统计_{wanted.start}_{wanted.end}.{fmt}"
        disposition = f"attachment; filename=work-orders.{fmt}; filename*=UTF-8''{quote(name)}"
        return Response(
            render(rows, names), media_type=media_type, headers={"Content-Disposition": disposition}
        )

    return endpoint
