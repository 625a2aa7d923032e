"""appraisal events: reviewers' checklist answers and ratings, append-only

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appraisal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study", sa.String(length=300), nullable=False),
        sa.Column("reports", sa.Text(), nullable=False),
        sa.Column("checklist", sa.String(length=200), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("rating", sa.String(length=100), nullable=True),
        sa.Column("domain_ratings", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("appraisal_events", schema=None) as batch_op:
        batch_op.create_index("ix_appraisal_events_study", ["study", "checklist"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appraisal_events", schema=None) as batch_op:
        batch_op.drop_index("ix_appraisal_events_study")
    op.drop_table("appraisal_events")
