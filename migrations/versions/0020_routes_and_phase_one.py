"""Every route leads somewhere and phase 1 is complete (issue 13, DESIGN §7): a deadline a route cannot meet
is ended by that route (``ended_by``, the route's name); a seat declares again after the case's scope changed
(``redeclare_from`` until ``redeclared_at``, the statement sealed); a step the reporter records from the
inbox has no recording account; each legal duty has its own sealed reason
and a care-sector tenant's Wkkgz/IGJ answer is a process fact on the routing.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deadlines", sa.Column("ended_by", sa.String(32), nullable=True))
    op.add_column("panel_members", sa.Column("redeclare_from", sa.DateTime(timezone=True), nullable=True))
    op.add_column("panel_members", sa.Column("redeclared_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("panel_members", sa.Column("sealed_redeclaration", sa.LargeBinary(), nullable=True))
    op.add_column("case_routings", sa.Column("sealed_duty_reasons", sa.LargeBinary(), nullable=True))
    op.add_column("case_routings", sa.Column("igj_answer", sa.String(16), nullable=True))
    # The reporter records a step from the inbox (``reporter_closed``): no account, so no recorder.
    op.alter_column("case_steps", "recorded_by_tenant_id", nullable=True)
    op.alter_column("case_steps", "recorded_by_id", nullable=True)
    op.create_check_constraint(
        "ck_case_routings_igj_answer", "case_routings", "igj_answer IN ('reportable', 'not_reportable')"
    )


def downgrade() -> None:
    op.drop_constraint("ck_case_routings_igj_answer", "case_routings", type_="check")
    op.execute("DELETE FROM case_steps WHERE recorded_by_id IS NULL")
    op.alter_column("case_steps", "recorded_by_id", nullable=False)
    op.alter_column("case_steps", "recorded_by_tenant_id", nullable=False)
    op.drop_column("case_routings", "igj_answer")
    op.drop_column("case_routings", "sealed_duty_reasons")
    op.drop_column("panel_members", "sealed_redeclaration")
    op.drop_column("panel_members", "redeclared_at")
    op.drop_column("panel_members", "redeclare_from")
    op.drop_column("deadlines", "ended_by")
