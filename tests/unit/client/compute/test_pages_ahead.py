"""`--limit -1` asks for the next page while the caller reads the one before it
(client/compute/ahead.py): the same requests, the same servers, one page sooner."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from pocketstack.client.compute import ComputeClient
from pocketstack.client.compute.ahead import tail_links
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.seed import seed
from tests.unit.cli.list_harness import Harness, make_harness
from tests.unit.client.compute.test_client import MemoryCache, paths

NEXT = [{"rel": "next", "href": "http://c/compute/v2.1/servers/detail?limit=2&marker=abc"}]


@pytest.fixture
def harness(cloud_deps: CloudDeps) -> Harness:
    return make_harness(cloud_deps)


def test_the_links_at_the_end_of_a_page_are_read_off_its_bytes() -> None:
    body = b'{"servers": [{"id": "a", "metadata": {"k": "v"}}], "servers_links": ' + (
        b'[{"rel": "next", "href": "http://c/compute/v2.1/servers/detail?limit=2&marker=abc"}]}\n'
    )
    assert tail_links(body) == NEXT


@pytest.mark.parametrize(
    "body",
    [
        # No links: the last page.
        b'{"servers": [{"id": "a"}]}',
        # The links first (a JSON encoder may order members so): not at the end.
        b'{"servers_links": [], "servers": [{"id": "a"}]}',
        # A server's metadata holding a member of that name, the page without links.
        b'{"servers": [{"id": "a", "metadata": {"servers_links": [{"rel": "next"}]}}]}',
        # In a string (its quotes escaped), then a cut-off body.
        b'{"servers": [{"name": "\\"servers_links\\": [1]}"}]',
        b'{"servers": [], "servers_links": [{"rel": "next"',
    ],
)
def test_links_anywhere_else_are_not_read_early(body: bytes) -> None:
    assert tail_links(body) is None


def test_the_next_page_is_asked_for_before_the_reader_has_the_first(harness: Harness) -> None:
    seed(harness.deps, servers=2001, projects=1)
    compute = ComputeClient(harness.session, cache=MemoryCache())
    compute.api_version  # noqa: B018
    harness.reset()
    send = harness.transport.send
    first_read = threading.Event()
    sent_before_read: list[str] = []

    def recording(request: Any) -> Any:
        if not first_read.is_set():
            sent_before_read.append(request.url)
        return send(request)

    harness.transport.send = recording  # type: ignore[method-assign]
    pages = compute.servers.pages(search_opts={"all_tenants": 1}, limit=-1)
    first = next(pages)
    deadline = time.monotonic() + 10
    while len(sent_before_read) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    first_read.set()
    assert len(first) == 1000
    assert len(sent_before_read) == 2
    assert "marker=" + first[-1].id in sent_before_read[1]
    every = [first, *pages]
    # The same requests as one page after another: none twice, none beyond the last page.
    assert [len(page) for page in every[:-1]] == [1000] * (len(every) - 1)
    assert 0 < len(every[-1]) < 1000
    assert len(paths(harness)) == len(every)
    assert len({s.id for page in every for s in page}) == sum(len(page) for page in every)


def test_a_reader_that_stops_early_leaves_no_request_in_flight(harness: Harness) -> None:
    seed(harness.deps, servers=2001, projects=1)
    compute = ComputeClient(harness.session, cache=MemoryCache())
    compute.api_version  # noqa: B018
    pages = compute.servers.pages(search_opts={"all_tenants": 1}, limit=-1)
    assert len(next(pages)) == 1000
    pages.close()
    assert not [t for t in threading.enumerate() if t.name == "pocketstack-next-page"]
    # The session is free: the next call goes out and comes back as usual.
    assert len(compute.servers.list(search_opts={"all_tenants": 1}, limit=3)) == 3
