"""Run inside the interoperability venv: a tempest run's subunit stream to JSON lines.

Reads subunit v2 on stdin and writes one JSON object per test record on stdout:
{"id", "status", "reason", "requests"}. `requests` lists the answers the harness must look at to
tell a real pass from one that only met a missing endpoint: every 404 and 405, and the 400s
whose body says the server action does not exist — taken from the log tempest captured during
the test (its rest client logs each request, with the response body at debug level).
"""

import json
import re
import sys

# `Request (Class:test_x): 404 GET http://host/path 0.003s`, then the debug record with bodies.
REQUEST = re.compile(r"Request \([^)]*\): (\d{3}) ([A-Z]+) (\S+) [0-9.]+s")
NO_SUCH_ACTION = "There is no such action"
# Only these answers can come from an endpoint the cloud does not have.
LOOKED_AT = {"400", "404", "405"}


def _text(details, name):
    content = details.get(name)
    return content.as_text() if content is not None else ""


def requests_of(log):
    found = []
    matches = list(REQUEST.finditer(log))
    for index, match in enumerate(matches):
        status, method, url = match.groups()
        if status not in LOOKED_AT:
            continue
        end = matches[index + 1].start() if index + 1 < len(matches) else len(log)
        no_such_action = status == "400" and NO_SUCH_ACTION in log[match.end() : end]
        if status == "400" and not no_such_action:
            continue
        found.append([int(status), method, url, no_such_action])
    return found


def main():
    # Only the interoperability venv has these; requests_of is tested from our own venv too.
    import subunit
    from testtools import StreamToDict

    records = []
    result = StreamToDict(records.append)
    result.startTestRun()
    subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout").run(result)
    result.stopTestRun()
    for record in records:
        details = record["details"]
        reason = _text(details, "reason")
        if not reason and record["status"] == "fail":
            lines = _text(details, "traceback").strip().splitlines()
            reason = lines[-1] if lines else ""
        log = "".join(_text(details, name) for name in details if name.startswith("pythonlogging"))
        out = {
            "id": record["id"],
            "status": record["status"],
            "reason": reason[:300],
            "requests": requests_of(log),
        }
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
