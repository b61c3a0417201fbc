"""claims: the content a route was planned on, and a finance hold

Revision ID: 0013_controls
Revises: 0012_workapps
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_controls"
down_revision = "0012_workapps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        # what the route was planned and approved on: a resubmission with other content re-plans
        batch.add_column(sa.Column("routed_content", sa.JSON(), nullable=True))
        # set while a bad tax-bureau answer (or a disputed source value) stops the claim for finance
        batch.add_column(sa.Column("hold", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("hold")
        batch.drop_column("routed_content")
