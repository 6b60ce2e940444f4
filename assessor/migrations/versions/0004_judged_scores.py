"""judged scores: the overall score and level that follow overrides; pass marks per bank

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 02:00:00
"""

import math
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

import assessor.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# As they were when this was written (scoring/judged.py, aggregate.py, writing-v5's cut-offs): a
# migration keeps what it wrote, whatever the code becomes.
SUBSCORES = ("grammar", "readability", "vocabulary", "task_completion", "typing")
DEFAULT_WEIGHTS = {
    "grammar": 0.30,
    "readability": 0.10,
    "vocabulary": 0.15,
    "task_completion": 0.30,
    "typing": 0.15,
}
CUTOFFS = {"A2": 20.0, "B1": 35.0, "B2": 50.0, "C1": 68.0, "C2": 85.0}
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


def upgrade() -> None:
    op.create_table(
        "bank_pass_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("bank_slug", sa.String(length=100), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", assessor.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_bank_pass_marks_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_bank_pass_marks_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_pass_marks")),
        sa.UniqueConstraint(
            "organisation_id", "bank_slug", name=op.f("uq_bank_pass_marks_organisation_id")
        ),
    )
    with op.batch_alter_table("score") as batch:
        batch.add_column(sa.Column("judged_overall", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("judged_level", sa.String(length=4), nullable=True))
    _judge_existing_scores()


def _judge_existing_scores() -> None:
    """Every score gets its judged overall and level from its card and its overrides."""
    score = sa.table(
        "score",
        sa.column("id", sa.Integer),
        sa.column("attempt_id", sa.Integer),
        sa.column("card", sa.JSON),
        sa.column("overall", sa.Double),
        sa.column("judged_overall", sa.Integer),
        sa.column("judged_level", sa.String),
    )
    override = sa.table(
        "score_override",
        sa.column("attempt_id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("value", sa.Double),
    )
    connection = op.get_bind()
    overrides: dict[int, dict[str, float]] = {}
    for row in connection.execute(sa.select(override.c.attempt_id, override.c.field, override.c.value)):
        overrides.setdefault(row.attempt_id, {})[row.field] = row.value
    for row in connection.execute(
        sa.select(score.c.id, score.c.attempt_id, score.c.card, score.c.overall)
    ).all():
        card = row.card if isinstance(row.card, dict) else {}
        overall, level = _judged(card, row.overall, overrides.get(row.attempt_id, {}))
        connection.execute(
            sa.update(score)
            .where(score.c.id == row.id)
            .values(judged_overall=overall, judged_level=level)
        )


def _judged(card: dict, machine_overall: float, overrides: dict[str, float]) -> tuple[int, str]:
    evidence = card.get("evidence") if isinstance(card.get("evidence"), dict) else {}
    weights = evidence.get("weights") or DEFAULT_WEIGHTS
    subscores = card.get("subscores") if isinstance(card.get("subscores"), dict) else {}
    machine = {n: v for n, v in subscores.items() if _number(v) and n in SUBSCORES}
    overall = machine_overall if _number(machine_overall) else 0.0
    if "overall" in overrides:
        overall = overrides["overall"]
    elif any(n in overrides for n in machine):
        judged = {n: overrides.get(n, v) for n, v in machine.items() if weights.get(n)}
        total = sum(weights[n] for n in judged)
        overall = round(sum(weights[n] * v for n, v in judged.items()) / total, 1) if total else 0.0
    shown = int(Decimal(repr(float(overall))).quantize(0, ROUND_HALF_UP))
    level = LEVELS[0]
    for name in LEVELS[1:]:
        if shown >= CUTOFFS[name]:
            level = name
    return shown, level


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def downgrade() -> None:
    with op.batch_alter_table("score") as batch:
        batch.drop_column("judged_level")
        batch.drop_column("judged_overall")
    op.drop_table("bank_pass_marks")
