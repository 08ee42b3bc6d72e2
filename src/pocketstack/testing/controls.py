"""The test controls of a cloud served with them on (`--pocketstack-test-controls`, or
`test_controls = true` in pocketstack.toml), from a test: fault rules, the clock and the driver's
delay, through the admin's control API at /pocketstack/v1."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

from pocketstack.testing.projects import IdentityAdmin, IdentityError


class Controls:
    def __init__(self, url: str, identity: IdentityAdmin) -> None:
        parts = urllib.parse.urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._base = parts.path.rstrip("/") + "/pocketstack/v1"
        self._identity = identity

    def _send(self, method: str, path: str, body: Any, token: str) -> tuple[int, Any]:
        conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
        try:
            headers = {"Content-Type": "application/json", "X-Auth-Token": token}
            payload = None if body is None else json.dumps(body)
            conn.request(method, f"{self._base}{path}", body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def call(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        """One request to the control API; logs in again once when the clock has moved past
        the admin token's expiry."""
        status, answer = self._send(method, path, body, self._identity.token())
        if status == 401:
            status, answer = self._send(method, path, body, self._identity.token(fresh=True))
        if status != expect:
            raise IdentityError(f"{method} /pocketstack/v1{path}: {status} {answer}")
        return answer

    def add_fault(
        self,
        service: str,
        action: str,
        *,
        method: str | None = None,
        path: str | None = None,
        project_id: str | None = None,
        status: int | None = None,
        message: str | None = None,
        seconds: float | None = None,
        times: int | None = None,
    ) -> dict[str, Any]:
        """A fault rule (README, "Faults and the clock"); the rule as the cloud shows it."""
        fault = {"service": service, "action": action, "method": method, "path": path,
                 "project_id": project_id, "status": status, "message": message,
                 "seconds": seconds, "times": times}  # fmt: skip
        body = {"fault": {key: value for key, value in fault.items() if value is not None}}
        made: dict[str, Any] = self.call("POST", "/faults", body, expect=201)["fault"]
        return made

    def faults(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.call("GET", "/faults")["faults"]
        return listed

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults", expect=204)

    def advance_clock(self, seconds: float) -> float:
        """Move the cloud's time forward; the offset from real time, in seconds."""
        moved = self.call("POST", "/clock", {"advance": seconds})
        offset: float = moved["clock"]["offset_seconds"]
        return offset

    def reset_clock(self) -> None:
        self.call("POST", "/clock", {"reset": True})

    def set_driver_delay(self, seconds: float) -> None:
        """How long servers stay in BUILD and the other transitional states from now on."""
        self.call("POST", "/driver", {"delay_seconds": seconds})

    def reset_driver_delay(self) -> None:
        """Back to the delay the cloud was started with."""
        self.call("POST", "/driver", {"reset": True})
