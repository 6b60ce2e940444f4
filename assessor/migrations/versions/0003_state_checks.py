"""state checks: attempts, scoring jobs and webhook deliveries accept only their states

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:30:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The values of AttemptState, JobState and DeliveryState (assessor/models/states.py) as they are
# today: a migration keeps what it wrote, whatever the enums become.
STATES = {
    "attempt": ("in_progress", "submitted", "scored", "failed"),
    "scoring_job": ("pending", "running", "done", "failed"),
    "webhook_delivery": ("pending", "delivering", "delivered", "failed"),
}


def upgrade() -> None:
    for table, states in STATES.items():
        allowed = ", ".join(f"'{state}'" for state in states)
        # batch: SQLite cannot add a constraint to a table, so the table is copied with it
        with op.batch_alter_table(table) as batch:
            batch.create_check_constraint("state", f"state IN ({allowed})")


def downgrade() -> None:
    for table in STATES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint("state", type_="check")
