"""pocketstack.client.jsoncodec against the json package: the same values, the same text, the
same exceptions (type and message)."""

from __future__ import annotations

import collections
import enum
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketstack.client import jsoncodec


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, ...]:
    """What a caller sees: the value (its repr, so nan, -0.0, 1 vs 1.0 vs True all count), or
    the exception's type and message (and, for a decode error, where it points)."""
    try:
        value = function(*args, **kwargs)
    except Exception as exc:
        where = (
            (str(exc.pos), str(exc.lineno), str(exc.colno))
            if isinstance(exc, json.JSONDecodeError)
            else ()
        )
        return ("raised", type(exc).__qualname__, str(exc), *where)
    return ("returned", type(value).__qualname__, repr(value))


def assert_loads_like_json(data: str | bytes | bytearray) -> None:
    assert outcome(jsoncodec.loads, data) == outcome(json.loads, data)


def assert_dumps_like_json(value: Any) -> None:
    for sort_keys in (False, True):
        assert outcome(jsoncodec.dumps, value, sort_keys=sort_keys) == outcome(
            json.dumps, value, sort_keys=sort_keys
        ), f"sort_keys={sort_keys}"


# loads -----------------------------------------------------------------------------------------
VALID_TEXTS = [
    '{"a": [1, 2, {"b": null}], "c": {"d": true, "e": false}, "f": "g"}',
    "[]",
    "{}",
    "[[[[{}]]]]",
    '[1, "two", 3.0, null, true, false, [], {}]',
    '{"a": 1, "a": 2}',
    '{"": 0, "\\u0000": 1, "é": 2, "😀": 3}',
    '"text"',
    '""',
    "0",
    "-0",
    "-1",
    "123",
    str(2**100),
    str(-(2**100)),
    "1.0",
    "-0.0",
    "1e308",
    "1E+2",
    "1.5e-7",
    "2e-400",
    "1e400",
    "-1e400",
    "0.1",
    "3.141592653589793",
    "NaN",
    "Infinity",
    "-Infinity",
    '[NaN, Infinity, -Infinity, {"x": NaN}]',
    '"\\ud83d\\ude00"',
    '"\\u00e9\\u4e2d"',
    '"é中😀"',
    '"\\ud800"',
    '"\\udc00\\ud800"',
    '"\\ud83d x"',
    '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
    '"\\u0041\\u0061"',
    " \t\n\r [1] \n",
    '   "x"   ',
    "\n\n{}\n",
    '"' + "x" * 10000 + '"',
    "[" + ", ".join(str(n) for n in range(2000)) + "]",
    "[" * 500 + "]" * 500,
    '{"a": ' * 300 + "1" + "}" * 300,
]


@pytest.mark.parametrize("text", VALID_TEXTS, ids=lambda text: repr(text[:40]))
def test_loads_str_and_utf8_bytes_like_json(text: str) -> None:
    assert_loads_like_json(text)
    data = text.encode("utf-8")
    assert_loads_like_json(data)
    assert_loads_like_json(bytearray(data))


def test_loads_values_spelled_out() -> None:
    # The corpus compares with json; these say what that is, in case both ever went wrong.
    assert jsoncodec.loads(b'{"a": [1, 2.5, null, true], "b": "\\ud83d\\ude00"}') == {
        "a": [1, 2.5, None, True],
        "b": "😀",
    }
    assert jsoncodec.loads(str(2**100)) == 2**100
    assert math.copysign(1.0, jsoncodec.loads("-0.0")) == -1.0
    assert math.isnan(jsoncodec.loads("NaN"))
    assert jsoncodec.loads("[Infinity, -Infinity]") == [math.inf, -math.inf]


ENCODED = [
    b'\xef\xbb\xbf{"a": "\xc3\xa9"}',  # UTF-8 with a byte-order mark
    b"\xef\xbb\xbf  [1]  ",
    '{"a": "é😀"}'.encode("utf-16"),
    '{"a": "é😀"}'.encode("utf-16-le"),
    '{"a": "é😀"}'.encode("utf-16-be"),
    "[1, 2]".encode("utf-32"),
    "[1, 2]".encode("utf-32-le"),
    "[1, 2]".encode("utf-32-be"),
    '"x"'.encode("utf-16-le"),
    "1".encode("utf-16-le"),
    "12".encode("utf-16-be"),
    b'"\xed\xa0\xbd"',  # an encoded surrogate: json decodes bytes with surrogatepass
    b'["\xed\xa0\xbd\xed\xb8\x80"]',
    b"[1]",
    b"1",
    b"12",
    b" 1 ",
]


@pytest.mark.parametrize("data", ENCODED, ids=repr)
def test_loads_bytes_in_any_encoding_like_json(data: bytes) -> None:
    assert_loads_like_json(data)
    assert_loads_like_json(bytearray(data))


INVALID = [
    "",
    " ",
    "\n\t",
    "{",
    "[",
    "[1,]",
    "[1,2",
    "[1]]",
    "1 2",
    '{"a":1}x',
    '{"a":1,}',
    '{"a" 1}',
    "{a: 1}",
    "{'a': 1}",
    "'x'",
    "tru",
    "nul",
    "nan",
    "inf",
    "+1",
    "01",
    "1.",
    ".5",
    "-",
    "1e",
    '"abc',
    '"\\x"',
    '"\\u12"',
    '"\\ud83d\\u"',
    '"a\nb"',
    '"a\tb"',
    '"\x00"',
    '"\x1f"',
    "\x00",
    "\ufeff{}",
    "\ufeff",
    "  \ufeff{}",
    "{}\ufeff",
    "1" * 5000,
    "-" + "1" * 5000,
    "[" * 100000,
    "[" * 100000 + "]" * 100000,
    '{"a":' * 100000,
]


@pytest.mark.parametrize("text", INVALID, ids=lambda text: repr(text[:40]))
def test_invalid_text_raises_like_json(text: str) -> None:
    assert_loads_like_json(text)
    assert_loads_like_json(text.encode("utf-8", "surrogatepass"))


INVALID_BYTES = [
    b"\xff",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf\xef\xbb\xbf{}",
    b'"\xff"',
    b'"\xc3"',
    b'"\xed\xa0"',
    b'["\xe9"]',
    b"\x00",
    b"[1]\x00",
    b"\x00[1]",
    b"1\x00\x00\x00",
    b"\x00\x00\x00\x01",
    b'\xff\xfe{\x00"\x00',
]


@pytest.mark.parametrize("data", INVALID_BYTES, ids=repr)
def test_invalid_bytes_raise_like_json(data: bytes) -> None:
    assert_loads_like_json(data)


def test_deep_nesting_raises_recursion_error_like_json() -> None:
    with pytest.raises(RecursionError):
        jsoncodec.loads("[" * 100000)
    assert_loads_like_json("[" * 100000)
    # And the codec still works afterwards.
    assert jsoncodec.loads("[[1]]") == [[1]]


@pytest.mark.parametrize(
    "data",
    [None, 123, 1.5, ["[]"], memoryview(b"[]")],
    ids=lambda data: type(data).__name__,
)
def test_loads_of_a_non_text_argument_raises_like_json(data: Any) -> None:
    # json: TypeError("the JSON object must be str, bytes or bytearray, not <type>")
    assert_loads_like_json(data)


# dumps -----------------------------------------------------------------------------------------
class Colour(enum.IntEnum):
    RED = 1


class Text(str):
    pass


class Number(float):
    pass


VALUES: list[Any] = [
    {"a": [1, 2.5, None, True, False], "b": {"c": "d"}},
    {"b": 1, "a": 2, "c": {"z": 0, "y": [{"q": 1, "p": 2}]}},
    {"é": "ü", "😀": "中文", "\x00": "\x1f\x7f"},
    {1: "int key", 2.5: "float key", None: "none key", "s": "str key"},
    {True: "bool key", False: "another", "x": 0},
    {-0.0: 0, math.inf: 1, math.nan: 2},
    "é",
    "😀",
    "\ud800",
    "\udc00\ud83d",
    'a"b\\c\n\r\t\b\f/',
    "\x00\x1f\x7f\x80\u2028\u2029",
    "x" * 100000,
    "",
    Text("sub"),
    2**100,
    -(2**100),
    0,
    -1,
    Colour.RED,
    [Colour.RED],
    1e308,
    1e-7,
    1.5e-7,
    -0.0,
    0.1,
    1.0,
    Number(2.5),
    math.nan,
    math.inf,
    -math.inf,
    [math.nan, math.inf, -math.inf],
    (1, 2, "three"),
    ((), [()], {"t": (1,)}),
    [],
    {},
    True,
    False,
    None,
    collections.OrderedDict([("b", 1), ("a", 2)]),
    collections.defaultdict(list, {"k": [1]}),
    [[[[[[[[[["deep"]]]]]]]]]],
    [{"a": [{"b": [{"c": None}]}]}] * 3,
]


@pytest.mark.parametrize("value", VALUES, ids=lambda value: repr(value)[:40])
def test_dumps_like_json(value: Any) -> None:
    assert_dumps_like_json(value)


def test_dumps_text_spelled_out() -> None:
    assert jsoncodec.dumps({"b": [1, 2.5, None], "a": "é"}) == (
        '{"b": [1, 2.5, null], "a": "\\u00e9"}'
    )
    assert jsoncodec.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'
    assert jsoncodec.dumps([math.nan, -math.inf]) == "[NaN, -Infinity]"
    assert jsoncodec.dumps("😀") == '"\\ud83d\\ude00"'


def _circular_list() -> list[Any]:
    value: list[Any] = [1]
    value.append(value)
    return value


def _circular_dict() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = {"again": value}
    return value


def _deep_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


UNSERIALIZABLE: list[Any] = [
    object(),
    {1, 2},
    frozenset(),
    {"a": object()},
    [1, {2}],
    b"bytes",
    bytearray(b"x"),
    1j,
    {(1, 2): 3},
    {"a": 1, 2: "b"},  # fine unsorted; sorting str and int keys is a TypeError
    Colour,
    _circular_list(),
    _circular_dict(),
    [_circular_list()],
    _deep_list(100000),
]


@pytest.mark.parametrize("value", UNSERIALIZABLE, ids=lambda value: type(value).__name__)
def test_dumps_failures_like_json(value: Any) -> None:
    assert_dumps_like_json(value)


def test_non_serializable_message() -> None:
    with pytest.raises(TypeError, match=r"^Object of type set is not JSON serializable$"):
        jsoncodec.dumps({"a": {1}})
    with pytest.raises(ValueError, match=r"^Circular reference detected$"):
        jsoncodec.dumps(_circular_list())


def test_no_state_left_behind_by_a_failed_dumps() -> None:
    shared = [1, 2]
    for broken in ([shared, object()], {"a": shared, "b": {3}}, [shared, _circular_list()]):
        with pytest.raises((TypeError, ValueError)):
            jsoncodec.dumps(broken)
        # The same list twice is not a circle: a marker left over from the failure would say so.
        assert jsoncodec.dumps([shared, {"again": shared}]) == '[[1, 2], {"again": [1, 2]}]'
        assert jsoncodec.dumps([shared, shared], sort_keys=True) == json.dumps(
            [shared, shared], sort_keys=True
        )
    with pytest.raises(RecursionError):
        jsoncodec.dumps(_deep_list(100000))
    assert jsoncodec.dumps({"after": [1]}) == '{"after": [1]}'


class Proxy:
    """An object that reports another class, as proxies and spec'd mocks do."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return int


def test_non_serializable_message_names_the_class_as_json_does() -> None:
    # json's default() says `o.__class__.__name__`: "Object of type int is not JSON serializable".
    assert_dumps_like_json(Proxy())


# Properties ------------------------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(),
    st.text(),
)
keys = st.one_of(st.text(), st.text(), st.integers(), st.floats(), st.booleans(), st.none())
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text(), children, max_size=5),
    ),
    max_leaves=15,
)
encodable = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=documents, ensure_ascii=st.booleans())
def test_loads_like_json_on_any_document(value: Any, ensure_ascii: bool) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    assert_loads_like_json(text)
    # A lone surrogate has no UTF-8 form; json.loads reads bytes with surrogatepass.
    assert_loads_like_json(text.encode("utf-8", "surrogatepass"))
    assert_loads_like_json(" \n" + text + "\t")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=encodable)
def test_dumps_like_json_on_any_value(value: Any) -> None:
    assert_dumps_like_json(value)


json_ish = st.text(
    alphabet='[]{}",:0123456789.eE+-tfalsenuINfinityNa \\/u\n\t\ufeff\ud800é', max_size=30
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(
        json_ish,
        json_ish.map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.text(),
        st.binary(),
    )
)
def test_loads_like_json_on_any_input(data: str | bytes) -> None:
    assert_loads_like_json(data)
