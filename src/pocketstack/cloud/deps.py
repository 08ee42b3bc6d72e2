"""The collaborators every app factory takes, built once per process (per worker after fork)."""

from __future__ import annotations

import dataclasses

from pocketstack.cloud.auth.keys import KeyRepository
from pocketstack.cloud.auth.tokens import TokenProvider
from pocketstack.cloud.clock import Clock, SystemClock
from pocketstack.cloud.config import CloudConfig
from pocketstack.cloud.store.db import Store


@dataclasses.dataclass(frozen=True, kw_only=True)
class CloudDeps:
    config: CloudConfig
    store: Store
    keys: KeyRepository
    tokens: TokenProvider
    clock: Clock


def build_deps(
    config: CloudConfig, *, clock: Clock | None = None, store: Store | None = None
) -> CloudDeps:
    clock = clock or SystemClock()
    store = store or Store(config.db_url)
    keys = KeyRepository(config.key_repository)
    tokens = TokenProvider(keys=keys, clock=clock, store=store, expiration=config.token_expiration)
    return CloudDeps(config=config, store=store, keys=keys, tokens=tokens, clock=clock)
