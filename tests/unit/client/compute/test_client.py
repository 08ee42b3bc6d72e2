"""The compute client over the real cloud app, in-process: negotiation, caching, paging, lookups."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from pocketstack.client.compute import APIVersion, ComputeClient, UnsupportedAttribute
from pocketstack.client.compute.errors import NoUniqueMatch, ResourceNotFound
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.seed import seed
from tests.fixtures.cloud import TEST_PUBLIC_URL
from tests.unit.cli.list_harness import Harness, make_harness


class MemoryCache:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def get_cached_data(self, key: str) -> Any:
        return self.data.get(key)

    def set_cached_data(self, key: str, value: Any) -> None:
        self.data[key] = value


@pytest.fixture
def harness(cloud_deps: CloudDeps) -> Harness:
    return make_harness(cloud_deps)


def paths(harness: Harness) -> list[str]:
    return [
        urlsplit(r.url).path + (f"?{urlsplit(r.url).query}" if urlsplit(r.url).query else "")
        for r in harness.transport.sent
    ]


def test_latest_is_negotiated_and_sent(harness: Harness) -> None:
    compute = ComputeClient(harness.session, cache=MemoryCache())
    assert compute.api_version == APIVersion(2, 96)
    compute.servers.list()
    last = harness.transport.sent[-1]
    assert last.headers["OpenStack-API-Version"] == "compute 2.96"
    assert last.headers["X-OpenStack-Nova-API-Version"] == "2.96"


def test_version_document_is_cached(harness: Harness) -> None:
    cache = MemoryCache()
    ComputeClient(harness.session, cache=cache).servers.list()
    assert "/compute/v2.1" in paths(harness)
    assert any(key.startswith("compute-version:") for key in cache.data)
    harness.reset()
    ComputeClient(harness.session, api_version="2.10", cache=cache).servers.list()
    assert paths(harness) == ["/compute/v2.1/servers/detail"]
    assert "OpenStack-API-Version" in harness.transport.sent[-1].headers


def test_legacy_2_0_sends_no_microversion(harness: Harness) -> None:
    compute = ComputeClient(harness.session, api_version="2", cache=MemoryCache())
    compute.servers.list()
    assert "OpenStack-API-Version" not in harness.transport.sent[-1].headers


def test_project_in_the_endpoint_falls_back_to_the_version_root(harness: Harness) -> None:
    project_id = harness.session.auth.get_project_id(harness.session)  # type: ignore[union-attr]
    compute = ComputeClient(
        harness.session,
        endpoint_override=f"{TEST_PUBLIC_URL}/compute/v2.1/{project_id}",
        cache=MemoryCache(),
    )
    harness.reset()
    assert compute.api_version == APIVersion(2, 96)
    assert compute.servers.list() == []
    assert paths(harness)[-1] == f"/compute/v2.1/{project_id}/servers/detail"


def test_every_page_follows_the_next_link_without_an_empty_request(harness: Harness) -> None:
    seed(harness.deps, servers=2001, projects=1)
    compute = ComputeClient(harness.session, cache=MemoryCache())
    compute.api_version  # noqa: B018
    harness.reset()
    pages = list(compute.servers.pages(search_opts={"all_tenants": 1}, limit=-1))
    total = sum(len(page) for page in pages)
    assert [len(page) for page in pages[:-1]] == [1000] * (len(pages) - 1)
    assert len(paths(harness)) == len(pages)
    assert total == len({s.id for page in pages for s in page})
    # One page with a limit, whatever the server could give.
    assert len(compute.servers.list(search_opts={"all_tenants": 1}, limit=7)) == 7


def test_a_page_that_fails_after_the_first_raises_to_the_reader(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pocketstack.client.errors import ConnectFailure

    seed(harness.deps, servers=2001, projects=1)
    compute = ComputeClient(harness.session, cache=MemoryCache())
    compute.api_version  # noqa: B018
    send = harness.transport.send

    def second_page_unreachable(request: Any) -> Any:
        # A failure after the first page reaches the reader after the pages before it.
        if "marker=" in request.url:
            raise ConnectFailure("connection refused", method="GET", url=request.url)
        return send(request)

    monkeypatch.setattr(harness.transport, "send", second_page_unreachable)
    pages = compute.servers.pages(search_opts={"all_tenants": 1}, limit=-1)
    assert len(next(pages)) == 1000
    with pytest.raises(ConnectFailure, match="connection refused"):
        next(pages)


def test_locked_needs_2_73(harness: Harness) -> None:
    compute = ComputeClient(harness.session, api_version="2.72", cache=MemoryCache())
    with pytest.raises(UnsupportedAttribute) as info:
        compute.servers.list(search_opts={"locked": "true"})
    assert str(info.value) == "'locked' argument is only allowed since microversion 2.73."


def test_flavor_lookups(harness: Harness) -> None:
    compute = ComputeClient(harness.session, cache=MemoryCache())
    assert compute.flavors.find("m1.small").id == "2"
    assert compute.flavors.find("2").name == "m1.small"
    # novaclient's human id: the slug of the name.
    compute.adapter.post("/flavors", json={"flavor": {"name": "Big One", "ram": 64,
                                                      "vcpus": 1, "disk": 1}})
    assert compute.flavors.find("big-one").name == "Big One"
    with pytest.raises(ResourceNotFound):
        compute.flavors.find("nope")


def test_image_lookups(harness: Harness) -> None:
    compute = ComputeClient(harness.session, cache=MemoryCache())
    image_id = harness.image_id("cirros")
    name = compute.images.get(image_id).name
    assert name is not None
    assert compute.images.find(name).id == image_id
    harness.reset()
    found = compute.images.by_ids([image_id, "00000000-0000-4000-8000-000000000000"])
    assert list(found) == [image_id]
    assert len(harness.transport.sent) == 1
    for _ in range(2):
        compute.image_adapter.post("/v2/images", json={"name": "dup"})
    with pytest.raises(NoUniqueMatch):
        compute.images.find("dup")
