"""What each source row contributes to the figures, as SQL: one definition for triggers, raw reads and rebuilds.

A part is one way a table's row counts: a case counts once on the day it was accepted and
once on the day it was decided; a card on the day it was raised; a counted rating on its
day; a ticket on its business day. Keys: hall, department, window, staff (the clerk who
received the case, rated or called the ticket), item; 0 stands for none.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.cases.tables import Timeliness
from models.catalogue.tables import ItemKind

COUNTERS = (
    "accepted",
    "accepted_immediate",
    "accepted_promised",
    "accepted_joint",
    "accepted_reported",
    "completed",
    "completed_on_time",
    "completed_early",
    "completed_overdue",
    "completed_promised",
    "completed_promised_early",
    "yellow_cards",
    "red_cards",
    "ratings",
    "ratings_good",
    "ratings_bad",
    "grade_sum",
    "tickets_called",
    "wait_seconds",
    "tickets_finished",
    "service_seconds",
)
KEYS = ("hall_id", "department_id", "window_id", "staff_id", "item_id")

# Each rollup table and the keys it is grouped by (besides the day), in the order triggers
# lock them.
GRAINS: dict[str, tuple[str, ...]] = {
    "stat_department_day": ("hall_id", "department_id"),
    "stat_department_month": ("hall_id", "department_id"),
    "stat_window_day": ("hall_id", "department_id", "window_id"),
    "stat_staff_day": ("hall_id", "department_id", "staff_id"),
    "stat_item_day": ("hall_id", "department_id", "item_id"),
}
# Grains whose `day` is the first day of a month.
MONTHLY = frozenset({"stat_department_month"})
# Changes not yet added to the rollups (models.statistics.tables.PendingFigures): the source
# tables' triggers append one row per key and day a statement changes, which never waits for
# another writer; the fold job moves them into the rollups, and reads add those still here.
# Adding to the rollups from the triggers made every call, finish and rating run one upsert per
# grain, on the same few hot rows of the hall (40 windows over 20,000 tickets: 1,030 calls/s;
# one append instead: 1,200).
PENDING = "stat_pending"
# The row of a key a folder adds to: one of SHARDS per key, by the server process of its
# connection, so that folders never wait for each other either. Reads sum a key's rows.
SHARDS = 8
SHARD = f"(pg_backend_pid() % {SHARDS})::smallint"


def day_of(grain: str) -> str:
    """How a grain's `day` is made from a contribution's day."""
    return "date_trunc('month', day)::date" if grain in MONTHLY else "day"


@dataclass(frozen=True)
class Part:
    """One way rows of `table` (alias r) count: keys, day and counters as SQL expressions."""

    table: str
    day: str
    where: str
    keys: dict[str, str]
    counters: dict[str, str]
    joins: str = ""
    # The alias the join brings in: reads leave the join out when no key they use needs it.
    join_alias: str = ""
    # The few columns of r every counter reads: raw reads count rows per their values first
    # (cheaper than filtering each row once per counter). Empty: aggregate rows directly.
    columns: tuple[str, ...] = ()


def _case_keys() -> dict[str, str]:
    return {
        "hall_id": "r.hall_id",
        "department_id": "r.department_id",
        "window_id": "coalesce(r.window_id, 0)",
        "staff_id": "coalesce(r.received_by_id, 0)",
        "item_id": "r.item_id",
    }


def _is(condition: str) -> str:
    return f"({condition})::int"


# A case's kind and timeliness as small integers, stored with the row by PostgreSQL (generated
# columns of 0014, see CASE_CODES): the raw path compares two-byte integers from a narrower
# index instead of text, about a fifth less work per case row. Codes are fixed once given.
KIND_CODES = {
    ItemKind.IMMEDIATE: 1,
    ItemKind.PROMISED: 2,
    ItemKind.JOINT: 3,
    ItemKind.REPORTED: 4,
}
TIMELINESS_CODES = {Timeliness.EARLY: 1, Timeliness.ON_TIME: 2, Timeliness.OVERDUE: 3}


def _code_of(column: str, codes: dict[ItemKind, int] | dict[Timeliness, int]) -> str:
    """The generated column's expression: the code of the text value (NULL for none)."""
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"(CASE {column} {whens} END)::smallint"


CASE_CODES = {
    "kind_code": _code_of("kind", KIND_CODES),
    "timeliness_code": _code_of("timeliness", TIMELINESS_CODES),
}


def _kind(kind: ItemKind) -> str:
    return f"r.kind_code = {KIND_CODES[kind]}"


def _timeliness(timeliness: Timeliness) -> str:
    return f"r.timeliness_code = {TIMELINESS_CODES[timeliness]}"


PARTS = (
    Part(
        table="case",
        day="r.accepted_on",
        where="r.accepted_on IS NOT NULL",
        keys=_case_keys(),
        counters={
            "accepted": "1",
            "accepted_immediate": _is(_kind(ItemKind.IMMEDIATE)),
            "accepted_promised": _is(_kind(ItemKind.PROMISED)),
            "accepted_joint": _is(_kind(ItemKind.JOINT)),
            "accepted_reported": _is(_kind(ItemKind.REPORTED)),
        },
        columns=("kind_code",),
    ),
    Part(
        table="case",
        day="r.decided_on",
        where="r.decided_on IS NOT NULL AND r.timeliness_code IS NOT NULL",
        keys=_case_keys(),
        counters={
            "completed": "1",
            "completed_on_time": _is(f"NOT {_timeliness(Timeliness.OVERDUE)}"),
            "completed_early": _is(_timeliness(Timeliness.EARLY)),
            "completed_overdue": _is(_timeliness(Timeliness.OVERDUE)),
            "completed_promised": _is(_kind(ItemKind.PROMISED)),
            "completed_promised_early": _is(
                f"{_kind(ItemKind.PROMISED)} AND {_timeliness(Timeliness.EARLY)}"
            ),
        },
        columns=("kind_code", "timeliness_code"),
    ),
    Part(
        table="case_alert",
        day="r.raised_on",
        where="TRUE",
        joins='JOIN "case" c ON c.id = r.case_id',
        join_alias="c.",
        keys={
            "hall_id": "r.hall_id",
            "department_id": "r.department_id",
            "window_id": "coalesce(c.window_id, 0)",
            "staff_id": "coalesce(c.received_by_id, 0)",
            "item_id": "c.item_id",
        },
        counters={
            "yellow_cards": _is("r.level = 'YELLOW'"),
            "red_cards": _is("r.level = 'RED'"),
        },
        columns=("level",),
    ),
    Part(
        table="evaluation",
        day="r.rated_on",
        where="r.counted",
        keys={
            "hall_id": "r.hall_id",
            "department_id": "coalesce(r.department_id, 0)",
            "window_id": "coalesce(r.window_id, 0)",
            "staff_id": "coalesce(r.staff_id, 0)",
            "item_id": "coalesce(r.item_id, 0)",
        },
        counters={
            "ratings": "1",
            "ratings_good": _is("NOT r.bad"),
            "ratings_bad": _is("r.bad"),
            "grade_sum": "r.grade",
        },
        columns=("bad", "grade"),
    ),
    Part(
        table="ticket",
        day="r.business_day",
        where="r.called_at IS NOT NULL",
        joins='LEFT JOIN "window" w ON w.id = r.window_id',
        join_alias="w.",
        keys={
            "hall_id": "r.hall_id",
            "department_id": "coalesce(w.department_id, 0)",
            "window_id": "coalesce(r.window_id, 0)",
            "staff_id": "coalesce(r.called_by_id, 0)",
            "item_id": "coalesce(r.item_id, 0)",
        },
        counters={
            "tickets_called": "1",
            # Whole seconds stored with the row (generated columns of 0012, see TICKET_SECONDS):
            # no arithmetic on three timestamps per row, and a narrower covering index.
            "wait_seconds": "r.wait_seconds",
            "tickets_finished": _is("r.service_seconds IS NOT NULL"),
            "service_seconds": "coalesce(r.service_seconds, 0)",
        },
    ),
)
SOURCES = ("case", "case_alert", "evaluation", "ticket")

# The ticket's durations in whole seconds, computed by PostgreSQL whenever the row is written
# (stored generated columns: never stale, whichever code path calls or finishes a ticket).
# date_part gives a float (extract a numeric, several times slower); ::int rounds it.
TICKET_SECONDS = {
    "wait_seconds": "date_part('epoch', called_at - issued_at)::int",
    "service_seconds": "date_part('epoch', finished_at - called_at)::int",
}


def parts_of(table: str) -> tuple[Part, ...]:
    """The parts reading one source table."""
    return tuple(p for p in PARTS if p.table == table)


def counters_of(table: str) -> tuple[str, ...]:
    """The counters a source table moves, in COUNTERS order."""
    used = {c for p in parts_of(table) for c in p.counters}
    return tuple(c for c in COUNTERS if c in used)


def contributions(part: Part, source: str, counters: tuple[str, ...], sign: str = "1") -> str:
    """SELECT of keys, day and the given counters (0 where the part has none) from `source` r."""
    keys = ", ".join(f"{expr} AS {name}" for name, expr in part.keys.items())
    values = ", ".join(
        f"{sign} * ({part.counters[c]})::bigint AS {c}" if c in part.counters else f"0 AS {c}"
        for c in counters
    )
    return (
        f"SELECT {keys}, {part.day} AS day, {values} FROM {source} r {part.joins} "  # noqa: S608  (SQL from constants)
        f"WHERE {part.where}"
    )


def _sums(counters: tuple[str, ...]) -> tuple[str, str]:
    """The counters' sums per group, and the HAVING condition that skips all-zero groups."""
    sums = ", ".join(f"sum({c})" for c in counters)
    return sums, " OR ".join(f"sum({c}) <> 0" for c in counters)


def pending_insert(counters: tuple[str, ...], contrib: str) -> str:
    """Append summed contributions to the pending changes, one row per key and day; all-zero
    ones are skipped."""
    key_list = ", ".join((*KEYS, "day"))
    sums, nonzero = _sums(counters)
    return (
        f"INSERT INTO {PENDING} ({key_list}, {', '.join(counters)}) "  # noqa: S608  (SQL from constants)
        f"SELECT {key_list}, {sums} FROM ({contrib}) d GROUP BY {key_list} HAVING {nonzero}"
    )


def live(grain: str) -> str:
    """A grain's rows and the pending changes in its shape: what its figures are right now."""
    keys = ", ".join(GRAINS[grain])
    return (
        f"(SELECT {keys}, day, {', '.join(COUNTERS)} FROM {grain} UNION ALL "  # noqa: S608  (SQL from constants)
        f"SELECT {keys}, {day_of(grain)} AS day, {', '.join(COUNTERS)} FROM {PENDING})"
    )


def fold_statement() -> str:
    """Move up to $1 pending changes, oldest first, into every rollup table: one statement, so
    all of it or nothing. Rows another folder has taken are skipped; returns the rows moved."""
    moved = (
        f"DELETE FROM {PENDING} WHERE id IN (SELECT id FROM {PENDING} ORDER BY id LIMIT $1"  # noqa: S608  (SQL from constants)
        " FOR UPDATE SKIP LOCKED) RETURNING *"
    )
    source = "SELECT * FROM moved"
    added = ", ".join(f"add_{grain} AS ({upsert(grain, COUNTERS, source)})" for grain in GRAINS)
    return f"WITH moved AS ({moved}), {added} SELECT count(*) AS moved FROM moved"  # noqa: S608  (SQL from constants)


def upsert(grain: str, counters: tuple[str, ...], contrib: str) -> str:
    """Add summed contributions to the connection's shard of a rollup table's keys, in key
    order; all-zero deltas are skipped."""
    keys = (*GRAINS[grain], "day")
    key_list = ", ".join(keys)
    sums, nonzero = _sums(counters)
    sets = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in counters)
    if grain in MONTHLY:
        contrib = f"SELECT {', '.join(GRAINS[grain])}, {day_of(grain)} AS day, {', '.join(counters)} FROM ({contrib}) m"  # noqa: S608  (SQL from constants)
    return (
        f"INSERT INTO {grain} AS t ({key_list}, shard, {', '.join(counters)}) "  # noqa: S608  (SQL from constants)
        f"SELECT {key_list}, {SHARD}, {sums} FROM ({contrib}) d GROUP BY {key_list} "
        f"HAVING {nonzero} ORDER BY {key_list} "
        f"ON CONFLICT ({key_list}, shard) DO UPDATE SET {sets}"
    )


def trigger_function(table: str, *, replace: bool = False) -> str:
    """The statement-level trigger function of a source table (`replace`: a later migration's).

    Transition tables `new_rows` and `old_rows` (whichever the firing event has): the change is
    what the new rows contribute minus what the old rows did, appended to the pending changes.
    """
    counters = counters_of(table)
    branches = {
        "INSERT": "SELECT 1 AS s, r.* FROM new_rows r",
        "UPDATE": "SELECT 1 AS s, r.* FROM new_rows r UNION ALL SELECT -1, r.* FROM old_rows r",
        "DELETE": "SELECT -1 AS s, r.* FROM old_rows r",
    }
    body = []
    for op, src in branches.items():
        contrib = " UNION ALL ".join(
            contributions(p, f"({src})", counters, sign="r.s") for p in parts_of(table)
        )
        body.append(
            f"    {'IF' if op == 'INSERT' else 'ELSIF'} TG_OP = '{op}' THEN\n"
            f"        {pending_insert(counters, contrib)};"
        )
    name = f"stat_{table}_changed"
    return (
        f"CREATE {'OR REPLACE ' if replace else ''}FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        + "\n".join(body)
        + "\n    END IF;\n    RETURN NULL;\nEND $$"
    )


def trigger_statements(table: str) -> list[str]:
    """CREATE FUNCTION and its three statement-level triggers (one per event)."""
    name = f"stat_{table}_changed"
    quoted = f'"{table}"'
    return [
        trigger_function(table),
        f"CREATE TRIGGER {name}_ins AFTER INSERT ON {quoted} REFERENCING NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_upd AFTER UPDATE ON {quoted}"
        f" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        f"CREATE TRIGGER {name}_del AFTER DELETE ON {quoted} REFERENCING OLD TABLE AS old_rows"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    ]
