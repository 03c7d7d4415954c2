"""A deadline names the account responsible for it on its case (DESIGN §7: "every deadline has a responsible
seat on that case"), so reminders go to that person and not to every holder of a role in the tenant.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deadlines", sa.Column("responsible_tenant_id", sa.Uuid(), nullable=True))
    op.add_column("deadlines", sa.Column("responsible_id", sa.Uuid(), nullable=True))
    op.create_check_constraint(
        "ck_deadlines_responsible_whole",
        "deadlines",
        "(responsible_tenant_id IS NULL) = (responsible_id IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint("ck_deadlines_responsible_whole", "deadlines", type_="check")
    op.drop_column("deadlines", "responsible_id")
    op.drop_column("deadlines", "responsible_tenant_id")
