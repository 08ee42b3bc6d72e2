"""From a tempest run's records to one outcome per listed test, and the ratchet's verdict.

- A class whose setUpClass or tearDownClass failed counts all its tests as failed: its tests did
  not run, or ran on a class whose set-up or clean-up the cloud broke.
- A class skipped in setUpClass counts all its tests as skipped, with the reason.
- A test that passed but met an endpoint the cloud does not have (a 404 or 405 on a method and
  path the cloud's OpenAPI document does not describe, or Nova's 400 "There is no such action")
  did not pass: a negative test that expects 404 from a missing API proves nothing.
- A listed test with no record at all (a worker died) failed.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

PASSED, FAILED, SKIPPED, MISSING = "passed", "failed", "skipped", "missing endpoint"
STATUSES = (PASSED, FAILED, SKIPPED, MISSING)
_CLASS_RECORD = re.compile(r"^(setUpClass|tearDownClass) \((.+)\)$")
# tempest.log: `Request (ClassName:setUpClass): 404 GET http://... 0.004s`
_CLASS_REQUEST = re.compile(
    r"Request \((\w+):(setUpClass|tearDownClass)\): (\d{3}) ([A-Z]+) (\S+) [0-9.]+s"
)
_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""


def name_of(test_id: str) -> str:
    """The id without tempest's `[id-...,tags]` attributes."""
    return test_id.split("[", 1)[0]


def class_of(name: str) -> str:
    return name.rsplit(".", 1)[0]


def group_of(name: str) -> str:
    """`tempest.api.compute.admin.test_x.C.test_y` -> `compute`; the serial tests
    (`tempest.serial_tests.api.compute...`) count in their service's group."""
    parts = name.split(".")
    if parts[:2] == ["tempest", "serial_tests"]:
        parts = parts[:1] + parts[2:]
    return parts[2] if len(parts) > 3 and parts[:2] == ["tempest", "api"] else "other"


class Operations:
    """The (method, path) pairs a cloud serves, from its OpenAPI document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._routes: list[tuple[re.Pattern[str], frozenset[str]]] = []
        for template, item in document.get("paths", {}).items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template.rstrip("/")))
            methods = frozenset(m.upper() for m in item if m in _HTTP_METHODS)
            self._routes.append((re.compile(pattern + "/?"), methods))

    def serves(self, method: str, url: str) -> bool:
        path = urlsplit(url).path
        return any(
            method in methods and pattern.fullmatch(path) for pattern, methods in self._routes
        )

    def missing(self, request: Sequence[Any]) -> bool:
        status, method, url, no_such_action = request
        if status == 400:
            return bool(no_such_action)
        return status in (404, 405) and not self.serves(method, url)


def class_requests(tempest_log: str) -> dict[str, list[list[Any]]]:
    """Class name -> the answers its setUpClass/tearDownClass got that may show a missing
    endpoint (404, 405). Bodies are not read here: a 400 is left to the per-test records."""
    found: dict[str, list[list[Any]]] = {}
    for match in _CLASS_REQUEST.finditer(tempest_log):
        name, _, status, method, url = match.groups()
        if status in ("404", "405"):
            found.setdefault(name, []).append([int(status), method, url, False])
    return found


def classify(
    listed: Iterable[str],
    records: Iterable[Mapping[str, Any]],
    *,
    operations: Operations,
    class_log: Mapping[str, Sequence[Sequence[Any]]],
) -> dict[str, Outcome]:
    names = sorted({name_of(test_id) for test_id in listed})
    by_test: dict[str, Mapping[str, Any]] = {}
    class_failed: dict[str, str] = {}
    class_skipped: dict[str, str] = {}
    for record in records:
        match = _CLASS_RECORD.match(record["id"])
        if match is None:
            by_test[name_of(record["id"])] = record
        elif record["status"] == "skip":
            class_skipped[match[2]] = record["reason"]
        elif record["status"] != "success":
            class_failed[match[2]] = f"{match[1]} failed: {record['reason']}"
    outcomes: dict[str, Outcome] = {}
    for name in names:
        klass = class_of(name)
        record = by_test.get(name)
        if klass in class_failed:
            outcomes[name] = Outcome(FAILED, class_failed[klass])
        elif record is None:
            if klass in class_skipped:
                outcomes[name] = Outcome(SKIPPED, class_skipped[klass])
            else:
                outcomes[name] = Outcome(FAILED, "no result: the test did not run")
        elif record["status"] == "success":
            met = [r for r in record["requests"] if operations.missing(r)]
            met += [r for r in class_log.get(klass.rsplit(".", 1)[-1], ()) if operations.missing(r)]
            if met:
                status, method, url, _ = met[0]
                outcomes[name] = Outcome(MISSING, f"{status} {method} {urlsplit(url).path}")
            else:
                outcomes[name] = Outcome(PASSED)
        elif record["status"] in ("skip", "xfail"):
            outcomes[name] = Outcome(SKIPPED, record["reason"])
        else:
            outcomes[name] = Outcome(FAILED, record["reason"])
    return outcomes


def counts(outcomes: Mapping[str, Outcome]) -> dict[str, Counter[str]]:
    """Group -> status -> number of tests."""
    table: dict[str, Counter[str]] = {}
    for name, outcome in outcomes.items():
        table.setdefault(group_of(name), Counter())[outcome.status] += 1
    return table


@dataclasses.dataclass(frozen=True)
class Verdict:
    broken: dict[str, Outcome]  # listed as must-pass, did not pass
    new: list[str]  # passed, not listed yet

    @property
    def ok(self) -> bool:
        return not self.broken


def judge(outcomes: Mapping[str, Outcome], must_pass: Iterable[str]) -> Verdict:
    listed = set(must_pass)
    broken = {
        name: outcomes.get(name, Outcome(FAILED, "no longer in tempest's list"))
        for name in sorted(listed)
        if name not in outcomes or outcomes[name].status != PASSED
    }
    new = sorted(n for n, o in outcomes.items() if o.status == PASSED and n not in listed)
    return Verdict(broken=broken, new=new)


def read_list(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def table(outcomes: Mapping[str, Outcome], must_pass: Iterable[str]) -> str:
    """The README's table: tests per group by outcome, and how many the ratchet holds."""
    by_group = counts(outcomes)
    required = Counter(group_of(name) for name in must_pass)
    rows = [
        "| group | tests | passed | failed | skipped | passed only on a missing endpoint"
        " | must pass |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for group in sorted(by_group):
        counted = by_group[group]
        total.update(counted)
        rows.append(_row(f"`tempest.api.{group}`", counted, required[group]))
    rows.append(_row("all", total, sum(required.values())))
    return "\n".join(rows)


def _row(label: str, counted: Counter[str], required: int) -> str:
    cells = [str(sum(counted.values())), *(str(counted[s]) for s in (PASSED, FAILED, SKIPPED))]
    return f"| {label} | {' | '.join(cells)} | {counted[MISSING]} | {required} |"
