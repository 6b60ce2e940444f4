"""Adopting question banks into an organisation: each version is kept, the newest is offered."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessor.db import use_case
from assessor.errors import InvalidInput, NotFound
from assessor.models import AuditEntry, Bank, Organisation
from assessor.question_banks import Bank as BankDefinition


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
        if BankDefinition.from_dict(existing.definition) != bank:
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


def organisation_bank_versions(session: Session, organisation_id: int) -> list[Bank]:
    """Every version the organisation adopted, bank by bank, newest version first."""
    stmt = select(Bank).where(Bank.organisation_id == organisation_id)
    return list(session.scalars(stmt.order_by(Bank.slug, Bank.version.desc())))


@use_case
def set_bank_active(
    session: Session, organisation_id: int, bank_id: int, active: bool, *, user_id: int, now
) -> Bank:
    """Offer one version of a bank to new invitations (the others of its bank stop being
    offered), or stop offering it. Attempts keep what they showed either way; audited."""
    bank = session.get(Bank, bank_id)
    if bank is None or bank.organisation_id != organisation_id:
        raise NotFound("No such question bank.")
    if active:
        session.execute(
            update(Bank)
            .where(Bank.organisation_id == organisation_id, Bank.slug == bank.slug)
            .where(Bank.id != bank.id)
            .values(active=False)
        )
    if bank.active != active:
        session.add(
            AuditEntry(
                organisation_id=organisation_id,
                user_id=user_id,
                action="bank_activated" if active else "bank_deactivated",
                new_value={"bank": bank.slug, "version": bank.version},
                created_at=now,
            )
        )
    bank.active = active
    session.flush()
    return bank
