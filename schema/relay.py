"""Relay connections with opaque keyset cursors, and global ID helpers."""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry import relay
from tortoise.queryset import QuerySet

from models.common.errors import InvalidInput
from models.common.pages import Page

NodeT = TypeVar("NodeT")
DEFAULT_PAGE = 20


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    """Relay page information."""

    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass as `after`."
    )


@strawberry.type(description="An item of a page with its cursor.")
class Edge(Generic[NodeT]):
    """One edge of a connection."""

    cursor: str = strawberry.field(description="Opaque cursor of this item.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection); at most 100 items a page.")
class Connection(Generic[NodeT]):
    """A Relay connection."""

    edges: list[Edge[NodeT]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description="How many items match, over all pages.")

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        """Shortcut to the edges' nodes."""
        return [edge.node for edge in self.edges]


def selected_names(info: Any) -> frozenset[str]:
    """Every field name selected below the field being resolved, at any depth and in fragments.

    Read from graphql-core's syntax tree of the field (`info._raw_info`): strawberry's
    `info.selected_fields` converts the whole subtree into its own objects first, which cost
    about a tenth of a one-case request.
    """
    return selected_names_of(info._raw_info)


# Selected names per field nodes and fragments (the nodes kept with them: their ids stay taken).
_SELECTED: OrderedDict[tuple[int, ...], tuple[Any, frozenset[str]]] = OrderedDict()
MAX_SELECTED = 512


def selected_names_of(raw: Any) -> frozenset[str]:
    """`selected_names` from graphql-core's own resolve info (found once per field nodes)."""
    nodes = tuple(raw.field_nodes)
    key = (id(raw.fragments), *map(id, nodes))
    found = _SELECTED.get(key)
    if found is not None and _same(found[0], raw.fragments, nodes):
        return found[1]
    names = _selected_names(raw)
    _SELECTED[key] = ((raw.fragments, nodes), names)
    if len(_SELECTED) > MAX_SELECTED:
        _SELECTED.popitem(last=False)
    return names


def _same(kept: Any, fragments: Any, nodes: tuple[Any, ...]) -> bool:
    """Whether a kept entry is for these very fragments and nodes (not only equal ids)."""
    kept_fragments, kept_nodes = kept
    return kept_fragments is fragments and all(
        a is b for a, b in zip(kept_nodes, nodes, strict=True)
    )


def _selected_names(raw: Any) -> frozenset[str]:
    names: set[str] = set()
    expanded: set[str] = set()
    stack = [node.selection_set for node in raw.field_nodes if node.selection_set is not None]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = raw.fragments.get(name)
                if fragment is not None and name not in expanded:
                    expanded.add(name)
                    stack.append(fragment.selection_set)
    return frozenset(names)


def names_at(info: Any, path: Sequence[str]) -> set[str]:
    """The field names selected at `path` (field names, in fragments too) below the field being
    resolved: `("edges", "node")` for the nodes of a connection. Directives are not evaluated: a
    field under @skip or @include counts as selected."""
    raw = info._raw_info
    level = [node.selection_set for node in raw.field_nodes if node.selection_set is not None]
    for name in path:
        level = [
            field.selection_set
            for field in _fields_of(level, raw.fragments)
            if field.name.value == name and field.selection_set is not None
        ]
    return {field.name.value for field in _fields_of(level, raw.fragments)}


def _fields_of(
    selection_sets: Iterable[SelectionSetNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    """The fields of selection sets, with their inline and named fragments' fields."""
    found: list[FieldNode] = []
    expanded: set[str] = set()
    stack = list(selection_sets)
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in expanded:
                    expanded.add(name)
                    stack.append(fragment.selection_set)
    return found


def encode_cursor(key: tuple[Any, ...]) -> str:
    """An opaque cursor for a keyset key."""
    return base64.urlsafe_b64encode(orjson.dumps(list(key))).decode()


def decode_cursor(cursor: str | None) -> tuple[Any, ...] | None:
    """The keyset key of a cursor; InputError on garbage."""
    if cursor is None:
        return None
    try:
        value = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, orjson.JSONDecodeError, ValueError) as exc:
        raise InvalidInput.single("after", "INVALID_CURSOR", "分页游标无效") from exc
    if not isinstance(value, list):
        raise InvalidInput.single("after", "INVALID_CURSOR", "分页游标无效")
    return tuple(value)


# The fields that show cursors; a query selecting none of them needs none encoded.
CURSOR_FIELDS = frozenset({"cursor", "startCursor", "endCursor"})


def to_connection(
    page: Page[Any], convert: Callable[[Any], NodeT], *, cursors_shown: bool = True
) -> Connection[NodeT]:
    """A Connection of converted rows; without `cursors_shown`, the cursors stay empty text."""
    cursors = [encode_cursor(key) for key in page.keys] if cursors_shown else [""] * len(page.keys)
    edges = [Edge(cursor=c, node=convert(row)) for c, row in zip(cursors, page.rows, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        ),
        total_count=page.total,
    )


FieldRef = str | tuple[str | int, ...]


def decode_id(value: relay.GlobalID | None, type_name: str, field: FieldRef) -> int:
    """The database id inside a global ID of the expected type; InputError otherwise."""
    if value is None:
        raise InvalidInput.single(field, "REQUIRED", "缺少对象ID")
    if value.type_name != type_name or not value.node_id.isdigit():
        raise InvalidInput.single(field, "INVALID_ID", f"ID不是有效的{type_name} ID")
    return int(value.node_id)


def decode_optional_id(value: relay.GlobalID | None, type_name: str, field: FieldRef) -> int | None:
    """Like decode_id, but None stays None."""
    return None if value is None else decode_id(value, type_name, field)


def decode_ids(values: list[relay.GlobalID], type_name: str, field: str) -> tuple[int, ...]:
    """Decode a list of global IDs of one type."""
    return tuple(decode_id(v, type_name, (field, i)) for i, v in enumerate(values))


async def nodes_from(
    query: QuerySet[Any], node_ids: Iterable[str], convert: Callable[[Any], NodeT]
) -> list[NodeT | None]:
    """`node(id)` for one type: the rows of `query` (the caller's scope) in the ids' order."""
    wanted = list(node_ids)
    keys = [int(i) for i in wanted if i.isdigit()]
    rows = {row.pk: row for row in await query.filter(id__in=keys)}
    return [convert(rows[int(i)]) if i.isdigit() and int(i) in rows else None for i in wanted]
