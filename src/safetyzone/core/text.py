"""Inbound text every backend can store, and PATCH bodies that cannot null a required field.

Why one place: PostgreSQL refuses NUL in text (SQLite stores it), no driver can encode a lone
surrogate as UTF-8, and the other C0 control characters (ESC, BEL, backspace...) are never
part of a name, a note or a device id but do turn into terminal escapes in logs. A value
that reaches a transaction on PostgreSQL fails it, and with the intake's group commit also
every other request in the group. So such text is refused at the edge, with 422, before
any service sees it. Tab, newline and carriage return stay allowed (notes have lines).

Every schema that reads a request inherits :class:`Inbound`; its validator walks each
field, nested dicts and lists included (``attributes``, ``boundary``...), so a new field
is covered without anyone remembering. :data:`SafeText` is the same rule as a type, for
values that are not part of a model. Python's JSON parser also reads ``NaN`` and
``Infinity``, which no JSON column stores and no response can carry: refused the same way.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    GetJsonSchemaHandler,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

# C0 controls except tab (09), newline (0a) and carriage return (0d); DEL; UTF-16 surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_DEPTH = 32  # deeper JSON than this is refused as well (it is never a real registry value)


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    char = found.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return f"text contains {kind} (U+{ord(char):04X}) at position {found.start()}"


def find_unstorable(value: object, depth: int = 0) -> str | None:
    """The first reason any text inside ``value`` cannot be stored (keys included)."""
    if isinstance(value, str):
        return text_problem(value)
    if depth > _DEPTH:
        return "nested too deep"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number (JSON has no NaN or Infinity)"
    if isinstance(value, SecretStr):
        return text_problem(value.get_secret_value())
    if isinstance(value, dict):
        for key, item in value.items():
            reason = find_unstorable(key, depth + 1) or find_unstorable(item, depth + 1)
            if reason:
                return reason
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            reason = find_unstorable(item, depth + 1)
            if reason:
                return reason
        return None
    if isinstance(value, BaseModel) and not isinstance(value, Inbound):
        return find_unstorable(dict(value), depth + 1)
    return None  # numbers, enums, dates, UUIDs; Inbound models checked themselves


def check_text(value: str) -> str:
    reason = text_problem(value)
    if reason:
        raise ValueError(reason)
    return value


SafeText = Annotated[str, AfterValidator(check_text)]


class Inbound(BaseModel):
    """Base of every model read from a request or a device: only storable text inside."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        reason = find_unstorable(value)
        if reason:
            raise ValueError(reason)
        return value


class Patch(Inbound):
    """A partial update: an omitted field stays as it is; ``null`` clears only ``nullable``.

    Every field is optional to send, but a field outside ``nullable`` may not be sent as
    null: the column behind it is required, and storing null failed the transaction (a 500)
    or was silently ignored. The OpenAPI schema says the same: only ``nullable`` fields
    list ``null`` as a type.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_null(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulled = sorted(name for name in cls.model_fields
                            if name not in cls.nullable and name in data and data[name] is None)
            if nulled:
                raise ValueError(f"{', '.join(nulled)} may not be null: leave the field out "
                                 "to keep its value")
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            if name in cls.nullable:
                continue
            prop.pop("default", None)
            options = prop.get("anyOf")
            if options and {"type": "null"} in options:
                rest = [o for o in options if o != {"type": "null"}]
                del prop["anyOf"]
                if len(rest) == 1:
                    prop.update(rest[0])
                else:
                    prop["anyOf"] = rest
            elif not options and "type" not in prop and "$ref" not in prop:
                prop["not"] = {"type": "null"}  # Any, but not null (a zone's boundary)
        return schema
