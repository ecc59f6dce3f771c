"""The authorization matrix: every role x every personal-data field x every path, masked or refused.

One seeded world (module scope, committed): a city with halls A and B; in hall A a case whose
applicant, a ticket holder, a hotline caller and a clerk's mobile carry distinctive raw values.
Every path (root query, nested object, `node(id)`, subscription over a real WebSocket server,
error text) is run as every role, and the expectation table below says, per role and field,
whether the field comes back RAW (only the logged unmasking), MASKED (in the documented shape),
or REFUSED (not at all: null, empty or an error with a stable code). Whatever the expectation,
a raw value never appears anywhere in a response that should not carry it.

The list of personal-data fields comes from the schema (fields marked with
`schema.types.masking.personal`); a new marked field missing here fails the completeness checks,
and so does a new text field whose name looks personal without being marked or explained.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path as FilePath
from typing import Any

import pytest
import redis.asyncio as aioredis
from graphql import GraphQLObjectType, get_named_type
from strawberry.relay import to_base64
from tortoise.contrib.test import truncate_all_models
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.board_log import RedisEventLog
from models.accounts.tables import Role, User
from models.alerts.scan import scan_deadlines
from models.alerts.tables import CaseAlert
from models.apikeys.actions import Grant, create_key
from models.apikeys.rules import KeyDraft
from models.audit.tables import AccessLogEntry
from models.cases import intake
from models.cases.rules import Applicant
from models.cases.tables import ApplicantKind
from models.catalogue import actions as catalogue
from models.common.actor import Actor
from models.evaluations.tables import FollowUp, FollowUpKind, Rectification
from models.queue import actions as queue
from models.queue.tables import TicketChannel
from models.workorders import actions as workorders
from models.workorders.tables import WorkOrderCategory
from schema.context import Context
from schema.limits.scopes import root_field_names
from schema.schema import schema
from schema.types.masking import (
    Exposure,
    PersonalData,
    mask_id_number,
    mask_mobile,
    mask_name,
    personal_fields,
)
from tests import factories as f
from tests.api.conftest import running_server
from tests.api.test_service_process import PROTOCOL
from tests.conftest import Servers
from tests.operations import TOKENS, run

pytestmark = pytest.mark.slow

NOW = f.NOW  # Friday 2026-11-20, 10:00 in Shanghai
SCAN = NOW + timedelta(days=6)  # Thursday 26 November: the case's due date (25th) has passed

# Distinctive raw values: none of them may reach a response that should not carry it.
APPLICANT_NAME = "欧阳娜娜"
APPLICANT_ID = "370102198503123474"  # valid GB 11643 check digit
APPLICANT_PHONE = "13987650123"
CONTACT_NAME = "司马相如"
HOLDER_NAME = "上官婉儿"
HOLDER_PHONE = "13711112222"
CALLER_NAME = "诸葛孔明"
CALLER_PHONE = "13600001234"
STAFF_MOBILE = "13555556666"
EVERY_RAW = (
    APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE, CONTACT_NAME, HOLDER_NAME, HOLDER_PHONE,
    CALLER_NAME, CALLER_PHONE, STAFF_MOBILE,
)  # fmt: skip

# The raw value behind each personal-data field (the seeded target of every path).
RAW = {
    "Applicant.name": APPLICANT_NAME,
    "Applicant.idNumber": APPLICANT_ID,
    "Applicant.phone": APPLICANT_PHONE,
    "Applicant.contactName": CONTACT_NAME,
    "ApplicantDetails.name": APPLICANT_NAME,
    "ApplicantDetails.idNumber": APPLICANT_ID,
    "ApplicantDetails.phone": APPLICANT_PHONE,
    "ApplicantDetails.contactName": CONTACT_NAME,
    "WorkOrder.callerName": CALLER_NAME,
    "WorkOrder.callerPhone": CALLER_PHONE,
    "Ticket.holder": HOLDER_NAME,
    "User.mobile": STAFF_MOBILE,
    "Notification.phone": APPLICANT_PHONE,
}
MASK: dict[PersonalData, Callable[[str], str]] = {
    PersonalData.NAME: mask_name,
    PersonalData.ID_NUMBER: mask_id_number,
    PersonalData.PHONE: mask_mobile,
}
# The documented masked shapes (DOMAIN.md Privacy: 110101********1234, 138****1234, 张*).
SHAPE = {
    PersonalData.NAME: re.compile(r"^.\*+$"),
    PersonalData.ID_NUMBER: re.compile(r"^[0-9A-Z]{6}\*{8}[0-9A-Z]{4}$"),
    PersonalData.PHONE: re.compile(r"^1\d{2}\*{4}\d{4}$"),
}
FIELDS = personal_fields(schema)


class Outcome(StrEnum):
    """What a role gets of a field."""

    RAW = "RAW"
    MASKED = "MASKED"
    REFUSED = "REFUSED"


# --- the expectation table (CONTRACT.md "Roles", DOMAIN.md "Privacy") -------------------------

ROLES = (
    "ADMIN", "SUPERVISOR", "CHIEF_REP", "CLERK", "MONITOR", "HOTLINE", "CITY_SUPERVISOR",
    "APP_BROAD", "APP_NARROW", "OTHER_HALL", "ANONYMOUS",
)  # fmt: skip
R, M, X = Outcome.RAW, Outcome.MASKED, Outcome.REFUSED
_APPLICANT = (M, M, M, M, M, M, M, M, X, X, X)
_UNMASKED = (R, R, R, R, X, X, R, X, X, X, X)
_CALLER = (M, M, M, M, X, M, M, X, X, X, X)
EXPECTED_ROWS: dict[str, tuple[Outcome, ...]] = {
    #                              ADMIN SUPER CHIEF CLERK MONIT HOTLN CITY APP_B APP_N OTHER ANON
    "Applicant.name": _APPLICANT,
    "Applicant.idNumber": _APPLICANT,
    "Applicant.phone": _APPLICANT,
    "Applicant.contactName": _APPLICANT,
    "ApplicantDetails.name": _UNMASKED,  # caseUnmask only, logged with a purpose
    "ApplicantDetails.idNumber": _UNMASKED,
    "ApplicantDetails.phone": _UNMASKED,
    "ApplicantDetails.contactName": _UNMASKED,
    "WorkOrder.callerName": _CALLER,  # the centre and the handling department only
    "WorkOrder.callerPhone": _CALLER,
    "Ticket.holder": (M, M, M, M, M, M, M, M, M, X, X),  # screens show 张* at most
    "User.mobile": (M, M, M, M, X, X, M, X, X, X, X),  # the clerk's: admins, office, own dept
    "Notification.phone": (M, M, M, M, X, X, M, X, X, X, X),  # staff only
}
EXPECTED = {
    (role, name): row[i] for name, row in EXPECTED_ROWS.items() for i, role in enumerate(ROLES)
}
# Paths that deliberately show less than the table: (path, role) -> why it is hidden there.
HIDDEN_ON_PATH = {
    ("root.casesByApplicantPhone", "MONITOR"): "screens cannot search by personal data",
    ("root.casesByApplicantPhone", "HOTLINE"): "only roles that may unmask search by phone",
    ("root.casesByApplicantPhone", "APP_BROAD"): "apps cannot search by personal data",
    **{
        (path, role): "ratings are read by staff; the rated case by those who answer it"
        for path in ("nested.evaluations.case", "nested.rectifications.evaluation.case")
        for role in ("CLERK", "MONITOR", "HOTLINE", "APP_BROAD")
    },
    **{
        (path, role): "call-back tasks belong to administrators and the efficiency office"
        for path in ("nested.followUps.case",)
        for role in ("CHIEF_REP", "CLERK", "MONITOR", "HOTLINE", "APP_BROAD")
    },
    ("root.workOrdersByCallerPhone", "CHIEF_REP"): "only the centre searches by caller phone",
    ("root.workOrdersByCallerPhone", "CLERK"): "only the centre searches by caller phone",
    ("root.users", "CHIEF_REP"): "only administrators and supervisors list other accounts",
    ("node.user", "CHIEF_REP"): "node(id) applies the same rule as users",
    ("node.ticket", "APP_NARROW"): "node is outside the key's scopes",
    ("sub.hallBoard", "APP_NARROW"): "hallBoard is outside the key's scopes",
    ("sub.windowFeed", "APP_NARROW"): "windowFeed is outside the key's scopes",
}
# Error codes a refusal may carry (ARCHITECTURE.md: a stable extensions.code).
STABLE_CODES = {
    "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED",
}  # fmt: skip
# Text fields whose names look personal but are not (organisations' contact data, staff names).
NOT_PERSONAL = {
    "Hall.phone": "the hall's public service phone",
    "Hall.address": "the hall's public address",
    "ServiceItem.consultPhone": "the department's published enquiry line",
    "ServiceItemElements.consultPhone": "the department's published enquiry line",
    "User.displayName": "staff names are shown at the window and in rankings (服务之星)",
    "User.username": "a login name, not a person's name",
    "ApiKey.name": "what a key is for",
}
PERSONAL_NAME = re.compile(
    r"(?i)(phone|mobile|idnumber|holder|caller|contact|applicant|rater|person|address|displayname"
    r"|username)"
)


# --- the paths ---------------------------------------------------------------------------------

APPLICANT = (
    "applicant { Applicant__name: name Applicant__idNumber: idNumber Applicant__phone: phone"
    " Applicant__contactName: contactName }"
)
CALLER = "WorkOrder__callerName: callerName WorkOrder__callerPhone: callerPhone"
APPLICANT_FIELDS = (
    "Applicant.name",
    "Applicant.idNumber",
    "Applicant.phone",
    "Applicant.contactName",
)
DETAIL_FIELDS = tuple(f"ApplicantDetails.{n}" for n in ("name", "idNumber", "phone", "contactName"))
CALLER_FIELDS = ("WorkOrder.callerName", "WorkOrder.callerPhone")
BOGUS = 987654321


def gid(kind: str, pk: int) -> str:
    """A global id."""
    return to_base64(kind, pk)


@dataclass(frozen=True)
class Path:
    """One way to reach personal data: a document, its variables, and what it reaches."""

    name: str
    document: str
    fields: tuple[str, ...] = ()
    variables: Callable[[dict[str, Any]], dict[str, Any]] = lambda w: {}
    # The same request for an object that does not exist (existence must not show).
    unknown: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    subscription: bool = False
    # JSON keys holding a field's values when they are not the `Type__field` alias.
    keys: dict[str, str] = field(default_factory=dict)


PATHS = (
    Path(
        "root.case",
        f"query($n: String!) {{ case(number: $n) {{ number {APPLICANT} }} }}",
        APPLICANT_FIELDS,
        lambda w: {"n": w["case"]},
        lambda w: {"n": "AZA-20261120-999999"},
    ),
    Path(
        "root.cases",
        f"{{ cases(first: 50) {{ nodes {{ number {APPLICANT} }} }} }}",
        APPLICANT_FIELDS,
    ),
    Path(
        "root.casesByApplicantPhone",
        f"query($p: String!) {{ cases(filter: {{applicantPhone: $p}}) {{ nodes {{ {APPLICANT} }} }} }}",
        APPLICANT_FIELDS,
        lambda w: {"p": APPLICANT_PHONE},
    ),
    Path(
        "node.case",
        f"query($id: ID!) {{ node(id: $id) {{ ... on Case {{ number {APPLICANT} }} }} }}",
        APPLICANT_FIELDS,
        lambda w: {"id": gid("Case", w["case_id"])},
        lambda w: {"id": gid("Case", BOGUS)},
    ),
    Path(
        "nested.alerts.case",
        f"{{ alerts(first: 50) {{ nodes {{ level case {{ number {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
    ),
    Path(
        "node.alert.case",
        f"query($id: ID!) {{ node(id: $id) {{ ... on Alert {{ case {{ {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
        lambda w: {"id": gid("Alert", w["alert_id"])},
        lambda w: {"id": gid("Alert", BOGUS)},
    ),
    Path(
        "nested.evaluations.case",
        f"{{ evaluations(first: 50) {{ nodes {{ grade case {{ {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
    ),
    Path(
        "nested.rectifications.evaluation.case",
        f"{{ rectifications(first: 50) {{ nodes {{ evaluation {{ case {{ {APPLICANT} }} }} }} }} }}",
        APPLICANT_FIELDS,
    ),
    Path(
        "nested.followUps.case",
        f"{{ followUps(first: 50) {{ nodes {{ kind case {{ {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
    ),
    Path(
        "sub.deadlineAlerts.case",
        f"subscription {{ deadlineAlerts(afterSeq: 0) {{ seq kind alert {{ case {{ {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
        subscription=True,
    ),
    Path(
        "sub.deadlineAlerts.department.case",
        "subscription($d: ID!) { deadlineAlerts(departmentId: $d, afterSeq: 0) { seq kind"
        f" alert {{ case {{ {APPLICANT} }} }} }} }}",
        APPLICANT_FIELDS,
        lambda w: {"d": gid("Department", w["department_id"])},
        lambda w: {"d": gid("Department", BOGUS)},
        subscription=True,
    ),
    Path(
        "mutation.caseUnmask",
        "mutation($i: CaseUnmaskInput!) { caseUnmask(input: $i) { __typename"
        " ... on CaseUnmaskSuccess { details: applicant { ApplicantDetails__name: name"
        " ApplicantDetails__idNumber: idNumber ApplicantDetails__phone: phone"
        " ApplicantDetails__contactName: contactName } } ... on UserError { code message } } }",
        DETAIL_FIELDS,
        lambda w: {"i": {"number": w["case"], "purpose": "核对申请人身份"}},
        lambda w: {"i": {"number": "AZA-20261120-999999", "purpose": "核对申请人身份"}},
    ),
    Path(
        "sub.caseUpdates",
        "subscription($n: String!) { caseUpdates(number: $n, afterSeq: 0) { seq kind remark data } }",
        (),
        lambda w: {"n": w["case"]},
        lambda w: {"n": "AZA-20261120-999999"},
        subscription=True,
    ),
    Path(
        "root.workOrder",
        f"query($n: String!) {{ workOrder(number: $n) {{ number {CALLER} }} }}",
        CALLER_FIELDS,
        lambda w: {"n": w["order"]},
        lambda w: {"n": "GD-AZA-20261120-999999"},
    ),
    Path(
        "root.workOrders", f"{{ workOrders(first: 50) {{ nodes {{ {CALLER} }} }} }}", CALLER_FIELDS
    ),
    Path(
        "root.workOrdersByCallerPhone",
        f"query($p: String!) {{ workOrders(filter: {{callerPhone: $p}}) {{ nodes {{ {CALLER} }} }} }}",
        CALLER_FIELDS,
        lambda w: {"p": CALLER_PHONE},
    ),
    Path(
        "node.workOrder",
        f"query($id: ID!) {{ node(id: $id) {{ ... on WorkOrder {{ {CALLER} }} }} }}",
        CALLER_FIELDS,
        lambda w: {"id": gid("WorkOrder", w["order_id"])},
        lambda w: {"id": gid("WorkOrder", BOGUS)},
    ),
    Path(
        "nested.workOrder.sameCaller",
        f"query($n: String!) {{ workOrder(number: $n) {{ sameCaller {{ {CALLER} }} }} }}",
        CALLER_FIELDS,
        lambda w: {"n": w["order"]},
    ),
    Path(
        "sub.workOrderUpdates",
        "subscription($n: String!) { workOrderUpdates(number: $n, afterSeq: 0) { seq kind note data } }",
        (),
        lambda w: {"n": w["order"]},
        lambda w: {"n": "GD-AZA-20261120-999999"},
        subscription=True,
    ),
    Path(
        "root.queueBoard",
        "query($h: ID!) { queueBoard(hallId: $h) { windows { current { Ticket__holder: holder } }"
        " latestCalls { Ticket__holder: holder } } }",
        ("Ticket.holder",),
        lambda w: {"h": gid("Hall", w["hall_id"])},
        lambda w: {"h": gid("Hall", BOGUS)},
    ),
    Path(
        "node.ticket",
        "query($id: ID!) { node(id: $id) { ... on Ticket { number Ticket__holder: holder } } }",
        ("Ticket.holder",),
        lambda w: {"id": gid("Ticket", w["ticket_id"])},
        lambda w: {"id": gid("Ticket", BOGUS)},
    ),
    Path(
        "sub.hallBoard",
        "subscription($h: ID!) { hallBoard(hallId: $h, afterSeq: 0) { seq kind data } }",
        ("Ticket.holder",),
        lambda w: {"h": gid("Hall", w["hall_id"])},
        lambda w: {"h": gid("Hall", BOGUS)},
        subscription=True,
        keys={"Ticket.holder": "holder"},
    ),
    Path(
        "sub.windowFeed",
        "subscription($w: ID!) { windowFeed(windowId: $w, afterSeq: 0) { seq kind data } }",
        ("Ticket.holder",),
        lambda w: {"w": gid("Window", w["window_id"])},
        lambda w: {"w": gid("Window", BOGUS)},
        subscription=True,
        keys={"Ticket.holder": "holder"},
    ),
    Path(
        "root.users",
        "{ users(first: 100) { nodes { username User__mobile: mobile } } }",
        ("User.mobile",),
    ),
    Path(
        "node.user",
        "query($id: ID!) { node(id: $id) { ... on User { User__mobile: mobile } } }",
        ("User.mobile",),
        lambda w: {"id": gid("User", w["clerk_id"])},
        lambda w: {"id": gid("User", BOGUS)},
    ),
    Path(
        "nested.evaluations.staff",
        "{ evaluations(first: 50) { nodes { staff { User__mobile: mobile } } } }",
        ("User.mobile",),
    ),
    Path(
        "root.notifications",
        "{ notifications(first: 100) { nodes { kind Notification__phone: phone } } }",
        ("Notification.phone",),
    ),
)
PATH_BY_NAME = {p.name: p for p in PATHS}


def expected(role: str, name: str, path: Path) -> Outcome:
    """The table's outcome, narrowed by the path's own rule."""
    outcome = EXPECTED[(role, name)]
    if outcome is not X and (path.name, role) in HIDDEN_ON_PATH:
        return X
    return outcome


# --- the seeded world and the roles ------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    """How a role authenticates: an account's actor, or an API key's grant; None: nobody."""

    bearer: str | None
    actor: Actor | None = None
    user: User | None = None
    api_key: Grant | None = None

    def context(self) -> Context:
        """A fresh request context (fresh loaders) on the seeded clock."""
        return Context(
            actor=self.actor, user=self.user, api_key=self.api_key, tokens=TOKENS, clock=lambda: NOW
        )


@pytest.fixture(scope="module")
async def world(orm: Servers) -> AsyncIterator[dict[str, Any]]:
    """Hall A's case, ticket, work order and staff; hall B's administrator; committed once."""
    await truncate_all_models()
    city = await f.hall("AZ")
    hall_a = await f.hall("AZA", parent=city)
    hall_b = await f.hall("AZB", parent=city)
    dept = await f.department(hall_a, "SC", "市市场监管局")
    await f.department(hall_b, "SC", "县市场监管局")
    await f.item(dept, "AZ-001")
    lane = await f.lane(hall_a, "A")
    window = await f.window(hall_a, "1")
    accounts = {
        "ADMIN": await f.user("az_admin", Role.ADMIN, of=hall_a),
        "SUPERVISOR": await f.user("az_office", Role.SUPERVISOR, of=hall_a),
        "CHIEF_REP": await f.user("az_chief", Role.CHIEF_REP, of=hall_a, department_id=dept.id),
        "CLERK": await f.user("az_clerk", Role.CLERK, of=hall_a, department_id=dept.id),
        "MONITOR": await f.user("az_screen", Role.MONITOR, of=hall_a),
        "HOTLINE": await f.user("az_hotline", Role.HOTLINE, of=hall_a),
        "CITY_SUPERVISOR": await f.user("az_city", Role.SUPERVISOR, of=city),
        "OTHER_HALL": await f.user("azb_admin", Role.ADMIN, of=hall_b),
    }
    app_user, _ = await f.user("az_app", Role.APP, of=hall_a)
    clerk_user, clerk = accounts["CLERK"]
    await User.filter(id=clerk_user.id).update(mobile=STAFF_MOBILE)
    await catalogue.open_window(clerk, window.id, NOW)

    applicant = Applicant(
        ApplicantKind.PERSON, APPLICANT_NAME, APPLICANT_ID, APPLICANT_PHONE, CONTACT_NAME
    )
    case = await intake.accept(
        clerk, intake.Intake("AZ-001", hall_a.id, applicant, window_id=window.id), NOW
    )
    # A bad rating at the window: a rectification, and a call-back task to check it.
    rated = await run(
        "EvaluationSubmit",
        {"input": {"channel": "WINDOW", "grade": 1, "tags": ["SLOW"], "caseNumber": case.number,
                   "windowId": gid("Window", window.id)}},
        actor=clerk,
    )  # fmt: skip
    assert rated["data"]["evaluationSubmit"]["__typename"] == "EvaluationSubmitSuccess", rated
    rectification = await Rectification.get(hall_id=hall_a.id)
    await FollowUp.create(
        dedupe_key=f"authz:{rectification.id}",
        kind=FollowUpKind.RECTIFICATION,
        hall_id=hall_a.id,
        department_id=dept.id,
        case_id=case.id,
        rectification_id=rectification.id,
        due_on=SCAN.date(),
        created_at=NOW,
    )
    # A red card on the case (its due date has passed by SCAN).
    await scan_deadlines(SCAN)
    alert = await CaseAlert.get(case_id=case.id)

    # A phone ticket called to the window, its board events in the hall's Redis log.
    issued = await queue.issue_ticket(
        None,
        queue.TicketRequest(
            hall_a.id, lane.id, TicketChannel.PHONE, holder_phone=HOLDER_PHONE,
            holder_name=HOLDER_NAME,
        ),
        NOW,
    )  # fmt: skip
    called = await queue.call_next(clerk, window.id, NOW)
    client = aioredis.Redis.from_url(orm.redis_url)
    log = RedisEventLog(client)
    await log.append([*issued.events, *called.events])
    await log.close()
    await client.aclose()

    # Two calls from the same caller, dispatched to the department.
    _, hotline = accounts["HOTLINE"]
    orders = []
    for content in ("小区路灯不亮", "路灯仍未修复"):
        call = workorders.Call(
            hall_id=hall_a.id, category=WorkOrderCategory.COMPLAINT, caller_name=CALLER_NAME,
            caller_phone=CALLER_PHONE, content=content,
        )  # fmt: skip
        order = await workorders.create(hotline, call, NOW)
        await workorders.dispatch(hotline, order.number, dept.id, [], "请处理", NOW)
        orders.append(order)

    # API keys of the APP account: every root field, and a screen's two.
    admin_user, admin = accounts["ADMIN"]
    keys = {}
    real_now = datetime.now(UTC)
    for role, scopes in (
        ("APP_BROAD", tuple(sorted(root_field_names(schema._schema)))),
        ("APP_NARROW", ("halls", "queueBoard")),
    ):
        _, text = await create_key(
            admin,
            app_user.id,
            None,
            KeyDraft(role.lower(), scopes, 1000, real_now + timedelta(days=30)),
            known_scopes=root_field_names(schema._schema),
            pepper=TOKENS.api_key_pepper,
            now=real_now,
        )
        keys[role] = text

    who: dict[str, Who] = {}
    for role, (user, actor) in accounts.items():
        who[role] = Who(TOKENS.issue(user, real_now)[0], actor, user)
    for role, text in keys.items():
        session = await TOKENS.session(f"Bearer {text}")
        assert session is not None
        who[role] = Who(text, session.actor, session.user, session.api_key)
    who["ANONYMOUS"] = Who(None)
    assert set(who) == set(ROLES)
    yield {
        "who": who,
        "hall_id": hall_a.id,
        "window_id": window.id,
        "case": case.number,
        "case_id": case.id,
        "department_id": dept.id,
        "alert_id": alert.id,
        "ticket_id": issued.ticket.id,
        "order": orders[0].number,
        "order_id": orders[0].id,
        "clerk_id": clerk_user.id,
        "admin_user": admin_user,
    }
    await truncate_all_models()


async def _execute(world: dict[str, Any], role: str, document: str, variables: Any) -> str:
    """The JSON text of an in-process request as the role (as the HTTP API would send it)."""
    result = await schema.execute(
        document, variable_values=variables, context_value=world["who"][role].context()
    )
    body = {"data": result.data, "errors": [e.formatted for e in result.errors or []]}
    return json.dumps(body, ensure_ascii=False, default=str)


async def _subscribe(base: str, bearer: str | None, path: Path, variables: Any) -> str:
    """Every message of a subscription over a real socket until it ends or goes quiet."""
    messages: list[Any] = []
    payload = {"authorization": f"Bearer {bearer}"} if bearer else {}
    url = base.replace("http", "ws", 1) + "/graphql"
    try:
        async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            messages.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
            subscribe = {"query": path.document, "variables": variables}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
            quiet = 10.0  # the first answer may be slow on a loaded machine; then replays flow
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), quiet))
                quiet = 2.5
                messages.append(message)
                if message.get("type") in ("error", "complete"):
                    break
    except TimeoutError:
        pass  # replayed everything; live events would follow
    except ConnectionClosed as closed:
        messages.append({"closed": closed.rcvd.code if closed.rcvd else None})
    return json.dumps(messages, ensure_ascii=False)


@pytest.fixture(scope="module")
def matrix_server(
    world: dict[str, Any], orm: Servers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One `hall serve` for the subscription paths, signing with the suite's token key."""
    folder: FilePath = tmp_path_factory.mktemp("authz")
    with running_server(orm, folder, {"HALL_SECRET_KEY": TOKENS.key}) as base:
        yield base


@pytest.fixture(scope="module")
async def responses(world: dict[str, Any], matrix_server: str) -> dict[tuple[str, str], str]:
    """Every role's response on every path (subscriptions concurrently over the server)."""
    done: dict[tuple[str, str], str] = {}
    for path in PATHS:
        if not path.subscription:
            for role in ROLES:
                done[(role, path.name)] = await _execute(
                    world, role, path.document, path.variables(world)
                )
    gate = asyncio.Semaphore(64)  # every socket at once: one quiet period in all

    async def one(role: str, path: Path) -> None:
        async with gate:
            bearer = world["who"][role].bearer
            done[(role, path.name)] = await _subscribe(
                matrix_server, bearer, path, path.variables(world)
            )

    async def unknown(path: Path) -> None:
        assert path.unknown is not None
        async with gate:
            bearer = world["who"]["OTHER_HALL"].bearer
            done[("OTHER_HALL", f"{path.name}#unknown")] = await _subscribe(
                matrix_server, bearer, path, path.unknown(world)
            )

    await asyncio.gather(
        *(one(r, p) for p in PATHS if p.subscription for r in ROLES),
        *(unknown(p) for p in PATHS if p.subscription and p.unknown is not None),
    )
    return done


# --- completeness: the matrix covers every personal-data field the schema has ------------------


def test_every_personal_field_of_the_schema_is_in_the_matrix() -> None:
    assert set(FIELDS) == set(EXPECTED_ROWS), "add the field to EXPECTED_ROWS and RAW"
    assert set(FIELDS) == set(RAW)
    for name, (_, exposure) in FIELDS.items():
        raw_roles = {r for r in ROLES if EXPECTED[(r, name)] is R}
        assert not raw_roles or exposure is Exposure.RAW, f"{name} is masked, never raw"


def test_every_personal_field_has_paths() -> None:
    reached = {name for path in PATHS for name in path.fields}
    assert reached == set(FIELDS), set(FIELDS) - reached


def test_text_fields_named_like_personal_data_are_marked_or_explained() -> None:
    """A new `phone`, `holder`, `idNumber`... field must be marked personal (or listed here)."""
    unexplained = []
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for name, definition in graphql_type.fields.items():
            if get_named_type(definition.type).name != "String" or not PERSONAL_NAME.search(name):
                continue
            qualified = f"{graphql_type.name}.{name}"
            if qualified not in FIELDS and qualified not in NOT_PERSONAL:
                unexplained.append(qualified)
    assert unexplained == [], "mark with masking.personal() or explain in NOT_PERSONAL"


# --- role x field x path -----------------------------------------------------------------------


def _values(text: str, key: str) -> list[Any]:
    """Every value stored under `key` anywhere in a JSON text."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == key:
                    found.append(v)
                walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(text))
    return found


def _error_codes(text: str) -> list[str]:
    """The codes of a response's errors (in-process or socket messages)."""
    codes: list[str] = []
    for errors in _values(text, "errors") + [
        m for m in _values(text, "payload") if isinstance(m, list)
    ]:
        for error in errors or []:
            codes.append(str((error.get("extensions") or {}).get("code")))
    return codes


CASES = [
    pytest.param(role, name, path.name, id=f"{role}-{name}-{path.name}")
    for path in PATHS
    for name in path.fields
    for role in ROLES
]


@pytest.mark.parametrize(("role", "name", "path_name"), CASES)
def test_role_field_path(
    responses: dict[tuple[str, str], str], role: str, name: str, path_name: str
) -> None:
    path = PATH_BY_NAME[path_name]
    text = responses[(role, path_name)]
    kind, _ = FIELDS[name]
    raw = RAW[name]
    masked = MASK[kind](raw)
    values = _values(text, path.keys.get(name, name.replace(".", "__")))
    outcome = expected(role, name, path)
    if outcome is R:
        assert raw in values, text
        return
    assert raw not in text, f"raw {name} reached {role} on {path_name}: {text}"
    if outcome is M:
        assert masked in values, f"{role} should see {name} masked on {path_name}: {text}"
        bad = [v for v in values if v and not SHAPE[kind].match(v)]
        assert bad == [], f"not in the masked shape: {bad}"
    else:
        assert masked not in values, f"{role} should not see {name} on {path_name}: {text}"


SWEEP = [pytest.param(role, p.name, id=f"{role}-{p.name}") for p in PATHS for role in ROLES]


@pytest.mark.parametrize(("role", "path_name"), SWEEP)
def test_no_raw_value_anywhere_and_refusals_carry_stable_codes(
    responses: dict[tuple[str, str], str], role: str, path_name: str
) -> None:
    path = PATH_BY_NAME[path_name]
    text = responses[(role, path_name)]
    allowed = {RAW[n] for n in path.fields if expected(role, n, path) is R}
    leaked = [raw for raw in EVERY_RAW if raw in text and raw not in allowed]
    assert leaked == [], f"{role} on {path_name}: {text}"
    unstable = [c for c in _error_codes(text) if c not in STABLE_CODES]
    assert unstable == [], text


# Which stored column each field of the unmasked applicant shows.
COLUMN = {
    "ApplicantDetails.name": "applicant_name",
    "ApplicantDetails.idNumber": "applicant_id_number",
    "ApplicantDetails.phone": "applicant_phone",
    "ApplicantDetails.contactName": "contact_name",
}


@pytest.mark.parametrize("role", ROLES)
async def test_every_unmasking_is_logged_with_the_fields_it_showed(
    world: dict[str, Any], responses: dict[tuple[str, str], str], role: str
) -> None:
    actor = world["who"][role].actor
    entries = (
        await AccessLogEntry.filter(actor_name=actor.username, subject=f"case:{world['case']}")
        if actor is not None
        else []
    )
    shown = sorted(COLUMN[n] for n in DETAIL_FIELDS if EXPECTED[(role, n)] is R)
    if not shown:
        assert entries == [], "a refused unmasking leaves no access record"
        return
    assert [sorted(e.fields_seen) for e in entries] == [shown], responses[
        (role, "mutation.caseUnmask")
    ]


# --- hall scoping: another hall's objects do not even show that they exist ---------------------


def _strings(variables: Any) -> list[str]:
    """The identifiers in a request's variables (strings, longest first)."""
    found = list(_values(json.dumps({"v": variables}), "v"))
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, str):
            texts.append(node)

    walk(found[0])
    return sorted(texts, key=len, reverse=True)


PROBES = [pytest.param(p.name, id=p.name) for p in PATHS if p.unknown is not None]


@pytest.mark.parametrize("path_name", PROBES)
async def test_another_halls_objects_look_like_unknown_ones(
    world: dict[str, Any], responses: dict[tuple[str, str], str], path_name: str
) -> None:
    path = PATH_BY_NAME[path_name]
    assert path.unknown is not None
    if path.subscription:
        real = responses[("OTHER_HALL", path_name)]
        unknown = responses[("OTHER_HALL", f"{path_name}#unknown")]
    else:
        real = await _execute(world, "OTHER_HALL", path.document, path.variables(world))
        unknown = await _execute(world, "OTHER_HALL", path.document, path.unknown(world))
    for value in _strings(path.variables(world)):
        real = real.replace(value, "<id>")
    for value in _strings(path.unknown(world)):
        unknown = unknown.replace(value, "<id>")
    # Not-found messages name the id asked for (未找到大厅：2); only the id may differ.
    real, unknown = (re.sub(r'：[^"]*', "：<id>", t) for t in (real, unknown))
    assert real == unknown


# --- error texts: a failing request never echoes the personal data it carried -----------------

APPLICANT_INPUT = {
    "kind": "PERSON", "name": APPLICANT_NAME, "idNumber": APPLICANT_ID, "phone": APPLICANT_PHONE,
    "contactName": CONTACT_NAME,
}  # fmt: skip
ACCEPT = "mutation($i: CaseAcceptInput!) { caseAccept(input: $i) { __typename } }"
ERRORS: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any] | None]]] = {
    "caseAccept.unknownApplicantField": (
        ACCEPT,
        lambda w: {
            "i": {
                "intake": {
                    "itemCode": "AZ-001",
                    "hallId": gid("Hall", w["hall_id"]),
                    "applicant": {**APPLICANT_INPUT, "age": 40},
                }
            }
        },
    ),
    "caseAccept.idNumberNotAString": (
        ACCEPT,
        lambda w: {
            "i": {
                "intake": {
                    "itemCode": "AZ-001",
                    "hallId": gid("Hall", w["hall_id"]),
                    "applicant": {**APPLICANT_INPUT, "idNumber": int(APPLICANT_ID)},
                }
            }
        },
    ),
    "caseAccept.badKind": (
        ACCEPT,
        lambda w: {
            "i": {
                "intake": {
                    "itemCode": "AZ-001",
                    "hallId": gid("Hall", w["hall_id"]),
                    "applicant": {**APPLICANT_INPUT, "kind": APPLICANT_NAME},
                }
            }
        },
    ),
    "caseAccept.literalPhoneNotAString": (
        'mutation { caseAccept(input: {intake: {itemCode: "AZ-001", hallId: "x", applicant: '
        f'{{kind: PERSON, name: "{APPLICANT_NAME}", idNumber: "{APPLICANT_ID}", '
        f"phone: {APPLICANT_PHONE}}}}}}}) {{ __typename }} }}",
        lambda w: None,
    ),
    "caseAccept.invalidApplicant": (
        ACCEPT,
        lambda w: {
            "i": {
                "intake": {
                    "itemCode": "AZ-001",
                    "hallId": gid("Hall", w["hall_id"]),
                    "applicant": {**APPLICANT_INPUT, "idNumber": APPLICANT_ID[:-1] + "0"},
                }
            }
        },
    ),
    "cases.applicantPhoneNotAString": (
        f"{{ cases(filter: {{applicantPhone: {APPLICANT_PHONE}}}) {{ totalCount }} }}",
        lambda w: None,
    ),
    "ticketIssue.unknownField": (
        "mutation($i: TicketIssueInput!) { ticketIssue(input: $i) { __typename } }",
        lambda w: {
            "i": {
                "hallId": gid("Hall", w["hall_id"]),
                "laneId": "x",
                "channel": "PHONE",
                "holderPhone": HOLDER_PHONE,
                "holderName": HOLDER_NAME,
                "x": 1,
            }
        },
    ),
    "workOrderCreate.phoneNotAString": (
        "mutation($i: WorkOrderCreateInput!) { workOrderCreate(input: $i) { __typename } }",
        lambda w: {
            "i": {
                "hallId": gid("Hall", w["hall_id"]),
                "category": "COMPLAINT",
                "callerName": CALLER_NAME,
                "callerPhone": int(CALLER_PHONE),
                "content": "路灯",
            }
        },
    ),
    "userCreate.unknownField": (
        "mutation($i: UserCreateInput!) { userCreate(input: $i) { __typename } }",
        lambda w: {
            "i": {
                "username": "x1",
                "displayName": HOLDER_NAME,
                "password": "p" * 12,
                "role": "CLERK",
                "mobile": STAFF_MOBILE,
                "idNumber": APPLICANT_ID,
            }
        },
    ),
}
ERROR_CASES = [pytest.param(role, name, id=f"{role}-{name}") for name in ERRORS for role in ROLES]


@pytest.mark.parametrize(("role", "name"), ERROR_CASES)
async def test_error_texts_never_echo_personal_data(
    world: dict[str, Any], role: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    document, variables = ERRORS[name]
    with caplog.at_level(logging.INFO):
        text = await _execute(world, role, document, variables(world))
    logged = [r.getMessage() + str(r.exc_info) for r in caplog.records]
    assert [raw for raw in EVERY_RAW if any(raw in line for line in logged)] == [], logged
    body = json.loads(text)
    succeeded = [t for t in _values(text, "__typename") if t.endswith(("Payload", "Success"))]
    assert body["errors"] or not succeeded, text
    leaked = [raw for raw in EVERY_RAW if raw in text]
    assert leaked == [], text
    unstable = [c for c in _error_codes(text) if c not in STABLE_CODES]
    assert unstable == [], text
