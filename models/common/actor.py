"""Who does an action: the user, their role and the part of the hall tree they may see."""

from __future__ import annotations

from dataclasses import dataclass

from models.accounts.tables import Role

STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHIEF_REP, Role.CLERK})
WINDOW_ROLES = frozenset({Role.ADMIN, Role.CHIEF_REP, Role.CLERK})


@dataclass(frozen=True)
class Actor:
    """The authenticated principal; `hall_path` None means the whole city."""

    user_id: int
    username: str
    role: Role
    hall_id: int | None
    hall_path: str | None
    department_id: int | None = None

    def sees(self, hall_path: str) -> bool:
        """Whether a hall (given by its path) lies inside this actor's scope."""
        return self.hall_path is None or hall_path.startswith(self.hall_path)

    @property
    def is_admin(self) -> bool:
        """Hall administrators manage the catalogue and accounts of their scope."""
        return self.role is Role.ADMIN

    @property
    def city_wide(self) -> bool:
        """Whether the actor sees every hall."""
        return self.hall_path is None


# The actor of command-line operations (demo loading, maintenance); never logs in.
SYSTEM_ACTOR = Actor(user_id=0, username="system", role=Role.ADMIN, hall_id=None, hall_path=None)
