"""Masking of personal data for display, and the mark that registers a personal-data field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from graphql import GraphQLObjectType

# The key of a field's strawberry metadata that marks it as personal data.
PERSONAL_DATA = "personal_data"


class PersonalData(StrEnum):
    """What kind of personal information a field carries (DOMAIN.md Privacy)."""

    NAME = "NAME"
    ID_NUMBER = "ID_NUMBER"
    PHONE = "PHONE"


class Exposure(StrEnum):
    """How a personal-data field shows its value."""

    MASKED = "MASKED"
    RAW = "RAW"  # only on the logged unmasking's result type


def personal(kind: PersonalData, exposure: Exposure = Exposure.MASKED) -> dict[str, Any]:
    """The metadata marking a field as personal data (`strawberry.field(metadata=...)`)."""
    return {PERSONAL_DATA: (kind, exposure)}


def personal_fields(schema: Any) -> dict[str, tuple[PersonalData, Exposure]]:
    """Every field of a strawberry schema marked personal, as `Type.fieldName`."""
    found: dict[str, tuple[PersonalData, Exposure]] = {}
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            mark = getattr(definition, "metadata", None) or {}
            if PERSONAL_DATA in mark:
                found[f"{graphql_type.name}.{name}"] = mark[PERSONAL_DATA]
    return found


def mask_mobile(mobile: str) -> str:
    """138****1234."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "*" * len(mobile)


def mask_id_number(number: str) -> str:
    """110101********1234 (resident ID) or 9111********123X (credit code): head and tail kept."""
    if len(number) < 10:
        return "*" * len(number)
    head = 6
    return f"{number[:head]}{'*' * (len(number) - head - 4)}{number[-4:]}"


def mask_name(name: str, *, person: bool = True) -> str:
    """张** for a person; an organisation keeps its first and last two characters."""
    if person or len(name) <= 4:
        return name[:1] + "*" * max(len(name) - 1, 1)
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


# Numbers a person may write into free text (a remark, a comment, a caller's words): resident ID
# numbers (18 characters, or the old 15 digits), mobiles (with +86, spaces or hyphens) and
# landlines with an area code. Not inside a longer run of digits or letters (case numbers,
# tracking numbers and codes keep their digits).
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z+])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?!\d)")


def _masked_phone(found: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", found[0])[-11:]
    return mask_mobile(digits)


def _masked_landline(found: re.Match[str]) -> str:
    area, number = found[0].split("-")
    return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"


# A known name shorter than this is left in free text: one character is a word too often.
MIN_NAME_IN_TEXT = 2


def known_names(*names: tuple[str, bool]) -> dict[str, str]:
    """The masked form of each (name, is a person) worth looking for in free text."""
    return {
        name: mask_name(name, person=person)
        for name, person in names
        if len(name) >= MIN_NAME_IN_TEXT
    }


def mask_free_text(text: str, names: Mapping[str, str] | None = None) -> str:
    """Free text with the ID numbers and phone numbers in it masked, and the known `names` of
    the people it is about (name -> masked form, `known_names`); the rest as written."""
    if names:
        for name in sorted(names, key=len, reverse=True):  # 张三丰 before 张三
            if name in text:
                text = text.replace(name, names[name])
    if not any(ch.isdigit() for ch in text):
        return text
    text = _ID_IN_TEXT.sub(lambda found: mask_id_number(found[0].upper()), text)
    text = _MOBILE_IN_TEXT.sub(_masked_phone, text)
    return _LANDLINE_IN_TEXT.sub(_masked_landline, text)
