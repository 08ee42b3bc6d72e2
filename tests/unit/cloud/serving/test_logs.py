"""The server's log never holds a token in clear, wherever in a path or a query it came, however
it was percent-encoded: it shows `{SHA256}<hex>`, the hash the client's --debug shows."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.serving.logs import TokenPathFilter, logging_config, redact_tokens

# The shape of a Fernet token: "gAAAAA" and urlsafe base64.
TOKEN = "gAAAAABpZ3Xk" + "Qm9vX2Zvby1iYXI" * 10 + "_-Zz09"
HASHED = "{SHA256}" + hashlib.sha256(TOKEN.encode()).hexdigest()
ACCESS = '%s "%s %s HTTP/%s" %d %d %dms'


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger with two handlers, each with the filter, as the file and the console are."""
    out = io.StringIO()
    logger = logging.getLogger("pocketstack.test-logs")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handlers = [logging.StreamHandler(out), logging.StreamHandler(out)]
    for handler in handlers:
        handler.addFilter(TokenPathFilter())
        logger.addHandler(handler)
    yield logger, out
    for handler in handlers:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    "target",
    [
        f"/identity/v2.0/tokens/{TOKEN}",
        f"/identity/v2.0/tokens%2F{TOKEN}",
        f"/identity/v2.0/tokens%2f{TOKEN}",
        f"/identity/v2.0/tokens/%67{TOKEN[1:]}",
        f"/identity/v2.0/tokens%252F{TOKEN.replace('-', '%2D')}",
        f"/identity/v2.0/tokens/{TOKEN}?belongsTo=x",
        f"/compute/v2.1/servers/{TOKEN}/action",
        f"/compute/v2.1/servers?name={TOKEN}&limit=1",
        f"/image/v2/images?marker=%25{TOKEN}",
    ],
)
def test_access_lines_show_tokens_hashed_only(
    written: tuple[logging.Logger, io.StringIO], target: str
) -> None:
    logger, out = written
    logger.info(ACCESS, "127.0.0.1", "GET", target, "1.1", 404, 120, 3)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert HASHED in line, line
        # Nothing of the token is left, escaped or not, nor a hash of its hash.
        assert TOKEN[8:48] not in line
        assert "Qm9vX2Zvby1iYXI" not in line
        assert line.count("{SHA256}") == 1
        assert line.startswith('127.0.0.1 "GET /')


def test_an_encoded_slash_stays_visible_as_one(
    written: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = written
    logger.info(ACCESS, "::1", "GET", f"/identity/v2.0/tokens%2F{TOKEN}", "1.1", 404, 1, 1)
    assert f"/identity/v2.0/tokens%2F{HASHED}" in out.getvalue()


def test_ids_stay_readable(written: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = written
    path = (
        "/compute/v2.1/servers/3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        "?project_id=0123456789abcdef0123456789abcdef&name=web-1"
    )
    logger.info(ACCESS, "127.0.0.1", "GET", path, "1.1", 200, 2, 1)
    assert path in out.getvalue()
    assert redact_tokens(path) == path


def test_tracebacks_are_redacted_too(written: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = written
    try:
        raise ValueError(f"no route for /identity/v2.0/tokens/{TOKEN}")
    except ValueError:
        logger.exception("unexpected error handling %s %s", "GET", f"/v2.0/tokens/{TOKEN}")
    text = out.getvalue()
    assert "ValueError: no route for" in text
    assert TOKEN not in text
    assert text.count(HASHED) == 4


def test_every_handler_of_the_server_filters(tmp_path: Path) -> None:
    config = CloudConfig(data_dir=tmp_path, db_url="sqlite://")
    settings = logging_config(config, console=True)
    assert settings["filters"]["token_paths"]["()"] is TokenPathFilter
    for name, handler in settings["handlers"].items():
        assert "token_paths" in handler["filters"], name
