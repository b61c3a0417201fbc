"""documents.image_hash (the photo's perceptual hash, for near-duplicates); claims.cost_centre

Revision ID: 0009_image_hash
Revises: 0006_webhooks
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_image_hash"
down_revision = "0006_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("image_hash", sa.BigInteger(), nullable=True))
        batch.create_index(batch.f("ix_documents_image_hash"), ["image_hash"], unique=False)
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("cost_centre", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("cost_centre")
    with op.batch_alter_table("documents") as batch:
        batch.drop_index(batch.f("ix_documents_image_hash"))
        batch.drop_column("image_hash")
