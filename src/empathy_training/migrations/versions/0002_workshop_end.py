"""Workshops record when they ended: an ended workshop refuses new answers and keeps the old."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_workshop_end"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add `workshops.ended_at`; a workshop ended before it existed keeps no time."""
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop `workshops.ended_at` (whether a workshop ended stays in `closed`)."""
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("ended_at")
