"""``envaudit.jsontext``: every piece is byte for byte what ``json.dumps(..., ensure_ascii=False)``
writes for the same value (the JSON and SARIF reports are built from them)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envaudit import jsontext
from envaudit.model import Location, Severity

#: Any string, lone surrogates and control characters included.
TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=30)


def _dumps(obj: Any, **kwargs: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, **kwargs)


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_string_and_optional_are_json_strings(text: str) -> None:
    assert jsontext.string(text) == _dumps(text)
    assert jsontext.optional(text) == _dumps(text)
    assert jsontext.optional(None) == "null"


@pytest.mark.parametrize("number", [0, -1, 7, 2**70, Severity.ERROR])
def test_integer(number: int) -> None:
    # json writes an int subclass (an IntEnum) as a plain int
    assert jsontext.integer(number) == _dumps(number)


@given(items=st.lists(TEXT, max_size=5))
def test_array_of_json_texts(items: list[str]) -> None:
    assert jsontext.array(_dumps(i) for i in items) == _dumps(items)


@settings(max_examples=200, deadline=None)
@given(source=TEXT, path=st.none() | TEXT, line=st.none() | st.integers(0, 10**6),
       pid=st.none() | st.integers(1, 2**22))
def test_location_is_to_json(source: str, path: str | None, line: int | None,
                             pid: int | None) -> None:
    loc = Location(source, path, line, pid)
    assert jsontext.location(loc) == _dumps(loc.to_json())


def _json_values() -> st.SearchStrategy[Any]:
    """Any value json encodes: scalars (floats too), lists, tuples, dicts with string keys and
    now and then keys of other types json accepts."""
    scalars = (st.none() | st.booleans() | st.integers() | TEXT
               | st.floats(allow_nan=True, allow_infinity=True))
    keys = TEXT | st.integers(-5, 5) | st.booleans() | st.none()
    return st.recursive(scalars, lambda inner: (
        st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(TEXT, inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=3)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(obj=_json_values(), indent=st.sampled_from([0, 1, 2, 4]))
def test_indented_is_json_dumps_with_indent(obj: Any, indent: int) -> None:
    assert jsontext.indented(obj, indent) == _dumps(obj, indent=indent)


@settings(max_examples=200, deadline=None)
@given(obj=_json_values())
def test_value_is_json_dumps(obj: Any) -> None:
    assert jsontext.value(obj) == _dumps(obj)


def test_indented_leaves_what_it_cannot_write_to_json() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="Circular"):
        jsontext.indented(cyclic)
    with pytest.raises(TypeError):
        jsontext.indented({"a": object()})
    assert jsontext.indented({"a": [1.5, {}, []], "b": None}) == _dumps(
        {"a": [1.5, {}, []], "b": None}, indent=2)
