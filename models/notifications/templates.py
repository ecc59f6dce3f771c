"""Default texts per kind and rendering; the stored templates (editable by admins) win."""

from __future__ import annotations

import string
import time
from collections.abc import Mapping

from models.notifications.tables import NotificationKind, NotificationTemplate

DEFAULT_TEXTS: dict[NotificationKind, str] = {
    NotificationKind.CASE_ACCEPTED: "您的申请已受理，办件编号{number}，承诺办结日期{due_on}。可凭编号和手机尾号查询进度。",
    NotificationKind.CORRECTION_REQUESTED: "您的申请{number}材料不齐，请补正：{missing}。补齐后到窗口办理。",
    NotificationKind.CASE_COMPLETED: "您的办件{number}已办结，请到{collect_at}领取结果。",
    NotificationKind.NEGATIVE_REPORT: "投资项目办件{number}不予受理或不予许可（{status}），请及时跟进。理由：{reason}",
    NotificationKind.TICKET_NEAR: "您的号码{number}前面还有{ahead}人，请到等候区留意叫号。",
    NotificationKind.TICKET_CALLED: "请{number}号到{window}号窗口办理。",
    NotificationKind.EVALUATION_INVITATION: "请对办件{number}的服务作出评价：{link}",
    NotificationKind.ESCALATION: "【督办】{department}办件{number}（{item}）已超过办理期限{overdue_days}个工作日（期限{due_on}），请督促办理。",
}


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


def param_text(value: object) -> str:
    """A parameter as it appears in a text: lists of materials as their names joined by 、."""
    if isinstance(value, list):
        return "、".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def render(text: str, params: Mapping[str, object]) -> str:
    """The text with its {placeholders} filled (missing ones left empty, lists joined)."""
    values = _Blank()
    for key, value in params.items():
        values[key] = param_text(value) if isinstance(value, list) else value
    if "missing_materials" in params and "missing" not in values:
        values["missing"] = values["missing_materials"]
    return string.Formatter().vformat(text, (), values)


# Senders read the templates often and admins change them rarely: each process keeps them a
# few seconds.
CACHE_SECONDS = 5.0
_cache: dict[NotificationKind, tuple[float, str]] = {}


async def template_text(kind: NotificationKind) -> str:
    """The stored text of a kind, or its default (cached for a few seconds)."""
    cached = _cache.get(kind)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    row = await NotificationTemplate.get_or_none(kind=kind)
    text = row.text if row is not None else DEFAULT_TEXTS[kind]
    _cache[kind] = (time.monotonic(), text)
    return text


def forget_templates() -> None:
    """Drop the cached texts (after an admin's change in this process)."""
    _cache.clear()
