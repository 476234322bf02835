"""The intake scan and the storable checks (``tarsy.jsonsafe``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from tarsy.api.validation import describe
from tarsy.jsonsafe import JSONShapeError, check_storable, make_storable, scan_json_text


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',  # brackets inside strings do not count
        b'{"NaN": "Infinity", "x": 1.0000000000000000000000001, "y": 1e-100000000000000000000000}',
        b'{"escaped": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\""}',
        b"[" * 32 + b"]" * 32,
    ],
)
def test_the_scan_accepts_what_can_be_stored(body: bytes) -> None:
    scan_json_text(body, 32)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"[" * 33 + b"]" * 33, "nested deeper than 32 levels"),
        (b'{"x": NaN}', "NaN"),
        (b'{"x": -Infinity}', "-Infinity"),
        (b'{"x": 123456789012345678901}', "21 digits"),
    ],
)
def test_the_scan_refuses_what_cannot(body: bytes, words: str) -> None:
    with pytest.raises(JSONShapeError, match=words):
        scan_json_text(body, 32)


def test_the_check_names_the_path() -> None:
    with pytest.raises(JSONShapeError, match=r"^data\.items\[1\]\.n: the integer 18446744073709551616"):
        check_storable({"items": [0, {"n": 2**64}]}, max_depth=32, name="data")
    with pytest.raises(JSONShapeError, match=r"^data\.k\[0\]: nested deeper than 2 levels"):
        check_storable({"k": [[1]]}, max_depth=2, name="data")


def test_what_passes_the_check_fits_the_checkpointer() -> None:
    value: Any = {"edge": [2**64 - 1, -(2**63)], "text": "ü €"}
    for _ in range(30):  # 32 levels in all: the limit
        value = {"n": value}
    check_storable(value, max_depth=32, name="data")
    JsonPlusSerializer().dumps_typed({"alert": {"data": value}})


def test_make_storable_converts_instead_of_refusing() -> None:
    converted = make_storable({"x": [2**64, float("inf"), "\x00"]}, max_depth=32)
    assert converted == {"x": [str(2**64), "inf", "\ufffd"]}
    json.dumps(converted, allow_nan=False)


def test_union_errors_become_one_readable_message_per_field() -> None:
    errors = [
        {"type": "datetime_from_date_parsing", "loc": ("query", "start_date", "datetime"), "msg": "Input should be"},
        {"type": "none_required", "loc": ("query", "start_date", "none"), "msg": "Input should be None"},
        {"type": "dict_type", "loc": ("body", "data", "dict[str,any]"), "msg": "Input should be a valid dictionary"},
        {"type": "string_type", "loc": ("body", "data", "str"), "msg": "Input should be a valid string"},
        {"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error", "ctx": {"error": "Expecting value"}},
        {"type": "less_than_equal", "loc": ("query", "page_size"), "msg": "Input should be less than or equal to 100"},
    ]
    assert describe(errors) == [
        {"field": "start_date", "message": "must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z"},
        {"field": "data", "message": "must be a JSON object or text"},
        {"field": "body", "message": "is not valid JSON (Expecting value at character 0)"},
        {"field": "page_size", "message": "must be less than or equal to 100"},
    ]
