"""notificationTemplateSet."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models.notifications import admin
from schema.context import Info
from schema.errors import InputError, returns_errors
from schema.permissions import require_actor
from schema.types.notifications import NotificationKind, NotificationTemplate


@strawberry.input(description="A kind's new text.")
class NotificationTemplateSetInput:
    """notificationTemplateSet input."""

    kind: NotificationKind = strawberry.field(description="The kind.")
    text: str = strawberry.field(
        description="Chinese text, at most 300 characters, using only the kind's {parameters}; empty: back to the built-in text."
    )
    provider_template: str = strawberry.field(
        default="", description="The provider's approved template id for this kind."
    )


@strawberry.type(description="The template was stored; texts sent from now on use it.")
class NotificationTemplateSetSuccess:
    """notificationTemplateSet success."""

    template: NotificationTemplate = strawberry.field(description="The template in force.")


NotificationTemplateSetResult = Annotated[
    NotificationTemplateSetSuccess | InputError,
    strawberry.union(
        "NotificationTemplateSetResult", description="Result of notificationTemplateSet."
    ),
]


@strawberry.type
class NotificationMutation:
    """Notification mutations."""

    @strawberry.mutation(description="Change the text of a kind of notification (city ADMIN).")
    @returns_errors
    async def notification_template_set(
        self,
        info: Info,
        input: NotificationTemplateSetInput,  # noqa: A002
    ) -> NotificationTemplateSetResult:
        """Store a template."""
        template = await admin.set_template(
            require_actor(info), input.kind, input.text, input.provider_template, info.context.now
        )
        return NotificationTemplateSetSuccess(template=NotificationTemplate.of(template))
