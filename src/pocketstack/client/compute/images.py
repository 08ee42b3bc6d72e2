"""Images through the image service (Glance v2), as nova and openstack do for name lookups."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pocketstack.client.compute.errors import NoUniqueMatch, ResourceNotFound
from pocketstack.client.compute.resources import Image
from pocketstack.client.errors import InvalidResponse

if TYPE_CHECKING:
    from pocketstack.client.adapter import Adapter

_UUID_RE = re.compile(
    r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.IGNORECASE
)
# Keeps one `id=in:` URL well under the 8 KiB request lines servers accept.
_IDS_PER_REQUEST = 150


def is_uuid_like(value: str) -> bool:
    """oslo's is_uuid_like: a UUID with or without dashes, optionally in braces/urn form."""
    text = value.strip()
    if text.startswith("urn:uuid:"):
        text = text[9:]
    text = text.strip("{}")
    return bool(_UUID_RE.match(text))


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _images(body: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("images"), list):
        raise InvalidResponse(f"GET {url}: the answer has no 'images' list")
    return [item for item in body["images"] if isinstance(item, dict)]


class ImageManager:
    """`adapter` is bound to the catalog's `image` service (an unversioned endpoint, as
    Glance's catalog entries are), so every path names `/v2` itself.
    """

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter

    def get(self, image_id: str) -> Image:
        body = self._adapter.get(f"/v2/images/{_quote(image_id)}").json()
        if not isinstance(body, dict) or "id" not in body:
            raise InvalidResponse(f"GET /v2/images/{image_id}: the answer is not an image")
        return Image.from_body(body)

    def find(self, name_or_id: str) -> Image:
        """nova's lookup: an id-like value is fetched, anything else matched by exact name."""
        if is_uuid_like(name_or_id):
            return self.get(name_or_id)
        url = f"/v2/images?name={_quote(name_or_id)}"
        matches = _images(self._adapter.get(url).json(), url)
        if not matches:
            raise ResourceNotFound(f"No Image matching {name_or_id}.")
        if len(matches) > 1:
            raise NoUniqueMatch(
                f"Multiple image matches found for '{name_or_id}', use an ID to be more specific."
            )
        return Image.from_body(matches[0])

    def by_ids(self, image_ids: Iterable[str]) -> dict[str, Image]:
        """The images among `image_ids`, in one `id=in:` request per 150 ids (one in practice).

        `limit` asks for all of them in that page; a `next` link is still followed in case the
        server caps the page lower.
        """
        wanted = sorted(set(image_ids))
        found: dict[str, Image] = {}
        for start in range(0, len(wanted), _IDS_PER_REQUEST):
            chunk = wanted[start : start + _IDS_PER_REQUEST]
            url: str | None = (
                f"/v2/images?id=in:{','.join(_quote(i) for i in chunk)}&limit={len(chunk)}"
            )
            while url:
                body = self._adapter.get(url).json()
                items = _images(body, url)
                for item in items:
                    image = Image.from_body(item)
                    found[image.id] = image
                next_link = body.get("next")
                more = items and next_link and len(found) < len(wanted)
                url = str(next_link) if more else None
        return found
