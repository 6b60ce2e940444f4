"""Apply and check the Alembic migrations of an app's database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from .db import Base, database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(app, revision: str = "head") -> None:
    db = database(app)
    with db.engine.begin() as connection:
        cfg = alembic_config(db.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def drift(app) -> list:
    """Differences between the models and the migrated database (empty when in step)."""
    from . import models  # noqa: F401

    with database(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def revision(app, message: str) -> None:
    db = database(app)
    command.revision(alembic_config(db.url), message=message, autogenerate=True)
