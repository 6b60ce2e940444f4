"""Engine and session per app, the declarative base and a UTC datetime type."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from flask import current_app, g, has_request_context, request
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, object_session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite drops the zone; this puts it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Database:
    """The engines and session factories of one app.

    On SQLite, sessions for writes open ``BEGIN IMMEDIATE`` so that a transaction that reads and
    then writes never fails half-way with "database is locked"; reads keep deferred transactions.
    """

    def __init__(self, url: str, echo: bool = False):
        self.url = url
        self.engine = _make_engine(url, echo, immediate=False)
        if self.engine.dialect.name == "sqlite":
            self.write_engine = _make_engine(url, echo, immediate=True)
        else:
            self.write_engine = self.engine
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.WriteSession = sessionmaker(self.write_engine, expire_on_commit=False)

    def dispose(self, close: bool = True) -> None:
        """Drop the pooled connections; ``close=False`` in a forked child, whose inherited
        connections belong to the parent (closing them would end the parent's sessions)."""
        self.engine.dispose(close=close)
        if self.write_engine is not self.engine:
            self.write_engine.dispose(close=close)


def _make_engine(url: str, echo: bool, *, immediate: bool) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(
            url, echo=echo, hide_parameters=True, pool_recycle=1800, pool_size=10, max_overflow=20
        )
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        connect_args={"timeout": 30, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a process crash
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()
        # SQLite's lower() (which ilike() and sorting by name use) folds A-Z only: "élodie"
        # would not find "Élodie". Python's is Unicode's, as PostgreSQL's under a UTF-8 locale.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app) -> None:
    app.extensions["assessor_db"] = Database(app.config["DATABASE_URL"], app.config["SQL_ECHO"])
    app.teardown_appcontext(_close_session)


def database(app=None) -> Database:
    return (app or current_app).extensions["assessor_db"]


def get_session() -> Session:
    """The session of this request: a write session for POST and friends."""
    if "db_session" not in g:
        db = database()
        writes = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        g.db_session = (db.WriteSession if writes else db.Session)()
    return g.db_session


def _close_session(exc) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def use_case(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """A use case owns its transaction: its first argument is the session (or an object of
    it), and when the outermost use case on that session returns, its work is committed; when
    it raises, rolled back, unless the exception says that what was done before it stays
    (``keeps_changes``: an overdue attempt finalised by its last save, the answers sent with a
    submission that waits). A use case that calls another commits once, at the end. Views only
    call them."""

    @functools.wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        first = args[0]  # the session, or a mapped object of the session (its row changes)
        session = first if isinstance(first, Session) else object_session(first)
        depth = session.info.get("use_case_depth", 0)
        session.info["use_case_depth"] = depth + 1
        try:
            result = function(*args, **kwargs)
        except BaseException as exc:
            if depth == 0:
                if getattr(exc, "keeps_changes", False):
                    session.commit()
                else:
                    session.rollback()
            raise
        finally:
            session.info["use_case_depth"] = depth
        if depth == 0:
            session.commit()
        return result

    return run
