"""Project tags: Keystone's limits on them, their rows, and the project list's tag filters.

A tag is 1 to 255 characters with neither `/` nor `,` (the API working group's tag rules, which
Keystone follows), a project has at most 80, each once. Every write first locks the project's
row, so concurrent writes to one project's tags happen one after the other: the count and the
uniqueness checks see each other's work, and two identical adds give a 201 and a 400, never a
duplicate row (which the primary key would refuse anyway).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import jsonschema
from sqlalchemy import Select, and_, delete, not_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pocketstack.cloud.api.operation import JSON, Microversion
from pocketstack.cloud.api.requests import error_message
from pocketstack.cloud.errors import BadRequest, NotFound
from pocketstack.cloud.identity import requests as bodies
from pocketstack.cloud.identity.errors import SchemaError
from pocketstack.cloud.store.models.credential import ProjectTag
from pocketstack.cloud.store.models.identity import Project

MAX_TAGS = 80
TAG: JSON = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^,/]*$"}
TAGS: JSON = {"type": "array", "items": TAG, "maxItems": MAX_TAGS, "uniqueItems": True}
TAGS_UPDATE: JSON = {
    "type": "object",
    "properties": {"tags": TAGS},
    "required": ["tags"],
    "additionalProperties": False,
}
_TAGS_CHECK = jsonschema.Draft4Validator(TAGS)

# The project list's filters: each a comma-separated list of tags.
FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TagsUpdate:
    tags: tuple[str, ...]


def _stripped(tags: Iterable[str]) -> tuple[str, ...]:
    # Keystone strips each tag before keeping it.
    return tuple(t.strip() for t in tags)


def parse_tags_update(body: Any, version: Microversion | None) -> TagsUpdate:
    return TagsUpdate(tags=_stripped(body["tags"]))


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaggedProjectCreate:
    project: bodies.ProjectCreate
    tags: tuple[str, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaggedProjectUpdate:
    project: bodies.EntityUpdate
    # None: the tags stay as they are.
    tags: tuple[str, ...] | None


def parse_project_create(body: Any, version: Microversion | None) -> TaggedProjectCreate:
    return TaggedProjectCreate(
        project=bodies.parse_project_create(body, version),
        tags=_stripped(body["project"].get("tags") or ()),
    )


def parse_project_update(body: Any, version: Microversion | None) -> TaggedProjectUpdate:
    tags = body["project"].get("tags")
    return TaggedProjectUpdate(
        project=bodies.parse_project_update(body, version),
        tags=None if tags is None else _stripped(tags),
    )


def check(tags: Sequence[str]) -> None:
    """Keystone's list rules (length, characters, count, each once) as its 400 words them."""
    error = jsonschema.exceptions.best_match(_TAGS_CHECK.iter_errors(list(tags)))
    if error is None:
        return
    step = list(error.absolute_path)
    if step:
        raise SchemaError(path=str(step[0]), detail=error_message(error))
    raise BadRequest(error_message(error))


def lock_project(session: Session, project_id: str) -> Project:
    project = session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise NotFound(f"Could not find project: {project_id}.")
    return project


def tags_of(session: Session, project_id: str) -> list[str]:
    query = select(ProjectTag.name).where(ProjectTag.project_id == project_id)
    return list(session.execute(query.order_by(ProjectTag.name)).scalars())


def tags_by_project(session: Session, project_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return found
    query = (
        select(ProjectTag.project_id, ProjectTag.name)
        .where(ProjectTag.project_id.in_(project_ids))
        .order_by(ProjectTag.name)
    )
    for project_id, name in session.execute(query):
        found[project_id].append(name)
    return found


def replace(session: Session, project_id: str, tags: Sequence[str]) -> list[str]:
    """The project's tags become `tags` (the project row locked by the caller)."""
    check(tags)
    session.execute(delete(ProjectTag).where(ProjectTag.project_id == project_id))
    session.add_all(ProjectTag(project_id=project_id, name=t) for t in tags)
    session.flush()
    return sorted(tags)


def add(session: Session, project_id: str, tag: str) -> None:
    """One more tag; a tag the project has, or an 81st, is Keystone's 400."""
    lock_project(session, project_id)
    tag = tag.strip()
    check([*tags_of(session, project_id), tag])
    session.add(ProjectTag(project_id=project_id, name=tag))
    try:
        session.flush()
    except IntegrityError:
        # Only a backend that ignored the row lock gets here; the answer is the same.
        check([tag, tag])
        raise


def remove(session: Session, project_id: str, tag: str) -> None:
    lock_project(session, project_id)
    gone = session.execute(
        delete(ProjectTag).where(ProjectTag.project_id == project_id, ProjectTag.name == tag)
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"Could not find project tag: {tag}.")


def has(session: Session, project_id: str, tag: str) -> bool:
    query = select(ProjectTag.name).where(
        ProjectTag.project_id == project_id, ProjectTag.name == tag
    )
    return session.execute(query).first() is not None


def filtered(query: Select[Project], params: dict[str, str | None]) -> Select[Project]:
    """The project list narrowed by Keystone's tag filters (each a comma-separated list)."""
    for name in FILTERS:
        raw = params.get(name)
        if raw is None:
            continue
        wanted = [t for t in raw.split(",") if t]
        if not wanted:
            continue
        each = [
            Project.id.in_(select(ProjectTag.project_id).where(ProjectTag.name == t))
            for t in wanted
        ]
        any_of = Project.id.in_(select(ProjectTag.project_id).where(ProjectTag.name.in_(wanted)))
        condition = {
            "tags": and_(*each),
            "tags-any": any_of,
            "not-tags": not_(and_(*each)),
            "not-tags-any": not_(any_of),
        }[name]
        query = query.where(condition)
    return query
