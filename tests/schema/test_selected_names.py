"""The names selected below a field, found once per field nodes and fragments."""

from __future__ import annotations

from types import SimpleNamespace

from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from schema.relay import selected_names_of

TEXT = """query Q { case(number: "A") { id ...Bits events { seq } ... on Case { status } } }
fragment Bits on Case { number window { name } }"""


def _raw(text: str) -> SimpleNamespace:
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return SimpleNamespace(field_nodes=[field], fragments=fragments)


def test_names_at_any_depth_and_in_fragments_found_once() -> None:
    raw = _raw(TEXT)
    names = selected_names_of(raw)
    assert names == {"id", "number", "window", "name", "events", "seq", "status"}
    assert selected_names_of(raw) is names  # the same nodes: found before
    again = _raw(TEXT)  # an equal document parsed again: its own nodes, found anew
    assert selected_names_of(again) == names
    assert selected_names_of(again) is not names
    other = SimpleNamespace(field_nodes=raw.field_nodes, fragments={})  # no fragments now
    assert selected_names_of(other) == {"id", "events", "seq", "status"}
