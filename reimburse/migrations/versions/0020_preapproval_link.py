"""a pre-approval is linked by one live claim at most, decided by the database

A partial unique index on ``claims.pre_approval_id`` over the claims that still hold their
pre-approval (every status but rejected, withdrawn and deleted): two claims linking the same
pre-approval at the same moment can no longer both be stored; the service turns the loser's
refusal into ``409 pre_approval_used``. SQLite and PostgreSQL both know partial indexes.

Revision ID: 0020_preapproval_link
Revises: 0019_login_failures
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_preapproval_link"
down_revision = "0019_login_failures"
branch_labels = None
depends_on = None

RELEASED = ("rejected", "withdrawn", "deleted")
LIVE = sa.text(
    "pre_approval_id IS NOT NULL AND status NOT IN ({})".format(", ".join(f"'{s}'" for s in RELEASED))
)


def upgrade() -> None:
    # a race lost before this index existed left two live claims on one pre-approval: say which,
    # rather than fail on the index with the database's words (an admin withdraws one of them)
    doubled = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT pre_approval_id, COUNT(*) FROM claims WHERE "
                + str(LIVE)
                + " GROUP BY pre_approval_id HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if doubled:
        listed = ", ".join(f"pre-approval {pre} by {n} claims" for pre, n in doubled)
        raise RuntimeError(
            f"0020_preapproval_link: linked more than once ({listed}); withdraw or unlink the "
            "extra claims, then migrate again"
        )
    op.create_index(
        "uq_claims_live_pre_approval",
        "claims",
        ["pre_approval_id"],
        unique=True,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_claims_live_pre_approval", table_name="claims")
