"""GET /servers and /servers/detail: the query string novaclient builds, and paging."""

from __future__ import annotations

from pocketstack.client.compute.ahead import Ahead, tail_links
from pocketstack.client.compute.errors import UnsupportedAttribute
from pocketstack.client.compute.resources import Server
from pocketstack.client.compute.versions import APIVersion
from pocketstack.client.errors import InvalidResponse

# Warm-path module: see docs/startup.md.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

    from pocketstack.client.adapter import Adapter
    from pocketstack.client.transport import Response

SearchValue = str | int | bool | None
# A page's servers and the marker of the next page, if the server says there is one.
Page = tuple[list[Server], str | None]
ALL_PAGES = -1
# What quote_plus leaves as it is; a query made only of these needs no urllib.parse.
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~")


def _urlencode(items: Sequence[tuple[str, str | int]]) -> str:
    pairs = [(key, str(value)) for key, value in items]
    if all(_PLAIN.issuperset(key) and _PLAIN.issuperset(value) for key, value in pairs):
        return "&".join(f"{key}={value}" for key, value in pairs)
    from urllib.parse import urlencode

    return urlencode(pairs)


def build_query(
    *,
    search_opts: Mapping[str, SearchValue] | None = None,
    marker: str | None = None,
    limit: int | None = None,
    sort_keys: Sequence[str] = (),
    sort_dirs: Sequence[str] = (),
) -> str:
    """The query string (with its `?`, or "") exactly as novaclient's ServerManager.list.

    Options with a false value are left out, except `locked=False` and a `config_drive` that
    is not None (sent as `True`/`False`); items are sorted by key with a stable sort, the
    repeated sort_key/sort_dir pairs included, and encoded with quote_plus.
    """
    params: dict[str, str | int] = {}
    for name, value in (search_opts or {}).items():
        if name == "config_drive":
            if value is not None:
                params[name] = str(value)
        elif value or (name == "locked" and value is False):
            params[name] = str(value) if isinstance(value, bool) else value
    if marker:
        params["marker"] = marker
    if limit and limit != ALL_PAGES:
        params["limit"] = limit
    items: list[tuple[str, str | int]] = list(params.items())
    items.extend(("sort_key", key) for key in sort_keys)
    items.extend(("sort_dir", direction) for direction in sort_dirs)
    if not items:
        return ""
    items.sort(key=lambda item: item[0])
    return "?" + _urlencode(items)


def _page_of(url: str, response: Response) -> Page:
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("servers"), list):
        raise InvalidResponse(f"GET {url}: the answer has no 'servers' list")
    servers = [Server.from_body(item) for item in body["servers"] if isinstance(item, dict)]
    return servers, _next_marker(body)


def _next_marker(body: Mapping[str, Any]) -> str | None:
    """The marker of the `next` link in `servers_links`, if the page says there is more."""
    links = body.get("servers_links")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            from urllib.parse import parse_qsl, urlsplit

            query = dict(parse_qsl(urlsplit(str(link["href"])).query))
            marker = query.get("marker")
            if marker:
                return marker
    return None


class ServerManager:
    def __init__(self, adapter: Adapter, *, api_version: APIVersion) -> None:
        self._adapter = adapter
        self.api_version = api_version

    def _get_page(self, url: str) -> Page:
        return _page_of(url, self._adapter.get(url))

    def pages(
        self,
        *,
        detailed: bool = True,
        search_opts: Mapping[str, SearchValue] | None = None,
        marker: str | None = None,
        limit: int | None = None,
        sort_keys: Sequence[str] = (),
        sort_dirs: Sequence[str] = (),
    ) -> Iterator[list[Server]]:
        """Yield one list per page. With `limit=-1` follow `servers_links` until a page has no
        `next` link; otherwise one page only (the server clamps `limit` to its max_limit).

        Only the link's marker is used, on our own URL: the rest of our query stays exactly as
        built, and a link naming another host never receives the token.
        """
        opts = dict(search_opts or {})
        if "locked" in opts and self.api_version < APIVersion(2, 73):
            raise UnsupportedAttribute(argument="locked", start_version="2.73")
        path = "/servers/detail" if detailed else "/servers"

        def url(marker: str | None) -> str:
            query = build_query(
                search_opts=opts,
                marker=marker,
                limit=limit,
                sort_keys=sort_keys,
                sort_dirs=sort_dirs,
            )
            return path + query

        if limit != ALL_PAGES:
            yield self._get_page(url(marker))[0]
            return
        current = url(marker)
        response = self._adapter.get(current)
        ahead: Ahead | None = None
        try:
            while True:
                # The next page asked for before this one is read (ahead.py).
                early = _next_marker({"servers_links": tail_links(response.body)})
                if early and early != marker:
                    ahead = Ahead(self._adapter.get, url(early))
                servers, next_marker = _page_of(current, response)
                if not next_marker or not servers:
                    yield servers
                    return
                if next_marker == marker:
                    raise InvalidResponse(f"GET {path}: the next link repeats marker {marker}")
                marker = next_marker
                yield servers
                current = url(marker)
                if ahead is not None and ahead.url == current:
                    response, ahead = ahead.result(), None
                else:
                    response = self._adapter.get(current)
        finally:
            if ahead is not None:
                ahead.settle()

    def list(
        self,
        *,
        detailed: bool = True,
        search_opts: Mapping[str, SearchValue] | None = None,
        marker: str | None = None,
        limit: int | None = None,
        sort_keys: Sequence[str] = (),
        sort_dirs: Sequence[str] = (),
    ) -> list[Server]:
        result: list[Server] = []
        for page in self.pages(
            detailed=detailed,
            search_opts=search_opts,
            marker=marker,
            limit=limit,
            sort_keys=sort_keys,
            sort_dirs=sort_dirs,
        ):
            result.extend(page)
        return result
