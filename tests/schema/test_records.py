"""Record views: each field converted from the record on first read, then kept."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from schema.types.records import Read, RecordView, column


class Reads:
    """Counts the record reads of a column."""

    def __init__(self, name: str) -> None:
        self.count = 0
        self.read = column(name)

    def __call__(self, row: Any) -> Any:
        self.count += 1
        return self.read(row)


class Base:
    """A type with a default value for one of the view's fields."""

    kept = "the type's default"


NUMBER = Reads("number")


class View(RecordView, Base):
    """A view over a record with two columns."""

    FIELDS: ClassVar[dict[str, Read]] = {"number": NUMBER, "kept": column("kept")}


def test_a_field_is_read_from_the_record_once() -> None:
    view: Any = View({"number": 7, "kept": "from the record"})  # fields made at class creation
    before = NUMBER.count
    assert view.number == 7
    assert view.number == 7
    assert NUMBER.count == before + 1
    assert view.__dict__["number"] == 7


def test_a_name_the_type_answers_stays_the_types() -> None:
    assert View({"number": 1, "kept": "from the record"}).kept == "the type's default"


def test_an_unknown_name_is_an_attribute_error() -> None:
    view: Any = View({"number": 1})
    with pytest.raises(AttributeError, match="missing"):
        view.missing  # noqa: B018  (the read is the test)
