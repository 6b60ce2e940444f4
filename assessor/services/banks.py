"""Adopting question banks into an organisation: each version is kept, the newest is offered."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import InvalidInput
from ..models import Bank, Organisation


def import_bank(session: Session, organisation: Organisation, bank) -> str:
    """Store one loaded bank for an organisation. Returns 'added' or 'unchanged'."""
    definition = bank.to_dict()
    existing = session.scalar(
        select(Bank).where(
            Bank.organisation_id == organisation.id,
            Bank.slug == bank.id,
            Bank.version == bank.version,
        )
    )
    if existing is not None:
        if existing.definition != definition:
            raise InvalidInput(
                f"Bank '{bank.id}' version {bank.version} differs from the one already stored: "
                "bump its version to publish a change (attempts keep what they showed)."
            )
        return "unchanged"
    session.execute(
        update(Bank)
        .where(Bank.organisation_id == organisation.id, Bank.slug == bank.id)
        .values(active=False)
    )
    session.add(
        Bank(
            organisation_id=organisation.id,
            slug=bank.id,
            version=bank.version,
            title=bank.title,
            language=bank.language,
            time_limit_minutes=bank.time_limit_minutes,
            definition=definition,
        )
    )
    session.flush()
    return "added"
