"""Application credentials that go when what they stood on goes, as Keystone reaps them.

A credential acts for its user on one project: Keystone deletes the user's credentials on a
project when a role grant of the user there is removed (the role deleted included), and all of
a user's credentials, with their access rules, when the user is disabled (deleted: the foreign
keys take them). A credential the user could still use through another grant goes too: Keystone
does not look, and a credential someone meant to lose must not survive by accident.

Each function runs in the caller's transaction, before the grant's row goes; the tokens made
from the credentials are scoped where the grant was (or the user's), so the caller's revocation
of those ends them.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.cloud.store.models.application_credential import AccessRule, ApplicationCredential
from pocketstack.cloud.store.models.identity import RoleAssignment


def on_project(session: Session, user_id: str, project_id: str) -> None:
    """A grant of the user on the project is going."""
    session.execute(
        delete(ApplicationCredential).where(
            ApplicationCredential.user_id == user_id,
            ApplicationCredential.project_id == project_id,
        )
    )


def of_role(session: Session, role_id: str) -> None:
    """The role is going: every user granted it on a project loses their credentials there."""
    holders = select(RoleAssignment.user_id, RoleAssignment.target_id).where(
        RoleAssignment.role_id == role_id, RoleAssignment.target_type == "project"
    )
    for user_id, project_id in session.execute(holders).all():
        on_project(session, user_id, project_id)


def of_user(session: Session, user_id: str) -> None:
    """The user is disabled: their credentials go, then the access rules they used."""
    session.execute(delete(ApplicationCredential).where(ApplicationCredential.user_id == user_id))
    session.execute(delete(AccessRule).where(AccessRule.user_id == user_id))
