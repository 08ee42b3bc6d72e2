"""The tasks of an image's imports (`GET /v2/images/{id}/tasks`, Glance v2.12).

Glance runs each import as an `api_image_import` task and lists an image's tasks so that a
client can follow its import. Imports finish before their 202 here, so a task is recorded once,
when it has succeeded or failed; with no table of their own, an image's tasks are kept as JSON
beside its data (`<data_dir>/images/tasks/<image id>.json`), removed with it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import uuid
from typing import Any

from pocketstack.cloud.auth.context import RequestContext
from pocketstack.cloud.deps import CloudDeps
from pocketstack.cloud.image import data_store

# Glance's task_time_to_live: 48 hours.
TIME_TO_LIVE = dt.timedelta(hours=48)


def _isotime(when: dt.datetime) -> str:
    # Glance's serializer writes its naive UTC datetimes with isoformat().
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def tasks_of(deps: CloudDeps, image_id: str) -> list[dict[str, Any]]:
    try:
        text = data_store.tasks_path(deps, image_id).read_text()
    except FileNotFoundError:
        return []
    tasks: list[dict[str, Any]] = json.loads(text)
    return tasks


def record(
    deps: CloudDeps,
    ctx: RequestContext,
    image_id: str,
    *,
    body: Any,
    failure: str | None,
) -> None:
    """An import of `image_id` asked with `body`, done (`failure` None) or failed."""
    now = deps.clock.now()
    task = {
        "id": str(uuid.uuid4()),
        "type": "api_image_import",
        "status": "failure" if failure else "success",
        "owner": ctx.project_id,
        "expires_at": _isotime(now + TIME_TO_LIVE),
        "created_at": _isotime(now),
        "updated_at": _isotime(now),
        "deleted_at": None,
        "deleted": False,
        "image_id": image_id,
        "request_id": ctx.request_id,
        "user_id": ctx.user_id,
        "input": {"image_id": image_id, "import_req": body, "backend": [data_store.STORE_ID]},
        "result": None if failure else {"image_id": image_id},
        "message": failure or "",
    }
    path = data_store.tasks_path(deps, image_id)
    tasks = [*tasks_of(deps, image_id), task]
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "w") as out:
        json.dump(tasks, out)
    os.replace(name, path)
