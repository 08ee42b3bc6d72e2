"""The collaborators every app factory takes, built once per process (per worker after fork)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pocketstack.cloud.attempts import AttemptCounts
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
    # Password attempts per client address; the serving master makes them before forking, so
    # that its workers share them.
    login_attempts: AttemptCounts
    # The test controls' override of the configured driver delay (controls/clock.py), given the
    # configured one; None without the test controls.
    delay_override: Callable[[float], float] | None = None

    @property
    def driver_delay(self) -> float:
        """How long a server stays in a transitional state, in seconds: what every compute
        module reads, so that a test can change it while the cloud runs."""
        if self.delay_override is None:
            return self.config.driver_delay
        return self.delay_override(self.config.driver_delay)


def build_deps(
    config: CloudConfig,
    *,
    clock: Clock | None = None,
    store: Store | None = None,
    login_attempts: AttemptCounts | None = None,
) -> CloudDeps:
    clock = clock or SystemClock()
    login_attempts = login_attempts or AttemptCounts(window=config.login_throttle_window)
    store = store or Store(config.db_url)
    delay_override: Callable[[float], float] | None = None
    if config.test_controls:
        # Imported here: a cloud without the test controls never loads them.
        from pocketstack.cloud.controls.clock import ControlledClock

        controlled = ControlledClock(clock, store)
        clock = controlled
        delay_override = controlled.driver_delay
    keys = KeyRepository(config.key_repository)
    tokens = TokenProvider(keys=keys, clock=clock, store=store, expiration=config.token_expiration)
    return CloudDeps(
        config=config,
        store=store,
        keys=keys,
        tokens=tokens,
        clock=clock,
        login_attempts=login_attempts,
        delay_override=delay_override,
    )
