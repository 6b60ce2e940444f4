"""Organisations and their recruiters' accounts: creating them, logging in, their banks.

The list of attempts is in ``attempt_list`` (filters in ``attempt_filters``), pass marks in
``pass_marks``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessor.candidate.invitations import _EMAIL_RE
from assessor.db import use_case
from assessor.errors import N_, InvalidInput
from assessor.models import ROLES, Bank, Organisation, User
from assessor.security import hash_password, password_problem, verify_password

_DUMMY_HASH = None


def get_or_create_organisation(session: Session, name: str) -> Organisation:
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise InvalidInput("Give the organisation a name of 1 to 200 characters.")
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name)
        session.add(org)
        session.flush()
    return org


@use_case
def create_user(session, *, organisation: Organisation, email, name, password, role) -> User:
    email = (email or "").strip().lower()
    problems: list[tuple[str, dict]] = []  # (message, params): translated where shown
    if not _EMAIL_RE.match(email):
        problems.append((N_("Give a valid e-mail address."), {}))
    elif session.scalar(select(User).where(User.email == email)) is not None:
        problems.append((N_("A user with this e-mail address already exists."), {}))
    if role not in ROLES:
        problems.append((N_("The role must be one of: %(roles)s."), {"roles": ", ".join(ROLES)}))
    if not (name or "").strip():
        problems.append((N_("Give the user's name."), {}))
    if problem := password_problem(password or ""):
        problems.append(problem)
    if problems:
        message, params = problems[0]
        raise InvalidInput(message, params, problems=problems)
    user = User(
        organisation_id=organisation.id,
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


@use_case
def authenticate(session: Session, email: str, password: str, now: datetime) -> User | None:
    global _DUMMY_HASH
    user = session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("not-a-real-password")
        verify_password(_DUMMY_HASH, password or "")  # same work whether or not the user exists
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    user.last_login_at = now
    return user


def organisation_banks(session: Session, organisation_id: int) -> list[Bank]:
    stmt = select(Bank).where(Bank.organisation_id == organisation_id, Bank.active.is_(True))
    return list(session.scalars(stmt.order_by(Bank.title, Bank.version.desc())))
