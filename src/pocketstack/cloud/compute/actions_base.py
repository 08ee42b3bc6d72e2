"""What every server action shares: the call it runs in, its reply, the registry entry that
names its handler and how the action log records it, and Nova's state checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import string
from collections.abc import Callable
from typing import Any

import falcon
from sqlalchemy.orm import Session

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.compute import driver, policy
from pocketstack.cloud.compute.requests import ServerAction
from pocketstack.cloud.compute.servers import check_not_locked
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.errors import Conflict
from pocketstack.cloud.store.models.compute import Instance


@dataclasses.dataclass(frozen=True)
class Call:
    """One action on one server, inside the write transaction that holds the server's row."""

    deps: CloudDeps
    ctx: RequestContext
    req: falcon.Request
    session: Session
    row: Instance
    now: dt.datetime

    def start(self, task_state: str) -> None:
        driver.start_transition(
            self.row, task_state, now=self.now, delay=self.deps.driver_delay
        )

    def member(self, rule: str) -> None:
        """The action's rule, a project member's or an admin's by default; and not locked."""
        policy.project_member_or_admin(self.ctx, f"os_compute_api:{rule}")
        check_not_locked(self.ctx, self.row)

    def admin(self, rule: str) -> None:
        policy.admin_api(self.ctx, f"os_compute_api:{rule}")


@dataclasses.dataclass(frozen=True)
class Reply:
    """An action's answer when it is not the usual 202 without a body."""

    status: str
    body: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


Handler = Callable[[Call, ServerAction], Reply | None]


@dataclasses.dataclass(frozen=True)
class Entry:
    handler: Handler
    # The action's name in the instance action log; None: not recorded (as in Nova).
    logged_as: str | None


def invalid_state(action: str, row: Instance, attr: str, value: str | None) -> Conflict:
    return Conflict(f"Cannot '{action}' instance {row.uuid} while it is in {attr} {value}")


def check_host(action: str, row: Instance) -> None:
    """Nova's check_instance_host: a server no host took (NoValidHost) cannot be acted on."""
    if row.host is None:
        raise Conflict(f"Instance {row.uuid} is not ready")


def check_state(
    action: str, row: Instance, vm_states: tuple[str, ...], *, any_task: bool = False
) -> None:
    """Nova's check_instance_state: one of `vm_states` and, unless `any_task`, no task."""
    if row.vm_state not in vm_states:
        raise invalid_state(action, row, "vm_state", row.vm_state)
    if not any_task and row.task_state is not None:
        raise invalid_state(action, row, "task_state", row.task_state)


def generated_password() -> str:
    # Nova's generated admin password: 12 letters and digits.
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(12))
