"""The reporting point's public directory: each tenant's published advisers (name and profile) and its
policy documents, on the public ``tenants`` table (never an identity-provider subject).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ("advisers", "policy_documents")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column(
            "tenants",
            sa.Column(column, postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        )


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("tenants", column)
