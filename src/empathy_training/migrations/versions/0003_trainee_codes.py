"""Trainee names compared in any case, personal codes, and a log of failed checks."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_trainee_codes"
down_revision = "0002_workshop_end"
branch_labels = None
depends_on = None

_NAME_KEY_LENGTH = 240


def upgrade() -> None:
    """Add name_key (unique per workshop, and among solo trainees), code_hash, failed_checks."""
    with op.batch_alter_table("trainees") as batch:
        batch.add_column(sa.Column("name_key", sa.String(_NAME_KEY_LENGTH), nullable=True))
        batch.add_column(sa.Column("code_hash", sa.String(200), nullable=True))
    _fill_name_keys()
    op.drop_index("uq_trainees_solo_display_name", table_name="trainees")
    with op.batch_alter_table("trainees") as batch:
        batch.alter_column("name_key", existing_type=sa.String(_NAME_KEY_LENGTH), nullable=False)
        batch.drop_constraint("uq_trainees_workshop_id_display_name", type_="unique")
        batch.create_unique_constraint(
            "uq_trainees_workshop_id_name_key", ["workshop_id", "name_key"]
        )
    op.create_index(
        "uq_trainees_solo_name_key",
        "trainees",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text("workshop_id IS NULL"),
        postgresql_where=sa.text("workshop_id IS NULL"),
    )
    op.create_table(
        "failed_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failed_checks"),
    )
    op.create_index("ix_failed_checks_subject", "failed_checks", ["subject"])


def _fill_name_keys() -> None:
    """Every trainee's compared name; names that now clash ('Sam', 'sam') get ' (2)', ' (3)'."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, display_name, workshop_id FROM trainees ORDER BY id")
    ).all()
    taken: set[tuple[int | None, str]] = set()
    for trainee_id, display_name, workshop_id in rows:
        name, number = display_name, 1
        while (workshop_id, " ".join(name.split()).casefold()) in taken:
            number += 1
            name = f"{display_name[:54]} ({number})"
        key = " ".join(name.split()).casefold()
        taken.add((workshop_id, key))
        connection.execute(
            sa.text("UPDATE trainees SET display_name = :name, name_key = :key WHERE id = :id"),
            {"name": name, "key": key, "id": trainee_id},
        )


def downgrade() -> None:
    """Back to names compared exactly; personal codes and failed checks are dropped."""
    op.drop_index("ix_failed_checks_subject", table_name="failed_checks")
    op.drop_table("failed_checks")
    op.drop_index("uq_trainees_solo_name_key", table_name="trainees")
    with op.batch_alter_table("trainees") as batch:
        batch.drop_constraint("uq_trainees_workshop_id_name_key", type_="unique")
        batch.create_unique_constraint(
            "uq_trainees_workshop_id_display_name", ["workshop_id", "display_name"]
        )
        batch.drop_column("code_hash")
        batch.drop_column("name_key")
    op.create_index(
        "uq_trainees_solo_display_name",
        "trainees",
        ["display_name"],
        unique=True,
        sqlite_where=sa.text("workshop_id IS NULL"),
        postgresql_where=sa.text("workshop_id IS NULL"),
    )
