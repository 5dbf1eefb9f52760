"""The one rule for inbound text, and PATCH bodies that cannot null a required field."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import Field, ValidationError

from safetyzone.core.text import Inbound, Patch, find_unstorable, text_problem


@pytest.mark.parametrize("text", ["\x00", "a\x1bb", "\x7f", "\x08", "\x0b", chr(0xD800),
                                  chr(0xDFFF)])
def test_unstorable_text_is_named(text: str) -> None:
    reason = text_problem(text)
    assert reason is not None
    assert f"U+{ord(text.strip('ab')):04X}" in reason


@pytest.mark.parametrize("text", ["", "ตู้แดง ซอย 1", "line one\nline two\r\n\tindented",
                                  "emoji \U0001f6a8", "\u00a0non-breaking", "quote \" ' <b>"])
def test_ordinary_text_passes(text: str) -> None:
    assert text_problem(text) is None


def test_nested_values_are_walked_keys_included() -> None:
    assert find_unstorable({"a": [{"b": ("ok", "x\x00")}]})
    assert find_unstorable({"k\x1b": 1})
    assert find_unstorable([float("nan")])
    assert find_unstorable({"a": [1, 2.5, True, None, "fine"]}) is None
    deep: Any = "x"
    for _ in range(100):
        deep = [deep]
    assert find_unstorable(deep) == "nested too deep"


class Thing(Inbound):
    name: str
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)


def test_inbound_models_refuse_at_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Thing(name="ok", extra={"x": ["\x00"]})
    assert caught.value.errors()[0]["loc"] == ("extra",)
    assert Thing(name="ok\n").name == "ok\n"


class ThingPatch(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"note"})
    name: str | None = None
    note: str | None = None


def test_patch_refuses_null_only_for_required_fields() -> None:
    with pytest.raises(ValidationError, match="name may not be null"):
        ThingPatch.model_validate({"name": None})
    assert ThingPatch.model_validate({"note": None}).model_dump(exclude_unset=True) == {
        "note": None}
    assert ThingPatch.model_validate({}).model_dump(exclude_unset=True) == {}
    properties = ThingPatch.model_json_schema()["properties"]
    assert properties["name"]["type"] == "string" and "anyOf" not in properties["name"]
    assert {"type": "null"} in properties["note"]["anyOf"]
