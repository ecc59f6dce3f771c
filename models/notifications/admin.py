"""Administering the texts: templates per kind, and reading delivery states."""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import datetime

from tortoise.queryset import QuerySet

from models.accounts.tables import Role
from models.cases.access import scope_filter
from models.cases.tables import Case
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Forbidden
from models.notifications.tables import (
    Notification,
    NotificationKind,
    NotificationStatus,
    NotificationTemplate,
)
from models.notifications.templates import DEFAULT_TEXTS, forget_templates

# The parameters each kind's text may use (what the code that queues it provides).
PARAMETERS: dict[NotificationKind, frozenset[str]] = {
    NotificationKind.CASE_ACCEPTED: frozenset({"number", "due_on", "provisional"}),
    NotificationKind.CORRECTION_REQUESTED: frozenset({"number", "missing", "missing_materials"}),
    NotificationKind.CASE_COMPLETED: frozenset({"number", "outcome", "collect_at", "address"}),
    NotificationKind.NEGATIVE_REPORT: frozenset({"number", "status", "reason"}),
    NotificationKind.TICKET_NEAR: frozenset({"number", "ahead"}),
    NotificationKind.TICKET_CALLED: frozenset({"number", "window"}),
    NotificationKind.EVALUATION_INVITATION: frozenset({"number", "link"}),
    NotificationKind.ESCALATION: frozenset(
        {"number", "item", "department", "due_on", "overdue_days", "step", "target"}
    ),
}
TEMPLATE_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Template:
    """A kind's text in force, and whether it is the built-in default."""

    kind: NotificationKind
    text: str
    provider_template: str
    is_default: bool
    parameters: tuple[str, ...]
    updated_at: datetime | None


def _placeholders(text: str) -> list[str] | None:
    """The {names} a text uses, or None when its braces do not parse."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return None


async def templates() -> list[Template]:
    """Every kind's text in force."""
    stored = {row.kind: row for row in await NotificationTemplate.all()}
    result = []
    for kind in NotificationKind:
        row = stored.get(kind)
        result.append(
            Template(
                kind=kind,
                text=row.text if row else DEFAULT_TEXTS[kind],
                provider_template=row.provider_template if row else "",
                is_default=row is None,
                parameters=tuple(sorted(PARAMETERS[kind])),
                updated_at=row.updated_at if row else None,
            )
        )
    return result


async def _require_city_admin(actor: Actor) -> None:
    """Templates are the city's: an administrator of the top hall (or city-wide)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("只有管理员可以修改短信模板")
    if actor.hall_id is not None:
        hall = await Hall.get_or_none(id=actor.hall_id).only("id", "parent_id")
        if hall is None or hall.parent_id is not None:
            raise Forbidden("短信模板由市级管理员统一维护")


async def set_template(
    actor: Actor, kind: NotificationKind, text: str, provider_template: str, now: datetime
) -> Template:
    """Replace a kind's text (and the provider's approved template id); empty text: default."""
    await _require_city_admin(actor)
    checks = Checks()
    checks.text("text", text, "短信内容", min_len=0, max_len=300)
    checks.text("provider_template", provider_template, "模板编号", min_len=0, max_len=64)
    names = _placeholders(text)
    if names is None:
        checks.fail("text", "INVALID_FORMAT", "短信内容的花括号不成对")
    else:
        unknown = sorted({n for n in names if n not in PARAMETERS[kind]})
        if unknown or any(not n for n in names):
            allowed = "、".join(sorted(PARAMETERS[kind]))
            checks.fail(
                "text", "UNKNOWN_PARAMETER", f"未知参数{unknown or ['{}']}；可用参数：{allowed}"
            )
    checks.raise_if_any()
    if not text.strip():
        await NotificationTemplate.filter(kind=kind).delete()
    else:
        await NotificationTemplate.update_or_create(
            kind=kind,
            defaults={
                "text": text.strip(),
                "provider_template": provider_template.strip(),
                "updated_by_id": actor.user_id or None,
                "updated_at": now,
            },
        )
    forget_templates()
    return next(t for t in await templates() if t.kind is kind)


@dataclass(frozen=True)
class NotificationFilter:
    """How to narrow a list of texts."""

    case_number: str | None = None
    statuses: tuple[NotificationStatus, ...] = ()
    kinds: tuple[NotificationKind, ...] = ()
    hall_id: int | None = None


async def notifications_visible(actor: Actor, given: NotificationFilter) -> QuerySet[Notification]:
    """Texts of the halls the actor sees (staff only: screens and apps never see them)."""
    if actor.role not in TEMPLATE_ROLES | {Role.CHIEF_REP, Role.CLERK}:
        raise Forbidden("无权查看短信发送记录")
    query = Notification.all()
    if actor.hall_path is not None:
        hall_ids = await Hall.filter(path__startswith=actor.hall_path).values_list("id", flat=True)
        query = query.filter(hall_id__in=list(hall_ids))
    if given.case_number:
        case = await Case.filter(
            await scope_filter(actor), number=given.case_number.strip()
        ).first()
        query = query.filter(case_id=case.id if case else -1)
    if given.statuses:
        query = query.filter(status__in=list(given.statuses))
    if given.kinds:
        query = query.filter(kind__in=list(given.kinds))
    if given.hall_id is not None:
        query = query.filter(hall_id=given.hall_id)
    return query
