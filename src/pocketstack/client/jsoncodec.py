"""JSON for the client's hot path, without importing the `json` package.

`import json` brings in `re` and `enum` (json.decoder compiles its patterns at import); see
docs/startup.md. The work itself was always done by `_json`, the C scanner and encoder that
`json` wraps; this module calls them the way json.loads and json.dumps do, with json's own
settings, and hands anything unusual to `json` itself: a byte-order mark or UTF-16/32 input, a
parse error (json raises its JSONDecodeError with its message), an interpreter without
`_json`. tests/unit/client/test_jsoncodec.py holds both to the same results.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    import _json
except ImportError:  # pragma: no cover - every CPython has it; other interpreters may not
    _json = None  # type: ignore[assignment]

_WHITESPACE = " \t\n\r"


class _Settings:
    """What the C scanner reads from json.JSONDecoder(): json.loads' defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {
        "NaN": float("nan"),
        "Infinity": float("inf"),
        "-Infinity": float("-inf"),
    }.__getitem__


def _not_serializable(value: object) -> Any:
    # __class__ rather than type(): what json says of a proxy.
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


if _json is not None:
    _scan = _json.make_scanner(_Settings())  # type: ignore[arg-type]  # reads attributes only


def loads(data: bytes | str) -> Any:
    """json.loads(data): the same value, or json's own error."""
    if _json is not None:
        try:
            # json.loads' own types; it says what is wrong with anything else.
            if isinstance(data, str):
                text: str | None = data
            elif isinstance(data, bytes | bytearray):
                text = _utf8(data)
            else:
                text = None
            if text is not None:
                start = len(text) - len(text.lstrip(_WHITESPACE))
                value, end = _scan(text, start)
                if not text[end:].strip(_WHITESPACE):
                    return value
        except (StopIteration, ValueError, RecursionError):
            pass
    import json

    return json.loads(data)


def _utf8(data: bytes | bytearray) -> str | None:
    # json.loads detects UTF-8/16/32 and a BOM from the first bytes; only plain UTF-8 is ours.
    if data[:3] == b"\xef\xbb\xbf" or b"\x00" in data[:4]:
        return None
    return data.decode("utf-8")


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """json.dumps(value, sort_keys=sort_keys): the same text."""
    if _json is None:
        import json

        return json.dumps(value, sort_keys=sort_keys)
    if isinstance(value, str):
        return _json.encode_basestring_ascii(value)
    # json.dumps' defaults: ASCII output, ", " and ": ", NaN allowed, and a fresh dict of
    # markers per call for refusing circular references.
    encoder = _json.make_encoder(
        {},
        _not_serializable,
        _json.encode_basestring_ascii,
        None,
        ": ",
        ", ",
        sort_keys,
        False,
        True,
    )
    return "".join(encoder(value, 0))
