"""Rating types: ratings, rectifications and their history, appeals, call-back tasks and policy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from models.evaluations import queries, tables
from models.evaluations.rules import GRADE_LABELS, Policy
from schema.context import Info
from schema.permissions import require_actor
from schema.relay import nodes_from
from schema.types.accounts import User
from schema.types.cases import AlertLevel, Case
from schema.types.catalogue import Department, Hall, ServiceItem, Window
from schema.types.masking import mask_free_text


@strawberry.enum(description="Where a rating came from; one rating per case per channel.")
class EvaluationChannel(Enum):
    """Rating channels."""

    WINDOW = strawberry.enum_value(
        "WINDOW", description="The evaluator pad at the window (窗口评价器), right after service."
    )
    SMS_LINK = strawberry.enum_value(
        "SMS_LINK", description="The link in the invitation text sent when the case completes."
    )
    ONLINE = strawberry.enum_value(
        "ONLINE", description="The hall's website or app (number plus the phone's last 4 digits)."
    )
    FOLLOW_UP_CALL = strawberry.enum_value(
        "FOLLOW_UP_CALL", description="A follow-up call (回访) by the efficiency office."
    )
    DEFAULT = strawberry.enum_value(
        "DEFAULT", description="The hall's default grade, given by the system after N days unrated."
    )


@strawberry.enum(description="A reason for a rating (the national 好差评 vocabulary).")
class ReasonTag(Enum):
    """Reason tags; bad ratings must name at least one bad reason."""

    FRIENDLY = strawberry.enum_value("FRIENDLY", description="Good: friendly staff (态度热情).")
    EFFICIENT = strawberry.enum_value("EFFICIENT", description="Good: quick (办事高效).")
    ONE_VISIT = strawberry.enum_value(
        "ONE_VISIT", description="Good: done in one visit (一次办好)."
    )
    CLEAR_GUIDANCE = strawberry.enum_value(
        "CLEAR_GUIDANCE", description="Good: clear guidance (指引清楚)."
    )
    COMFORTABLE = strawberry.enum_value(
        "COMFORTABLE", description="Good: comfortable surroundings (环境舒适)."
    )
    POOR_ATTITUDE = strawberry.enum_value(
        "POOR_ATTITUDE", description="Bad: poor attitude (态度不好)."
    )
    SLOW = strawberry.enum_value("SLOW", description="Bad: slow handling (办事效率低).")
    MULTIPLE_TRIPS = strawberry.enum_value(
        "MULTIPLE_TRIPS", description="Bad: had to come several times (多次跑动)."
    )
    UNCLEAR_REQUIREMENTS = strawberry.enum_value(
        "UNCLEAR_REQUIREMENTS", description="Bad: unclear requirements (材料要求不清)."
    )
    LONG_WAIT = strawberry.enum_value("LONG_WAIT", description="Bad: long wait (等候时间长).")
    POOR_FACILITIES = strawberry.enum_value(
        "POOR_FACILITIES", description="Bad: poor facilities (环境设施差)."
    )
    OTHER = strawberry.enum_value("OTHER", description="Good or bad: other (see the comment).")


@strawberry.enum(description="Where a rectification (差评整改) stands.")
class RectificationStatus(Enum):
    """Rectification states."""

    PENDING = strawberry.enum_value("PENDING", description="Opened by a bad rating; not started.")
    IN_PROGRESS = strawberry.enum_value(
        "IN_PROGRESS", description="The department is working on it (or the rater refused the fix)."
    )
    RECTIFIED = strawberry.enum_value(
        "RECTIFIED", description="The department reports it fixed; a follow-up call checks."
    )
    VERIFIED = strawberry.enum_value(
        "VERIFIED", description="The rater accepted the fix on the follow-up call."
    )
    VOIDED = strawberry.enum_value("VOIDED", description="Voided: the rating's appeal was upheld.")


@strawberry.enum(description="Where an appeal against a rating stands.")
class AppealStatus(Enum):
    """Appeal states."""

    PENDING = strawberry.enum_value("PENDING", description="Filed, waiting for an administrator.")
    UPHELD = strawberry.enum_value(
        "UPHELD", description="Upheld: the rating leaves the figures (it stays on record)."
    )
    REJECTED = strawberry.enum_value("REJECTED", description="Rejected: the rating stands.")


@strawberry.enum(description="Why an applicant is called back.")
class FollowUpKind(Enum):
    """Call-back reasons."""

    UNRATED = strawberry.enum_value(
        "UNRATED", description="A completed case left unrated (within 60 days of completion)."
    )
    RECTIFICATION = strawberry.enum_value(
        "RECTIFICATION", description="Ask the bad rating's rater whether the fix is accepted."
    )


@strawberry.enum(description="Where a call-back task stands.")
class FollowUpStatus(Enum):
    """Call-back states."""

    OPEN = strawberry.enum_value("OPEN", description="To be called.")
    DONE = strawberry.enum_value("DONE", description="Reached (or rated meanwhile).")
    UNREACHABLE = strawberry.enum_value(
        "UNREACHABLE", description="Not reached yet; may be called again."
    )


@strawberry.enum(description="What a hall does with completed cases left unrated.")
class UnratedAction(Enum):
    """Unrated-case handling."""

    FOLLOW_UP = strawberry.enum_value(
        "FOLLOW_UP", description="Create call-back tasks (the national rule)."
    )
    DEFAULT_GRADE = strawberry.enum_value(
        "DEFAULT_GRADE", description="Give the default grade after N days (some provinces)."
    )


@strawberry.type(description="A rating (好差评) of a case or of a window's service.")
class Evaluation(relay.Node):
    """One rating; the rater is never named."""

    id: relay.NodeID[int]
    channel: EvaluationChannel = strawberry.field(description="Where it came from.")
    grade: int = strawberry.field(description="5 非常满意 ... 1 非常不满意.")
    grade_label: str = strawberry.field(description="The grade's Chinese label.")
    bad: bool = strawberry.field(description="A bad rating (差评) under the hall's policy then.")
    tags: list[ReasonTag] = strawberry.field(description="The reasons chosen.")
    comment: str = strawberry.field(
        description="The rater's words (may be empty). ID and phone numbers written in it are masked."
    )
    submitted_at: datetime = strawberry.field(description="When it was given.")
    rated_on: date = strawberry.field(description="The hall's date it was given on.")
    counted: bool = strawberry.field(
        description="Whether it counts in the figures (false once an appeal is upheld)."
    )
    policy_version: int = strawberry.field(
        description="The version of the hall's evaluation policy it met (0: the defaults)."
    )
    row: strawberry.Private[tables.Evaluation]

    @classmethod
    def from_row(cls, row: tables.Evaluation) -> Self:
        """From a stored rating."""
        return cls(
            id=row.id,
            channel=EvaluationChannel(row.channel.value),
            grade=row.grade,
            grade_label=GRADE_LABELS[row.grade],
            bad=row.bad,
            tags=[ReasonTag(t) for t in row.tags],
            comment=mask_free_text(row.comment),
            submitted_at=row.submitted_at,
            rated_on=row.rated_on,
            counted=row.counted,
            policy_version=row.policy_version,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Ratings by id within the caller's scope."""
        visible = await queries.evaluations_visible(require_actor(info), queries.EvaluationFilter())
        return await nodes_from(visible, node_ids, cls.from_row)

    @strawberry.field(description="The hall it was given at.")
    async def hall(self, info: Info) -> Hall:
        """The hall."""
        row = await info.context.loaders.hall.load(self.row.hall_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Hall.from_row(row)

    @strawberry.field(description="The rated department; null for a window service with no item.")
    async def department(self, info: Info) -> Department | None:
        """The department."""
        if self.row.department_id is None:
            return None
        row = await info.context.loaders.department.load(self.row.department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="The window that served, when known.")
    async def window(self, info: Info) -> Window | None:
        """The window."""
        if self.row.window_id is None:
            return None
        row = await info.context.loaders.window.load(self.row.window_id)
        return Window.from_row(row) if row else None

    @strawberry.field(description="The staff member who served, when known.")
    async def staff(self, info: Info) -> User | None:
        """The clerk."""
        if self.row.staff_id is None:
            return None
        row = await info.context.loaders.user.load(self.row.staff_id)
        return User.from_row(row) if row else None

    @strawberry.field(description="The service item, when known.")
    async def item(self, info: Info) -> ServiceItem | None:
        """The item."""
        if self.row.item_id is None:
            return None
        row = await info.context.loaders.item.load(self.row.item_id)
        return ServiceItem.from_row(row) if row else None

    @strawberry.field(
        description=(
            "The rated case (applicant data masked). Only administrators, supervisors and the "
            "department's chief representative see which case it was; null for others."
        )
    )
    async def case(self, info: Info) -> Case | None:
        """The case, for those who answer the rating."""
        actor = require_actor(info)
        if self.row.case_id is None or actor.role not in queries.CASE_LINK_ROLES:
            return None
        row = await info.context.loaders.case.load(self.row.case_id)
        return Case.from_row(row) if row else None

    @strawberry.field(description="The rectification a bad rating opened; null for good ones.")
    async def rectification(self, info: Info) -> Rectification | None:
        """The rectification."""
        row = await info.context.loaders.evaluation_rectification.load(self.row.id)
        return Rectification.from_row(row) if row else None

    @strawberry.field(description="The department's appeal against this rating, if any.")
    async def appeal(self, info: Info) -> EvaluationAppeal | None:
        """The appeal."""
        row = await info.context.loaders.evaluation_appeal.load(self.row.id)
        return EvaluationAppeal.from_row(row) if row else None


@strawberry.type(description="One step of a rectification's history.")
class RectificationStep:
    """A history entry (append-only)."""

    kind: str = strawberry.field(
        description=(
            "OPENED, IN_PROGRESS, RECTIFIED, ACCEPTED, NOT_ACCEPTED, VOIDED, YELLOW or RED."
        )
    )
    status: RectificationStatus = strawberry.field(description="The status after the step.")
    actor_name: str = strawberry.field(description="Who did it ('system' for the scan).")
    at: datetime = strawberry.field(description="When.")
    note: str = strawberry.field(
        description="Measures, the call's note or the warning. ID and phone numbers written in it are masked."
    )


@strawberry.type(description="A department's rectification (差评整改) of a bad rating.")
class Rectification(relay.Node):
    """A rectification with its deadline and warning card."""

    id: relay.NodeID[int]
    status: RectificationStatus = strawberry.field(description="Where it stands.")
    opened_at: datetime = strawberry.field(description="When the bad rating opened it.")
    due_on: date = strawberry.field(
        description="Deadline: the policy's working days after the rating (default 15)."
    )
    yellow_on: date = strawberry.field(description="The day its yellow card is due.")
    alert_level: AlertLevel = strawberry.field(
        description="The highest card raised on it (YELLOW near the deadline, RED past it)."
    )
    measures: str = strawberry.field(description="What the department did (its latest report).")
    rectified_at: datetime | None = strawberry.field(description="When it was reported fixed.")
    verified_at: datetime | None = strawberry.field(description="When the rater accepted it.")
    applicant_accepts: bool | None = strawberry.field(
        description="The rater's answer on the latest follow-up call (null: not asked yet)."
    )
    rounds: int = strawberry.field(description="1, plus one for each refused fix (rework).")
    row: strawberry.Private[tables.Rectification]

    @classmethod
    def from_row(cls, row: tables.Rectification) -> Self:
        """From a stored rectification."""
        return cls(
            id=row.id,
            status=RectificationStatus(row.status.value),
            opened_at=row.opened_at,
            due_on=row.due_on,
            yellow_on=row.yellow_on,
            alert_level=AlertLevel(row.alert_level.value),
            measures=row.measures,
            rectified_at=row.rectified_at,
            verified_at=row.verified_at,
            applicant_accepts=row.applicant_accepts,
            rounds=row.rounds,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Rectifications by id within the caller's scope."""
        visible = await queries.rectifications_visible(
            require_actor(info), queries.RectificationFilter()
        )
        return await nodes_from(visible, node_ids, cls.from_row)

    @strawberry.field(description="The bad rating it answers.")
    async def evaluation(self, info: Info) -> Evaluation:
        """The rating."""
        row = await info.context.loaders.evaluation.load(self.row.evaluation_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Evaluation.from_row(row)

    @strawberry.field(description="The department that must rectify; null for hall-level service.")
    async def department(self, info: Info) -> Department | None:
        """The department."""
        if self.row.department_id is None:
            return None
        row = await info.context.loaders.department.load(self.row.department_id)
        return Department.from_row(row) if row else None

    @strawberry.field(description="Every step so far, oldest first.")
    async def history(self, info: Info) -> list[RectificationStep]:
        """The history."""
        steps = await info.context.loaders.rectification_history.load(self.row.id)
        return [
            RectificationStep(
                kind=s.kind,
                status=RectificationStatus(s.status.value),
                actor_name=s.actor_name,
                at=s.at,
                note=mask_free_text(s.note),
            )
            for s in steps
        ]


@strawberry.type(description="A department's appeal (申诉) against a rating.")
class EvaluationAppeal(relay.Node):
    """An appeal and its decision."""

    id: relay.NodeID[int]
    status: AppealStatus = strawberry.field(description="Where it stands.")
    reason: str = strawberry.field(
        description="Why the rating is malicious or mistaken. ID and phone numbers written in it are masked."
    )
    filed_at: datetime = strawberry.field(description="When it was filed.")
    decided_at: datetime | None = strawberry.field(description="When an administrator decided.")
    decision_note: str = strawberry.field(
        description="The administrator's reasons. ID and phone numbers written in it are masked."
    )
    row: strawberry.Private[tables.EvaluationAppeal]

    @classmethod
    def from_row(cls, row: tables.EvaluationAppeal) -> Self:
        """From a stored appeal."""
        return cls(
            id=row.id,
            status=AppealStatus(row.status.value),
            reason=mask_free_text(row.reason),
            filed_at=row.filed_at,
            decided_at=row.decided_at,
            decision_note=mask_free_text(row.decision_note),
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Appeals by id within the caller's scope."""
        visible = await queries.appeals_visible(require_actor(info), queries.AppealFilter())
        return await nodes_from(visible, node_ids, cls.from_row)

    @strawberry.field(description="The rating appealed against.")
    async def evaluation(self, info: Info) -> Evaluation:
        """The rating."""
        row = await info.context.loaders.evaluation.load(self.row.evaluation_id)
        assert row is not None  # noqa: S101  (foreign key)
        return Evaluation.from_row(row)

    @strawberry.field(description="Who filed it.")
    async def filed_by(self, info: Info) -> User | None:
        """The filer."""
        row = await info.context.loaders.user.load(self.row.filed_by_id)
        return User.from_row(row) if row else None


@strawberry.type(description="A call-back task (回访) for the efficiency office.")
class FollowUp(relay.Node):
    """A call to make."""

    id: relay.NodeID[int]
    kind: FollowUpKind = strawberry.field(description="Why the applicant is called.")
    status: FollowUpStatus = strawberry.field(description="Where the task stands.")
    due_on: date = strawberry.field(description="Call by this date.")
    created_at: datetime = strawberry.field(description="When the task was made.")
    done_at: datetime | None = strawberry.field(description="When the last call was recorded.")
    note: str = strawberry.field(
        description="The caller's note on the last call. ID and phone numbers written in it are masked."
    )
    row: strawberry.Private[tables.FollowUp]

    @classmethod
    def from_row(cls, row: tables.FollowUp) -> Self:
        """From a stored task."""
        return cls(
            id=row.id,
            kind=FollowUpKind(row.kind.value),
            status=FollowUpStatus(row.status.value),
            due_on=row.due_on,
            created_at=row.created_at,
            done_at=row.done_at,
            note=mask_free_text(row.note),
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Tasks by id within the caller's scope."""
        visible = await queries.follow_ups_visible(require_actor(info), queries.FollowUpFilter())
        return await nodes_from(visible, node_ids, cls.from_row)

    @strawberry.field(
        description="The case to call about (applicant masked; unmask it with caseUnmask to dial)."
    )
    async def case(self, info: Info) -> Case | None:
        """The case."""
        if self.row.case_id is None:
            return None
        row = await info.context.loaders.case.load(self.row.case_id)
        return Case.from_row(row) if row else None

    @strawberry.field(description="The rectification to check (RECTIFICATION tasks).")
    async def rectification(self, info: Info) -> Rectification | None:
        """The rectification."""
        if self.row.rectification_id is None:
            return None
        row = await info.context.loaders.rectification.load(self.row.rectification_id)
        return Rectification.from_row(row) if row else None


@strawberry.type(description="A hall's evaluation rules, one version of them.")
class EvaluationPolicy:
    """The policy in force (or an earlier version)."""

    version: int = strawberry.field(description="0: the built-in defaults; then 1, 2, ...")
    bad_max_grade: int = strawberry.field(description="Grades up to this are bad ratings (2).")
    rectification_days: int = strawberry.field(
        description="Working days to rectify a bad rating (15; some provinces 5)."
    )
    rectification_yellow_days: int = strawberry.field(
        description="Working days left that turn a rectification yellow."
    )
    unrated_action: UnratedAction = strawberry.field(
        description="Call back unrated cases, or give them the default grade."
    )
    follow_up_after_days: int = strawberry.field(
        description="Days after completion before an unrated case gets a call-back task."
    )
    follow_up_within_days: int = strawberry.field(
        description="Call unrated cases within this many days of completion (at most 60)."
    )
    default_grade: int = strawberry.field(description="The default grade (3 基本满意, or 4-5).")
    default_after_days: int = strawberry.field(
        description="Days unrated after completion before the default grade is given."
    )

    @classmethod
    def of(cls, policy: Policy) -> Self:
        """From the model's policy."""
        return cls(
            version=policy.version,
            bad_max_grade=policy.bad_max_grade,
            rectification_days=policy.rectification_days,
            rectification_yellow_days=policy.rectification_yellow_days,
            unrated_action=UnratedAction(policy.unrated_action.value),
            follow_up_after_days=policy.follow_up_after_days,
            follow_up_within_days=policy.follow_up_within_days,
            default_grade=policy.default_grade,
            default_after_days=policy.default_after_days,
        )
