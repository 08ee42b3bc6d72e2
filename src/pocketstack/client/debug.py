"""The `--debug` log: curl-style request lines and responses, with every secret masked.

Tokens appear only as `{SHA256}<hex>` (so two log lines can still be matched to one token);
passwords and secrets as `***`, in headers and in bodies, JSON or not.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from pocketstack.client.transport import Response

TOKEN_HEADERS = frozenset({"x-auth-token", "x-subject-token", "x-service-token"})
SECRET_KEYS = frozenset(
    {
        "password",
        "original_password",
        "new_password",
        "adminpass",
        "admin_pass",
        "secret",
        "auth_key",
        "client_secret",
        "passcode",
    }
)
MASK = "***"
# Fallback for bodies that are not JSON: `"password": "x"`, `password=x`.
_TEXT_SECRET = re.compile(
    r"""(?ix)
    (["']?(?:password|original_password|new_password|adminpass|admin_pass|secret|auth_key|passcode)["']?
    \s*[:=]\s*)
    (["'])(?:\\.|(?!\2).)*\2|((?:password|secret)=)[^&\s]+
    """
)


def hash_token(token: str) -> str:
    return "{SHA256}" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _mask_value(key: str, value: Any, *, in_token: bool) -> Any:
    lowered = key.lower()
    if lowered in SECRET_KEYS and isinstance(value, str):
        return MASK
    # {"token": {"id": "<token>"}} in v2/v3 token-method requests and v2 token answers.
    if in_token and lowered == "id" and isinstance(value, str):
        return hash_token(value)
    return _mask(value, in_token=lowered == "token")


def _mask(value: Any, *, in_token: bool = False) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(str(k), v, in_token=in_token) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def mask_text(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(3):
            return match.group(3) + MASK
        quote = match.group(2)
        return f"{match.group(1)}{quote}{MASK}{quote}"

    return _TEXT_SECRET.sub(replace, text)


def mask_body(body: bytes | str | None) -> str:
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return mask_text(text)
    return json.dumps(_mask(data))


# Basic credentials are reversible: shown as their scheme only.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})


def mask_header(name: str, value: str) -> str:
    lowered = name.lower()
    if lowered in TOKEN_HEADERS:
        return hash_token(value)
    if lowered in _CREDENTIAL_HEADERS:
        return f"{value.partition(' ')[0]} {MASK}".lstrip()
    return mask_text(value)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def request_line(*, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
    parts = ["REQ: curl -g -i", f"-X {method}", url]
    for name, value in headers.items():
        parts.append(f'-H "{name}: {mask_header(name, value)}"')
    if body:
        parts.append(f"-d {_quote(mask_body(body))}")
    return " ".join(parts)


def response_lines(response: Response) -> list[str]:
    headers = " ".join(
        f"{name}: {mask_header(name, value)}" for name, value in response.headers.items()
    )
    lines = [f"RESP: [{response.status}] {headers}".rstrip()]
    content_type = response.headers.get("content-type") or ""
    if response.body:
        if "json" in content_type or "text" in content_type:
            lines.append(f"RESP BODY: {mask_body(response.body)}")
        else:
            lines.append(f"RESP BODY: <{len(response.body)} bytes of {content_type or 'data'}>")
    return lines
