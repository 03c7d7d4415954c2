"""Declarative base and the mixin that every table with tenant data uses.

A TenantScoped table has ``tenant_id`` as the first column of its primary key (DESIGN §5, §13); its
migration enables and forces row-level security with a policy on ``meldpunt_current_tenants()``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, ForeignKey, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class TenantScoped:
    """``tenant_id`` then ``id`` form the primary key; foreign keys to other tenant tables are composite."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        # sort_order: tenant_id is the first column of the primary key, in the ORM as in the migrations.
        return mapped_column(ForeignKey("tenants.id"), primary_key=True, sort_order=-10)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4, sort_order=-9)


def stored_as_value(kind: type[StrEnum], length: int) -> Enum:
    """A kind, status or role typed on the column and stored as its value in a ``VARCHAR(length)``: no
    database type and no constraint of its own (the migrations' CHECKs keep the list), so no migration."""
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
