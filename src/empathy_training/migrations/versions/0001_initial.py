"""Initial schema: workshops, trainees, attempts, ratings and settings."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("vignette_ids", _JSON, nullable=False),
        sa.Column("seconds_per_vignette", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("exemplars_released", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workshops"),
        sa.UniqueConstraint("join_code", name="uq_workshops_join_code"),
    )
    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(60), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_trainees_workshop_id_workshops"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trainees"),
        sa.UniqueConstraint(
            "workshop_id", "display_name", name="uq_trainees_workshop_id_display_name"
        ),
    )
    # Unique constraints treat NULLs as distinct: solo trainees need their own index.
    op.create_index(
        "uq_trainees_solo_display_name",
        "trainees",
        ["display_name"],
        unique=True,
        sqlite_where=sa.text("workshop_id IS NULL"),
        postgresql_where=sa.text("workshop_id IS NULL"),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("module_id", sa.String(100), nullable=False),
        sa.Column("vignette_id", sa.String(100), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("assessment", _JSON, nullable=False),
        sa.Column("hrq_level", sa.Integer(), nullable=False),
        sa.Column("scorer_version", sa.String(50), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("client_attempt_id", sa.String(100), nullable=True),
        sa.ForeignKeyConstraint(
            ["trainee_id"], ["trainees.id"], name="fk_attempts_trainee_id_trainees"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_attempts_workshop_id_workshops"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
        sa.UniqueConstraint("client_attempt_id", name="uq_attempts_client_attempt_id"),
    )
    op.create_index("ix_attempts_trainee_id", "attempts", ["trainee_id"])
    op.create_index("ix_attempts_workshop_id", "attempts", ["workshop_id"])
    op.create_index("ix_attempts_vignette_id", "attempts", ["vignette_id"])
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("rater", sa.String(100), nullable=False),
        sa.Column("hrq_level", sa.Integer(), nullable=True),
        sa.Column("roadblocks", _JSON, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("rubric_version", sa.String(50), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name="fk_ratings_attempt_id_attempts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.UniqueConstraint("attempt_id", "rater", name="uq_ratings_attempt_id_rater"),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )


def downgrade() -> None:
    """Refuse: undoing the first migration would delete every trainee's history."""
    raise NotImplementedError("The initial schema is not downgraded; restore a backup instead.")
