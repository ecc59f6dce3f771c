"""Texts through GraphQL: delivery states (masked, staff only) and the templates admins edit."""

from __future__ import annotations

from typing import Any

import pytest

from models.accounts.tables import Role
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from models.notifications.admin import PARAMETERS
from models.notifications.tables import NotificationKind, NotificationTemplate
from models.notifications.templates import DEFAULT_TEXTS, template_text
from tests import factories as f
from tests.operations import run

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")


@pytest.fixture
async def desk(db: object) -> dict[str, Any]:
    city = await f.hall("JN")
    county = await f.hall("LC", parent=city)
    dept = await f.department(city, "SC", "市市场监管局")
    await f.item(dept, "SC-001")
    _, clerk = await f.user("clerk1", Role.CLERK, of=city, department_id=dept.id)
    _, admin = await f.user("director", Role.ADMIN, of=city)
    _, county_admin = await f.user("lc_admin", Role.ADMIN, of=county)
    _, screen = await f.user("screen", Role.MONITOR, of=city)
    case = await intake.accept(clerk, intake.Intake("SC-001", city.id, APPLICANT), f.NOW)
    return {
        "clerk": clerk,
        "admin": admin,
        "county_admin": county_admin,
        "screen": screen,
        "number": case.number,
    }


def test_default_texts_use_only_their_parameters() -> None:
    import string  # noqa: PLC0415

    for kind, text in DEFAULT_TEXTS.items():
        names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
        assert names <= PARAMETERS[kind], (kind, names - PARAMETERS[kind])


async def test_delivery_state_is_visible_to_staff_masked(desk: dict[str, Any]) -> None:
    result = await run(
        "Notifications", {"filter": {"caseNumber": desk["number"]}}, actor=desk["clerk"]
    )
    nodes = result["data"]["notifications"]["nodes"]
    assert [(n["kind"], n["status"], n["phone"]) for n in nodes] == [
        ("CASE_ACCEPTED", "PENDING", "139****5678")
    ]
    denied = await run("Notifications", {}, actor=desk["screen"])
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert denied["data"] is None


async def test_template_edit_rules(desk: dict[str, Any]) -> None:
    text = "您的办件{number}已办结，请到{collect_at}领取。"
    stored = await run(
        "NotificationTemplateSet",
        {"input": {"kind": "CASE_COMPLETED", "text": text, "providerTemplate": "SMS_1234"}},
        actor=desk["admin"],
    )
    template = stored["data"]["notificationTemplateSet"]["template"]
    assert (template["text"], template["isDefault"]) == (text, False)
    assert await template_text(NotificationKind.CASE_COMPLETED) == text

    for bad, code in [
        ("请到{windw}号窗口", "UNKNOWN_PARAMETER"),
        ("请到{window号窗口", "INVALID_FORMAT"),
    ]:
        refused = await run(
            "NotificationTemplateSet",
            {"input": {"kind": "TICKET_CALLED", "text": bad}},
            actor=desk["admin"],
        )
        error = refused["data"]["notificationTemplateSet"]
        assert (error["__typename"], error["code"], error["field"]) == (
            "InputError",
            code,
            ["input", "text"],
        )
    # A county hall's admin and a clerk may not change the city's texts; nothing moved.
    for actor in (desk["county_admin"], desk["clerk"]):
        denied = await run(
            "NotificationTemplateSet",
            {"input": {"kind": "TICKET_CALLED", "text": "请{number}号到{window}号窗口"}},
            actor=actor,
        )
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await NotificationTemplate.filter(kind="TICKET_CALLED").count() == 0
    # An empty text puts the built-in one back.
    reset = await run(
        "NotificationTemplateSet",
        {"input": {"kind": "CASE_COMPLETED", "text": ""}},
        actor=desk["admin"],
    )
    assert reset["data"]["notificationTemplateSet"]["template"]["isDefault"] is True
    listed = (await run("NotificationTemplates", {}, actor=desk["clerk"]))["data"]
    assert len(listed["notificationTemplates"]) == len(NotificationKind)
