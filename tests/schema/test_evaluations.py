"""Ratings through GraphQL: every channel, one per channel, rectifications, appeals, calls, policy."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import redis.asyncio as aioredis
from strawberry.relay import to_base64

from models.accounts.tables import Role
from models.alerts.scan import scan_deadlines
from models.cases import actions, intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind, Case, Outcome
from models.catalogue import actions as catalogue
from models.common.actor import SYSTEM_ACTOR
from models.common.limits import RedisRateLimiter
from models.evaluations.follow_ups import plan_follow_ups
from models.evaluations.links import rater_digest
from models.evaluations.tables import (
    Evaluation,
    EvaluationAppeal,
    EvaluationPolicy,
    FollowUp,
    Rectification,
    RectificationEvent,
)
from models.notifications.tables import Notification, NotificationKind
from models.queue import actions as queue
from models.queue.tables import TicketChannel
from tests import factories as f
from tests.operations import run

APPLICANT = Applicant(ApplicantKind.PERSON, "张三", "11010519491231002X", "13912345678")
LATER = f.NOW + timedelta(days=3)  # Monday 23 November, 10:00 in Shanghai


def gid(kind: str, pk: int) -> str:
    """A global id."""
    return to_base64(kind, pk)


@pytest.fixture
async def hall(db: object) -> dict[str, Any]:
    hall = await f.hall("JN")
    dept = await f.department(hall, "SC", "市市场监管局")
    other_dept = await f.department(hall, "GA")
    await catalogue.create_item(
        SYSTEM_ACTOR,
        department_id=dept.id,
        code="SC-010",
        elements=f.elements(promised_limit=10),
        now=f.NOW,
    )
    window = await f.window(hall, "1")
    _, clerk = await f.user("clerk1", Role.CLERK, of=hall, department_id=dept.id)
    _, stranger = await f.user("clerk2", Role.CLERK, of=hall, department_id=other_dept.id)
    _, chief = await f.user("chief", Role.CHIEF_REP, of=hall, department_id=dept.id)
    _, other_chief = await f.user("chief2", Role.CHIEF_REP, of=hall, department_id=other_dept.id)
    _, admin = await f.user("director", Role.ADMIN, of=hall)
    _, admin2 = await f.user("deputy", Role.ADMIN, of=hall)
    _, supervisor = await f.user("office", Role.SUPERVISOR, of=hall)
    _, screen = await f.user("screen", Role.MONITOR, of=hall)
    _, outsider = await f.user("qd_admin", Role.ADMIN, of=await f.hall("QD"))
    await catalogue.open_window(clerk, window.id, f.NOW)
    case = await intake.accept(
        clerk, intake.Intake("SC-010", hall.id, APPLICANT, window_id=window.id), f.NOW
    )
    return {
        "hall": hall,
        "dept": dept,
        "window": window,
        "case": case,
        "clerk": clerk,
        "stranger": stranger,
        "chief": chief,
        "other_chief": other_chief,
        "admin": admin,
        "admin2": admin2,
        "supervisor": supervisor,
        "screen": screen,
        "outsider": outsider,
    }


@pytest.fixture
async def limiter(hall: dict[str, Any], orm: Any) -> AsyncIterator[RedisRateLimiter]:
    client = aioredis.Redis.from_url(orm.redis_url)
    yield RedisRateLimiter(client, prefix=f"test:{secrets.token_hex(4)}:")
    await client.aclose()


async def _complete(hall: dict[str, Any], when: datetime = LATER) -> Case:
    return await actions.complete(hall["clerk"], hall["case"].number, Outcome.APPROVED, "", when)


def _pad(hall: dict[str, Any], grade: int, tags: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "channel": "WINDOW",
            "grade": grade,
            "tags": tags,
            "caseNumber": hall["case"].number,
            "windowId": gid("Window", hall["window"].id),
            **extra,
        }
    }


async def test_window_pad_rates_once_per_channel(hall: dict[str, Any]) -> None:
    first = await run("EvaluationSubmit", _pad(hall, 5, ["FRIENDLY"]), actor=hall["clerk"])
    success = first["data"]["evaluationSubmit"]
    assert success["__typename"] == "EvaluationSubmitSuccess"
    assert (success["gradeLabel"], success["rectificationOpened"]) == ("非常满意", False)
    rating = success["evaluation"]
    assert (rating["channel"], rating["staff"]["displayName"], rating["window"]["number"]) == (
        "WINDOW",
        "张三",
        "1",
    )
    again = await run("EvaluationSubmit", _pad(hall, 4, []), actor=hall["clerk"])
    assert again["data"]["evaluationSubmit"]["code"] == "ALREADY_RATED"
    assert await Evaluation.all().count() == 1


async def test_only_the_clerk_at_the_window_uses_its_pad(hall: dict[str, Any]) -> None:
    refused = await run("EvaluationSubmit", _pad(hall, 1, ["SLOW"]), actor=hall["stranger"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await run("EvaluationSubmit", _pad(hall, 1, ["SLOW"]))
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Evaluation.all().count() == 0
    assert await Rectification.all().count() == 0


async def test_rating_rules_are_reported_per_field(hall: dict[str, Any]) -> None:
    variables = _pad(hall, 7, ["FRIENDLY", "FRIENDLY"], comment="好" * 501)
    result = (await run("EvaluationSubmit", variables, actor=hall["clerk"]))["data"]
    error = result["evaluationSubmit"]
    assert error["__typename"] == "InputError"
    assert [(v["field"], v["code"]) for v in error["violations"]] == [
        (["input", "grade"], "OUT_OF_RANGE"),
        (["input", "tags"], "DUPLICATE"),
        (["input", "comment"], "TOO_LONG"),
    ]
    bad_without_reason = await run("EvaluationSubmit", _pad(hall, 2, []), actor=hall["clerk"])
    assert bad_without_reason["data"]["evaluationSubmit"]["violations"] == [
        {"field": ["input", "tags"], "code": "REQUIRED", "message": "差评须选择至少一个原因"}
    ]
    mismatch = await run("EvaluationSubmit", _pad(hall, 1, ["FRIENDLY"]), actor=hall["clerk"])
    assert mismatch["data"]["evaluationSubmit"]["violations"][0]["code"] == "TAG_MISMATCH"
    assert await Evaluation.all().count() == 0


async def test_texted_link_rates_a_completed_case_without_login(hall: dict[str, Any]) -> None:
    early = {"input": {"channel": "SMS_LINK", "grade": 5, "caseNumber": hall["case"].number}}
    not_yet = (await run("EvaluationSubmit", early))["data"]["evaluationSubmit"]
    assert (not_yet["__typename"], not_yet["code"]) == ("InputError", "INVALID_TOKEN")
    await _complete(hall)
    invitation = await Notification.get(kind=NotificationKind.EVALUATION_INVITATION)
    link = str(invitation.params["link"])
    assert link.startswith("https://hall.test/rate/")
    token = parse_qs(urlsplit(link).query)["t"][0]
    forged = {"input": {**early["input"], "token": token[:-1] + ("a" if token[-1] != "a" else "b")}}
    assert (await run("EvaluationSubmit", forged))["data"]["evaluationSubmit"]["code"] == (
        "INVALID_TOKEN"
    )
    good = {"input": {**early["input"], "token": token, "grade": 4, "tags": ["EFFICIENT"]}}
    stored = (await run("EvaluationSubmit", good, now=LATER))["data"]["evaluationSubmit"]
    assert stored["__typename"] == "EvaluationSubmitSuccess"
    assert stored["evaluation"] is None  # the applicant gets a receipt, not the record
    row = await Evaluation.get()
    assert (row.channel.value, row.grade, row.rated_on) == ("SMS_LINK", 4, date(2026, 11, 23))
    # The rater is linkable (the same ID gives the same digest) but never stored in clear.
    assert row.rater_digest == rater_digest(APPLICANT.id_number)
    assert APPLICANT.id_number not in row.rater_digest


async def test_online_form_checks_the_phone_tail_and_throttles(
    hall: dict[str, Any], limiter: RedisRateLimiter
) -> None:
    await _complete(hall)
    base = {"channel": "ONLINE", "grade": 3, "caseNumber": hall["case"].number}
    for _ in range(5):
        wrong = await run(
            "EvaluationSubmit", {"input": {**base, "verification": "0000"}}, limiter=limiter
        )
        assert wrong["data"]["evaluationSubmit"]["code"] == "MISMATCH"
    locked = await run(
        "EvaluationSubmit", {"input": {**base, "verification": "5678"}}, limiter=limiter
    )
    assert locked["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert await Evaluation.all().count() == 0


async def test_bad_rating_runs_the_whole_rectification(hall: dict[str, Any]) -> None:
    await _complete(hall)
    variables = _pad(hall, 1, ["SLOW"], comment="跑了三趟")
    result = await run("EvaluationSubmit", variables, actor=hall["clerk"], now=LATER)
    assert result["data"]["evaluationSubmit"]["rectificationOpened"] is True
    rectification = await Rectification.get()
    # 15 working days from Monday 23 November 2026.
    assert (rectification.status.value, rectification.due_on) == ("PENDING", date(2026, 12, 14))
    rid = gid("Rectification", rectification.id)

    # Only the rated department reports on it; nothing moves on a refusal.
    refused = await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "IN_PROGRESS"}},
        actor=hall["other_chief"],
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    empty = await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "RECTIFIED"}},
        actor=hall["chief"],
    )
    assert empty["data"]["rectificationUpdate"]["violations"] == [
        {"field": ["input", "measures"], "code": "REQUIRED"}
    ]
    assert (await Rectification.get()).status.value == "PENDING"
    started = await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "IN_PROGRESS", "measures": "约谈窗口人员"}},
        actor=hall["chief"],
    )
    assert started["data"]["rectificationUpdate"]["rectification"]["status"] == "IN_PROGRESS"
    done = await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "RECTIFIED", "measures": "增设导办员"}},
        actor=hall["chief"],
    )
    assert done["data"]["rectificationUpdate"]["rectification"]["status"] == "RECTIFIED"
    verified = await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "VERIFIED"}},
        actor=hall["chief"],
    )
    assert verified["data"]["rectificationUpdate"]["violations"][0]["code"] == "NOT_ALLOWED"

    # The call back: the rater refuses first (rework), then accepts the second fix.
    task = await FollowUp.get(kind="RECTIFICATION")
    call = {"followUpId": gid("FollowUp", task.id), "reached": True}
    no_verdict = await run("FollowUpRecord", {"input": call}, actor=hall["supervisor"])
    assert no_verdict["data"]["followUpRecord"]["violations"] == [
        {"field": ["input", "accepts"], "code": "REQUIRED"}
    ]
    refused_fix = await run(
        "FollowUpRecord", {"input": {**call, "accepts": False}}, actor=hall["supervisor"]
    )
    again = refused_fix["data"]["followUpRecord"]["followUp"]["rectification"]
    assert (again["status"], again["applicantAccepts"], again["rounds"]) == (
        "IN_PROGRESS",
        False,
        2,
    )
    await run(
        "RectificationUpdate",
        {"input": {"rectificationId": rid, "status": "RECTIFIED", "measures": "重新培训"}},
        actor=hall["chief"],
    )
    second = await FollowUp.get(kind="RECTIFICATION", status="OPEN")
    accepted = await run(
        "FollowUpRecord",
        {"input": {"followUpId": gid("FollowUp", second.id), "reached": True, "accepts": True}},
        actor=hall["supervisor"],
    )
    final = accepted["data"]["followUpRecord"]["followUp"]["rectification"]
    assert (final["status"], final["applicantAccepts"]) == ("VERIFIED", True)
    listed = await run("Rectifications", {}, actor=hall["chief"])
    assert not listed["errors"], listed["errors"]
    history = listed["data"]["rectifications"]["nodes"][0]["history"]
    assert [h["kind"] for h in history] == [
        "OPENED",
        "IN_PROGRESS",
        "RECTIFIED",
        "NOT_ACCEPTED",
        "RECTIFIED",
        "ACCEPTED",
    ]
    # Another department's chief representative does not see it.
    other = await run("Rectifications", {}, actor=hall["other_chief"])
    assert other["data"]["rectifications"]["totalCount"] == 0


async def test_overdue_rectification_raises_cards_once(hall: dict[str, Any]) -> None:
    await run("EvaluationSubmit", _pad(hall, 2, ["LONG_WAIT"]), actor=hall["clerk"])
    rectification = await Rectification.get()
    yellow_day = datetime.combine(rectification.yellow_on, datetime.min.time(), UTC) + timedelta(
        hours=2
    )
    first = await scan_deadlines(yellow_day)
    assert first.rectifications == {"YELLOW": 1}
    assert (await scan_deadlines(yellow_day)).rectifications == {}
    late = datetime.combine(rectification.due_on, datetime.min.time(), UTC) + timedelta(
        days=1, hours=2
    )
    assert (await scan_deadlines(late)).rectifications == {"RED": 1}
    assert (await scan_deadlines(late)).rectifications == {}
    events = await RectificationEvent.filter(rectification_id=rectification.id).order_by("id")
    assert [e.kind for e in events] == ["OPENED", "YELLOW", "RED"]
    texts = await Notification.filter(dedupe_key__startswith="rectification:")
    assert [t.phone for t in texts] == ["13812345678"]  # the department's chief representative
    assert str(texts[0].params["item"]).startswith("差评整改")


async def test_upheld_appeal_removes_the_rating_from_the_figures(hall: dict[str, Any]) -> None:
    await run("EvaluationSubmit", _pad(hall, 1, ["POOR_ATTITUDE"]), actor=hall["clerk"])
    rating = await Evaluation.get()
    eid = gid("Evaluation", rating.id)
    short = await run(
        "EvaluationAppeal", {"input": {"evaluationId": eid, "reason": "恶意"}}, actor=hall["chief"]
    )
    assert short["data"]["evaluationAppeal"]["code"] == "TOO_SHORT"
    wrong_dept = await run(
        "EvaluationAppeal",
        {"input": {"evaluationId": eid, "reason": "申请人当场表示满意，评价器误触。"}},
        actor=hall["other_chief"],
    )
    assert wrong_dept["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    filed = await run(
        "EvaluationAppeal",
        {"input": {"evaluationId": eid, "reason": "申请人当场表示满意，评价器误触。"}},
        actor=hall["chief"],
    )
    appeal = filed["data"]["evaluationAppeal"]["appeal"]
    assert appeal["status"] == "PENDING"
    pending = await run("EvaluationAppeals", {"filter": {"status": "PENDING"}}, actor=hall["admin"])
    listed = pending["data"]["evaluationAppeals"]["nodes"]
    assert [(a["id"], a["evaluation"]["grade"]) for a in listed] == [(appeal["id"], 1)]
    other = await run("EvaluationAppeals", {}, actor=hall["other_chief"])
    assert other["data"]["evaluationAppeals"]["totalCount"] == 0
    twice = await run(
        "EvaluationAppeal",
        {"input": {"evaluationId": eid, "reason": "申请人当场表示满意，评价器误触。"}},
        actor=hall["chief"],
    )
    assert twice["data"]["evaluationAppeal"]["code"] == "ALREADY_APPEALED"
    decide = {"appealId": appeal["id"], "uphold": True, "note": "监控录像显示误触"}
    by_chief = await run("EvaluationAppealDecide", {"input": decide}, actor=hall["chief"])
    assert by_chief["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await Evaluation.get()).counted is True
    decided = await run("EvaluationAppealDecide", {"input": decide}, actor=hall["admin"])
    outcome = decided["data"]["evaluationAppealDecide"]
    assert outcome["appeal"]["status"] == "UPHELD"
    assert outcome["evaluation"]["counted"] is False
    assert outcome["evaluation"]["rectification"]["status"] == "VOIDED"
    again = await run("EvaluationAppealDecide", {"input": decide}, actor=hall["admin2"])
    assert again["data"]["evaluationAppealDecide"]["currentState"] == "UPHELD"
    # Kept in the record, out of the figures.
    removed = await run("Evaluations", {"filter": {"counted": False}}, actor=hall["admin"])
    assert removed["data"]["evaluations"]["totalCount"] == 1
    assert (await EvaluationAppeal.get()).decided_by_id == hall["admin"].user_id


async def test_unrated_cases_get_calls_within_sixty_days(hall: dict[str, Any]) -> None:
    await _complete(hall)  # decided Monday 23 November
    assert (await plan_follow_ups(LATER + timedelta(days=2))).calls == {}  # still in the grace days
    planned = await plan_follow_ups(LATER + timedelta(days=3))
    assert planned.calls == {"JN": 1}
    assert (await plan_follow_ups(LATER + timedelta(days=4))).calls == {}  # once
    task = await FollowUp.get()
    assert (task.kind.value, task.due_on) == ("UNRATED", date(2027, 1, 22))
    listed = await run("FollowUps", {}, actor=hall["supervisor"])
    shown = listed["data"]["followUps"]["nodes"][0]
    assert shown["case"]["applicant"] == {"name": "张*", "phone": "139****5678"}
    clerk_view = await run("FollowUps", {}, actor=hall["clerk"])
    assert clerk_view["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    call = {"followUpId": gid("FollowUp", task.id), "reached": False, "note": "无人接听"}
    unreached = await run("FollowUpRecord", {"input": call}, actor=hall["supervisor"])
    assert unreached["data"]["followUpRecord"]["followUp"]["status"] == "UNREACHABLE"
    rated = {**call, "reached": True, "grade": 4, "tags": ["EFFICIENT"], "note": "已回访"}
    done = await run("FollowUpRecord", {"input": rated}, actor=hall["supervisor"])
    assert done["data"]["followUpRecord"]["followUp"]["status"] == "DONE"
    rating = await Evaluation.get()
    assert (rating.channel.value, rating.grade) == ("FOLLOW_UP_CALL", 4)
    closed = await run("FollowUpRecord", {"input": rated}, actor=hall["supervisor"])
    assert closed["data"]["followUpRecord"]["currentState"] == "DONE"


async def test_a_rating_closes_the_open_call(hall: dict[str, Any]) -> None:
    await _complete(hall)
    await plan_follow_ups(LATER + timedelta(days=3))
    await run("EvaluationSubmit", _pad(hall, 5, ["ONE_VISIT"]), actor=hall["clerk"])
    assert (await FollowUp.get()).status.value == "DONE"


async def test_default_grade_policy_is_versioned(hall: dict[str, Any]) -> None:
    hall_id = gid("Hall", hall["hall"].id)
    defaults = await run("EvaluationPolicy", {"hallId": hall_id}, actor=hall["admin"])
    assert defaults["data"]["evaluationPolicy"]["version"] == 0
    wanted = {"hallId": hall_id, "unratedAction": "DEFAULT_GRADE", "defaultAfterDays": 7}
    by_chief = await run("EvaluationPolicySet", {"input": wanted}, actor=hall["chief"])
    assert by_chief["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = {**wanted, "rectificationDays": 0, "defaultGrade": 2, "followUpWithinDays": 90}
    refused = (await run("EvaluationPolicySet", {"input": bad}, actor=hall["admin"]))["data"]
    assert [(v["field"], v["code"]) for v in refused["evaluationPolicySet"]["violations"]] == [
        (["input", "rectificationDays"], "OUT_OF_RANGE"),
        (["input", "followUpWithinDays"], "OUT_OF_RANGE"),
        (["input", "defaultGrade"], "OUT_OF_RANGE"),
    ]
    assert await EvaluationPolicy.all().count() == 0
    stored = await run("EvaluationPolicySet", {"input": wanted}, actor=hall["admin"])
    assert stored["data"]["evaluationPolicySet"]["policy"]["version"] == 1
    outsider = await run("EvaluationPolicySet", {"input": wanted}, actor=hall["outsider"])
    assert outsider["data"]["evaluationPolicySet"]["code"] == "NOT_FOUND"

    await _complete(hall)
    assert (await plan_follow_ups(LATER + timedelta(days=6))).defaults == {}
    assert (await plan_follow_ups(LATER + timedelta(days=7))).defaults == {"JN": 1}
    assert (await plan_follow_ups(LATER + timedelta(days=8))).defaults == {}
    rating = await Evaluation.get()
    assert (rating.channel.value, rating.grade, rating.policy_version) == ("DEFAULT", 3, 1)
    assert await FollowUp.all().count() == 0


async def test_ratings_are_scoped_and_the_rater_stays_hidden(hall: dict[str, Any]) -> None:
    await run("EvaluationSubmit", _pad(hall, 1, ["SLOW"]), actor=hall["clerk"])
    own = await run("Evaluations", {}, actor=hall["clerk"])
    node = own["data"]["evaluations"]["nodes"][0]
    assert node["case"] is None  # the rated clerk does not learn which applicant it was
    chief = await run("Evaluations", {}, actor=hall["chief"])
    assert chief["data"]["evaluations"]["nodes"][0]["case"]["number"] == hall["case"].number
    assert (await run("Evaluations", {}, actor=hall["other_chief"]))["data"]["evaluations"][
        "totalCount"
    ] == 0
    assert (await run("Evaluations", {}, actor=hall["outsider"]))["data"]["evaluations"][
        "totalCount"
    ] == 0
    screen = await run("Evaluations", {}, actor=hall["screen"])
    assert screen["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_consultation_without_a_case_is_rated_by_its_ticket(hall: dict[str, Any]) -> None:
    await f.always_open(hall["hall"])
    lane = await f.lane(hall["hall"], "B")
    now = datetime.now(UTC)
    issued = await queue.issue_ticket(
        None, queue.TicketRequest(hall["hall"].id, lane.id, TicketChannel.KIOSK), now
    )
    called = await queue.call_next(hall["clerk"], hall["window"].id, now)
    assert called.ticket.id == issued.ticket.id
    pad = {
        "input": {
            "channel": "WINDOW",
            "grade": 4,
            "tags": ["CLEAR_GUIDANCE"],
            "ticketId": gid("Ticket", issued.ticket.id),
            "windowId": gid("Window", hall["window"].id),
        }
    }
    rated = await run("EvaluationSubmit", pad, actor=hall["clerk"], now=now)
    rating = rated["data"]["evaluationSubmit"]["evaluation"]
    assert (rating["case"], rating["window"]["number"], rating["staff"]["displayName"]) == (
        None,
        "1",
        "张三",
    )
    again = await run("EvaluationSubmit", pad, actor=hall["clerk"], now=now)
    assert again["data"]["evaluationSubmit"]["code"] == "ALREADY_RATED"
    # A ticket still waiting (never served at this window) cannot be rated from its pad.
    waiting = await queue.issue_ticket(
        None, queue.TicketRequest(hall["hall"].id, lane.id, TicketChannel.KIOSK), now
    )
    unserved = {"input": {**pad["input"], "ticketId": gid("Ticket", waiting.ticket.id)}}
    refused = await run("EvaluationSubmit", unserved, actor=hall["clerk"], now=now)
    assert refused["data"]["evaluationSubmit"]["code"] == "NOT_FOUND"
    assert await Evaluation.all().count() == 1
