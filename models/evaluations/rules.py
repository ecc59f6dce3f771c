"""The rules of rating: grades, reason tags, the policy's bounds and the rectification steps."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from models.common.checks import Checks
from models.common.errors import IllegalState
from models.evaluations.tables import RectificationStatus, UnratedAction

GRADE_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
COMMENT_MAX = 500
MAX_TAGS = 8


class ReasonTag(StrEnum):
    """Why a rating was given: the national 好差评 vocabulary, good and bad reasons."""

    FRIENDLY = "FRIENDLY"
    EFFICIENT = "EFFICIENT"
    ONE_VISIT = "ONE_VISIT"
    CLEAR_GUIDANCE = "CLEAR_GUIDANCE"
    COMFORTABLE = "COMFORTABLE"
    POOR_ATTITUDE = "POOR_ATTITUDE"
    SLOW = "SLOW"
    MULTIPLE_TRIPS = "MULTIPLE_TRIPS"
    UNCLEAR_REQUIREMENTS = "UNCLEAR_REQUIREMENTS"
    LONG_WAIT = "LONG_WAIT"
    POOR_FACILITIES = "POOR_FACILITIES"
    OTHER = "OTHER"


GOOD_TAGS = frozenset(
    {
        ReasonTag.FRIENDLY,
        ReasonTag.EFFICIENT,
        ReasonTag.ONE_VISIT,
        ReasonTag.CLEAR_GUIDANCE,
        ReasonTag.COMFORTABLE,
        ReasonTag.OTHER,
    }
)
BAD_TAGS = frozenset(ReasonTag) - GOOD_TAGS | {ReasonTag.OTHER}


@dataclass(frozen=True)
class Policy:
    """A hall's evaluation rules; version 0 is the built-in default (DOMAIN.md "Evaluations")."""

    bad_max_grade: int = 2
    rectification_days: int = 15
    rectification_yellow_days: int = 3
    unrated_action: UnratedAction = UnratedAction.FOLLOW_UP
    follow_up_after_days: int = 3
    follow_up_within_days: int = 60
    default_grade: int = 3
    default_after_days: int = 7
    version: int = 0

    def is_bad(self, grade: int) -> bool:
        """Whether a grade is a bad rating (差评) under this policy."""
        return grade <= self.bad_max_grade

    def next_version(self, version: int) -> Policy:
        """The same rules under another version number."""
        return replace(self, version=version)


def check_policy(checks: Checks, policy: Policy) -> None:
    """The bounds a hall's policy must respect."""
    checks.int_range("bad_max_grade", policy.bad_max_grade, "差评等级上限", 1, 2)
    if checks.int_range("rectification_days", policy.rectification_days, "整改期限", 1, 60):
        checks.int_range(
            "rectification_yellow_days",
            policy.rectification_yellow_days,
            "整改预警天数",
            0,
            policy.rectification_days - 1,
        )
    # The 60-day window for calling back unrated cases is the rule; a hall may only shorten it.
    if checks.int_range("follow_up_within_days", policy.follow_up_within_days, "回访期限", 1, 60):
        checks.int_range(
            "follow_up_after_days",
            policy.follow_up_after_days,
            "回访等待天数",
            0,
            policy.follow_up_within_days - 1,
        )
    checks.int_range("default_grade", policy.default_grade, "默认评价等级", 3, 5)
    checks.int_range("default_after_days", policy.default_after_days, "默认评价天数", 1, 60)


def check_rating(checks: Checks, grade: int, tags: list[str], comment: str, bad: bool) -> None:
    """A grade from 1 to 5, known tags fitting the grade (a bad rating names one), a short comment."""
    checks.int_range("grade", grade, "评价等级", 1, 5)
    known = {t.value for t in ReasonTag}
    allowed = {t.value for t in (BAD_TAGS if bad else GOOD_TAGS)}
    if len(tags) > MAX_TAGS:
        checks.fail("tags", "TOO_MANY", f"评价标签最多{MAX_TAGS}个")
    for index, tag in enumerate(tags):
        if tag not in known:
            checks.fail(("tags", index), "UNKNOWN_TAG", f"未知的评价标签：{tag[:32]}")
        elif tag not in allowed:
            checks.fail(("tags", index), "TAG_MISMATCH", "评价标签与评价等级不符")
    if len(set(tags)) != len(tags):
        checks.fail("tags", "DUPLICATE", "评价标签不能重复")
    if bad and not tags:
        checks.fail("tags", "REQUIRED", "差评须选择至少一个原因")
    checks.text("comment", comment, "评价内容", min_len=0, max_len=COMMENT_MAX)


# Who moves a rectification where: the department reports progress and the fix; the follow-up
# call verifies it or sends it back; an upheld appeal voids it.
STEPS: dict[RectificationStatus, frozenset[RectificationStatus]] = {
    RectificationStatus.PENDING: frozenset(
        {RectificationStatus.IN_PROGRESS, RectificationStatus.RECTIFIED}
    ),
    RectificationStatus.IN_PROGRESS: frozenset({RectificationStatus.RECTIFIED}),
    RectificationStatus.RECTIFIED: frozenset(
        {RectificationStatus.VERIFIED, RectificationStatus.IN_PROGRESS}
    ),
    RectificationStatus.VERIFIED: frozenset(),
    RectificationStatus.VOIDED: frozenset(),
}
OPEN_RECTIFICATION = frozenset(
    {RectificationStatus.PENDING, RectificationStatus.IN_PROGRESS, RectificationStatus.RECTIFIED}
)
RUNNING_RECTIFICATION = frozenset({RectificationStatus.PENDING, RectificationStatus.IN_PROGRESS})


def check_step(current: RectificationStatus, target: RectificationStatus) -> None:
    """Refuse a move the rectification's state does not allow."""
    if target not in STEPS[current]:
        raise IllegalState(
            f"整改状态{current.value}不能变为{target.value}",
            code="RECTIFICATION_STATE",
            current_state=current.value,
        )
