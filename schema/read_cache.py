"""Repeated reads: a caller's same query answered again until a table it reads has changed.

Open-case lists, a case's page and a department's figures are polled all day by the same clerks
and screens, and change only when a case, its events, the catalogue or the figures change. A
query is cached when every field it selects is listed below with the tables it reads (the
types reached from `cases`, `case` and `statistics`; anything else is executed every time).

An answer is reused when

- the same document, operation, variables and caller (user, role, scope) asked before, and the
  query policy is the same (masking and limits are the role's; callers never share entries);
- no table it reads has changed since just before that execution: every write to such a table
  commits a `read_change` notification (a statement trigger, migration 0018) that each process
  counts per table (api/read_changes); while a process is not listening, nothing is reused;
- no mutation has completed in this process since (`changed_here`), so a client sees its own
  write at once; a write through another process is seen once its notification has arrived;
- it is younger than MAX_AGE (bounds what no table records, such as the day moving on).

Everything else a request does still happens: the session check, the cost check and the budget
spend (THROTTLED as usual), `extensions.cost`. The answer's data is kept encoded (orjson
Fragment), so a hit neither executes nor encodes it again.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)

MAX_AGE = 10.0  # seconds
MAX_ENTRIES = 512
MAX_DOCUMENTS = 512

_CASE = ("case", "hall", "department")  # a case's own columns and the halls its scope reads
_CATALOGUE_HALL = ("hall", "hall_hours", "hall_closure")
_ITEM = ("service_item", "service_item_version")
# What the statistics read: rollups, their pending rows, the raw tables of the RAW source, and
# the names and calendars they report with.
_STATISTICS = (
    "stat_department_day", "stat_department_month", "stat_item_day", "stat_pending",
    "stat_staff_day", "stat_window_day", "case", "ticket", "evaluation", "case_alert",
    "calendar_year", "hall", "hall_hours", "hall_closure", "department", "service_item",
    "window", "lane", "app_user",
)  # fmt: skip

# Root fields that may be cached, with the tables their resolvers read.
ROOT_TABLES: dict[str, tuple[str, ...]] = {
    "cases": _CASE,
    "case": (*_CASE, "case_event"),
    "statistics": _STATISTICS,
}
# Every field of these types may be selected; a field returning one reads that type's tables,
# and the fields in FIELD_TABLES read more than their type's tables tell.
TYPE_TABLES: dict[str, tuple[str, ...]] = {
    "CaseConnection": _CASE, "CaseEdge": (), "PageInfo": (),
    "Case": _CASE, "Applicant": (), "CaseDelivery": (), "MissingMaterial": (),
    "CaseEvent": ("case_event",), "CaseSubtask": ("case_subtask",),
    "CaseSuspension": ("case_pause",),
    "ServiceItem": _ITEM, "ServiceItemVersion": _ITEM, "ServiceItemElements": _ITEM, "Fee": _ITEM,
    "Material": _ITEM, "JointDepartment": _ITEM,
    "Window": ("window",), "Lane": ("lane",), "Department": ("department",), "Hall": _CATALOGUE_HALL,
    "HallClosure": _CATALOGUE_HALL, "OpeningHours": _CATALOGUE_HALL,
    "OpeningSession": _CATALOGUE_HALL, "User": ("app_user",),
    "StatisticsTable": _STATISTICS, "StatisticsRow": (), "StatisticsKey": (),
    "StatisticsFigures": (), "Rate": (), "TimeAverage": (),
}  # fmt: skip
FIELD_TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Case", "ticketNumber"): ("ticket",),
    ("Case", "itemVersion"): ("service_item_version",),
    ("Window", "lanes"): ("window_lane",),
    ("Lane", "items"): ("lane_item",),
}
# The tables whose writes must announce themselves (migration 0018 adds their triggers).
WATCHED = frozenset(
    t
    for tables in (*ROOT_TABLES.values(), *TYPE_TABLES.values(), *FIELD_TABLES.values())
    for t in tables
)


class TableChanges(Protocol):
    """How often each table has changed, as far as this process has heard."""

    def generations(self, tables: tuple[str, ...]) -> tuple[int, ...] | None:
        """The tables' change counts (None while changes cannot be heard)."""
        ...

    def changed_here(self) -> None:
        """A write completed in this process: forget what was read before it."""
        ...


def document_tables(schema: GraphQLSchema, document: DocumentNode) -> tuple[str, ...] | None:
    """The tables a one-query document reads, sorted; None when it selects anything unlisted."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "query":
        return None
    query_type = schema.query_type
    if query_type is None:
        return None
    type_info = TypeInfo(schema)
    collector = _Collector(type_info, query_type.name)
    visit(document, TypeInfoVisitor(type_info, collector))
    return None if collector.refused else tuple(sorted(collector.tables))


class _Collector(Visitor):
    """Adds each selected field's tables; refuses a field no table list names."""

    def __init__(self, type_info: TypeInfo, query_type: str) -> None:
        super().__init__()
        self.type_info = type_info
        self.query_type = query_type
        self.tables: set[str] = set()
        self.refused = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        """One selected field."""
        name = node.name.value
        parent = self.type_info.get_parent_type()
        if name == "__typename":
            return
        if parent is None or name.startswith("__"):
            self.refused = True
            return
        parent_name = get_named_type(parent).name
        if parent_name == self.query_type:
            tables = ROOT_TABLES.get(name)
        elif parent_name in TYPE_TABLES:
            tables = FIELD_TABLES.get((parent_name, name), ())
        else:
            tables = None  # a field of a type nobody listed (an interface's, say)
        field_type = self.type_info.get_type()
        named = None if field_type is None else get_named_type(field_type)
        if named is not None and hasattr(named, "fields"):  # returns an object
            returned = TYPE_TABLES.get(named.name)
            tables = None if tables is None or returned is None else (*tables, *returned)
        if tables is None:
            self.refused = True
            return
        self.tables.update(tables)


@dataclass(frozen=True)
class _Entry:
    """One kept answer and what it was valid for."""

    generations: tuple[int, ...]
    data: orjson.Fragment
    built: float


class ReadCache:
    """The per-process store of repeated reads (LRU, bounded)."""

    def __init__(self, *, max_age: float = MAX_AGE, max_entries: int = MAX_ENTRIES) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self.entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.documents: dict[tuple[str, str | None], tuple[str, ...] | None] = {}

    def tables(
        self, schema: GraphQLSchema, query: str, name: str | None, document: DocumentNode
    ) -> tuple[str, ...] | None:
        """The tables the document's operation reads (worked out once per document)."""
        key = (query, name)
        if key not in self.documents:
            if len(self.documents) >= MAX_DOCUMENTS:
                self.documents.clear()
            self.documents[key] = document_tables(schema, document)
        return self.documents[key]

    def get(self, key: Hashable, generations: tuple[int, ...]) -> orjson.Fragment | None:
        """The kept data when nothing it read has changed since and it is young enough."""
        entry = self.entries.get(key)
        if (
            entry is None
            or entry.generations != generations
            or time.monotonic() - entry.built > self.max_age
        ):
            return None
        self.entries.move_to_end(key)
        return entry.data

    def put(
        self, key: Hashable, generations: tuple[int, ...], data: Any, built: float
    ) -> orjson.Fragment:
        """Keep an execution's data (read at `generations`, started at `built`); its fragment."""
        fragment = orjson.Fragment(orjson.dumps(data))
        self.entries[key] = _Entry(generations, fragment, built)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)
        return fragment


def variables_key(variables: dict[str, Any] | None) -> bytes:
    """The variables as a key: the same values give the same bytes whatever their order."""
    return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
