"""Submissions that arrived during a flood without a solved challenge are marked (DESIGN §11), so that the
reporting point can dismiss junk in bulk. A flag only: no finer time than ``created_at``, nothing about
the sender.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("flood_marked", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(
        "ix_cases_flood_marked", "cases", ["tenant_id", "created_at"], postgresql_where=sa.text("flood_marked")
    )


def downgrade() -> None:
    op.drop_index("ix_cases_flood_marked", table_name="cases")
    op.drop_column("cases", "flood_marked")
