"""Appeals (申诉) against a malicious or mistaken rating: the department files, an admin decides."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.tables import Role
from models.catalogue.tables import Hall
from models.common.actor import Actor
from models.common.checks import Checks
from models.common.errors import Conflict, Forbidden, IllegalState, NotFound
from models.evaluations.rectify import void
from models.evaluations.tables import AppealStatus, Evaluation, EvaluationAppeal


async def _evaluation(actor: Actor, evaluation_id: int, *, lock: bool = False) -> Evaluation:
    query = Evaluation.select_for_update() if lock else Evaluation.all()
    evaluation = await query.get_or_none(id=evaluation_id)
    hall = await Hall.get_or_none(id=evaluation.hall_id) if evaluation else None
    if evaluation is None or hall is None or not actor.sees(hall.path):
        raise NotFound("评价", str(evaluation_id))
    return evaluation


async def file_appeal(
    actor: Actor, evaluation_id: int, reason: str, now: datetime
) -> EvaluationAppeal:
    """The rated department's chief representative appeals once per rating, with reasons."""
    checks = Checks()
    checks.text("reason", reason, "申诉理由", min_len=10, max_len=1000)
    checks.raise_if_any()
    evaluation = await _evaluation(actor, evaluation_id)
    if actor.role is not Role.ADMIN and (
        actor.role is not Role.CHIEF_REP or actor.department_id != evaluation.department_id
    ):
        raise Forbidden("只有被评价部门的首席代表可以申诉")
    try:
        async with in_transaction():
            appeal = await EvaluationAppeal.create(
                evaluation_id=evaluation.id,
                hall_id=evaluation.hall_id,
                department_id=evaluation.department_id,
                reason=reason.strip(),
                filed_by_id=actor.user_id,
                filed_at=now,
            )
    except IntegrityError as exc:
        raise Conflict("该评价已申诉过", code="ALREADY_APPEALED", field="evaluation_id") from exc
    return appeal


async def decide_appeal(
    actor: Actor, appeal_id: int, uphold: bool, note: str, now: datetime
) -> tuple[EvaluationAppeal, Evaluation]:
    """An administrator upholds (the rating leaves the figures, kept in the record) or rejects."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("申诉由管理员审核")
    checks = Checks()
    checks.text("note", note, "审核意见", min_len=1, max_len=1000)
    checks.raise_if_any()
    async with in_transaction():
        appeal = await EvaluationAppeal.select_for_update().get_or_none(id=appeal_id)
        if appeal is None:
            raise NotFound("申诉", str(appeal_id))
        evaluation = await _evaluation(actor, appeal.evaluation_id, lock=True)
        if appeal.status is not AppealStatus.PENDING:
            raise IllegalState(
                "申诉已审核", code="APPEAL_DECIDED", current_state=appeal.status.value
            )
        if appeal.filed_by_id == actor.user_id:
            raise Forbidden("不能审核自己提出的申诉")
        appeal.status = AppealStatus.UPHELD if uphold else AppealStatus.REJECTED
        appeal.decided_by_id = actor.user_id
        appeal.decided_at = now
        appeal.decision_note = note.strip()
        await appeal.save()
        if uphold:
            evaluation.counted = False
            await evaluation.save(update_fields=["counted"])
            await void(evaluation, actor, now, f"申诉成立：{note.strip()}")
    return appeal, evaluation
