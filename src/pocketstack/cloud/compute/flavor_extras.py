"""A flavor's extra specs: /flavors/{id}/os-extra_specs and .../{key} (admins write).

They are one JSON object on the flavor's row (servers copy it at boot); each change reads and
writes it with the row locked, so concurrent changes never lose one another.
"""

from __future__ import annotations

import json

import falcon

from pocketstack.cloud.api.requests import request_of
from pocketstack.cloud.compute.flavor_requests import ExtraSpecs
from pocketstack.cloud.compute.flavors import get_flavor
from pocketstack.cloud.compute.routing import auth_of
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.store.models.compute import Flavor


def _specs(flavor: Flavor) -> dict[str, str]:
    specs: dict[str, str] = json.loads(flavor.extra_specs)
    return specs


def _no_key(flavor_id: str, key: str) -> NotFound:
    return NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")


class FlavorExtraSpecs:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        with self._deps.store.session() as session:
            flavor = get_flavor(session, auth_of(req), flavor_id)
            resp.media = {"extra_specs": _specs(flavor)}

    def on_post(self, req: falcon.Request, resp: falcon.Response, flavor_id: str) -> None:
        change = request_of(req, ExtraSpecs)
        with self._deps.store.session(write=True) as session:
            flavor = get_flavor(session, auth_of(req), flavor_id, lock=True)
            flavor.extra_specs = json.dumps({**_specs(flavor), **change.specs})
        resp.media = change.echo


class FlavorExtraSpec:
    def __init__(self, deps: CloudDeps) -> None:
        self._deps = deps

    def on_get(
        self, req: falcon.Request, resp: falcon.Response, flavor_id: str, flavor_extra_spec_key: str
    ) -> None:
        key = flavor_extra_spec_key
        with self._deps.store.session() as session:
            specs = _specs(get_flavor(session, auth_of(req), flavor_id))
        if key not in specs:
            raise _no_key(flavor_id, key)
        resp.media = {key: specs[key]}

    def on_put(
        self, req: falcon.Request, resp: falcon.Response, flavor_id: str, flavor_extra_spec_key: str
    ) -> None:
        change = request_of(req, ExtraSpecs)
        if flavor_extra_spec_key not in change.specs:
            raise BadRequest("Request body and URI mismatch")
        with self._deps.store.session(write=True) as session:
            flavor = get_flavor(session, auth_of(req), flavor_id, lock=True)
            flavor.extra_specs = json.dumps({**_specs(flavor), **change.specs})
        resp.media = change.echo

    def on_delete(
        self, req: falcon.Request, resp: falcon.Response, flavor_id: str, flavor_extra_spec_key: str
    ) -> None:
        key = flavor_extra_spec_key
        with self._deps.store.session(write=True) as session:
            flavor = get_flavor(session, auth_of(req), flavor_id, lock=True)
            specs = _specs(flavor)
            if key not in specs:
                raise _no_key(flavor_id, key)
            del specs[key]
            flavor.extra_specs = json.dumps(specs)
        resp.status = falcon.HTTP_200
