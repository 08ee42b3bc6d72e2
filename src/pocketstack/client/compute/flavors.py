"""Flavors: get, list, and nova's name-or-id lookup for `list --flavor`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pocketstack.client.compute.errors import NoUniqueMatch, ResourceNotFound
from pocketstack.client.compute.resources import Flavor
from pocketstack.client.errors import InvalidResponse, NotFound

if TYPE_CHECKING:
    from pocketstack.client.adapter import Adapter


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


class FlavorManager:
    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter

    def get(self, flavor_id: str) -> Flavor:
        body = self._adapter.get(f"/flavors/{_quote(flavor_id)}").json()
        if not isinstance(body, dict) or not isinstance(body.get("flavor"), dict):
            raise InvalidResponse(f"GET /flavors/{flavor_id}: the answer has no 'flavor'")
        return Flavor.from_body(body["flavor"])

    def list(self, *, detailed: bool = False, all_access: bool = True) -> list[Flavor]:
        """All flavors in one request; `all_access` sends novaclient's `is_public=None`
        (public and private ones for an admin, the API's default set for anybody else).
        """
        url = "/flavors/detail" if detailed else "/flavors"
        if all_access:
            url += "?is_public=None"
        body = self._adapter.get(url).json()
        if not isinstance(body, dict) or not isinstance(body.get("flavors"), list):
            raise InvalidResponse(f"GET {url}: the answer has no 'flavors' list")
        return [Flavor.from_body(item) for item in body["flavors"] if isinstance(item, dict)]

    def find(self, name_or_id: str) -> Flavor:
        """nova's lookup: the id first, then one listing matched by name, then by human id.

        novaclient also GETs each name match again for its details; the id is all a filter
        needs, so that request is saved.
        """
        try:
            return self.get(name_or_id)
        except NotFound:
            pass
        flavors = self.list()
        for key in ("name", "human_id"):
            matches = [f for f in flavors if getattr(f, key) == name_or_id]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise NoUniqueMatch(
                    f"Multiple flavor matches found for '{name_or_id}', use an ID to be more "
                    "specific."
                )
        raise ResourceNotFound(f"No flavor with a name or ID of '{name_or_id}' exists.")
