"""Discrimination grounds of advisers' signals sealed (special-category data, AVG art. 9), as 0012 did for cases.

Every signal gets a key of its own in ``case_keys`` (wrapped under its tenant's current KEK; a tenant without
one gets its first) and its grounds move from ``adviser_signals.attributes`` into
``adviser_signals.sealed_grounds``, also when there are none. The database holds no key, so this revision
uses the root key from the settings that ``meldpunt migrate`` hands in (``alembic_config``). The downgrade
opens the grounds, puts them back and destroys the signals' keys.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import uuid

import msgspec
import sqlalchemy as sa
from alembic import context, op

from meldpunt.dossiers.keys import (
    CaseKeyMaterial,
    KeyringError,
    RootKey,
    create_root_key,
    open_case_key,
    wrap_new_case_key,
    wrap_tenant_key,
)
from meldpunt.intake.grounds import open_grounds, seal_grounds

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

NO_ROOT_KEY = (
    "Run `meldpunt migrate` with the application's root key settings (MELDPUNT_ROOT_KEY_PROVIDER, "
    "MELDPUNT_ROOT_KEY_FILE or MELDPUNT_KMS_KEY_ID); nothing was changed."
)


def _root_key() -> RootKey:
    settings = context.config.attributes.get("settings")
    if settings is None:
        raise RuntimeError("run this migration with `meldpunt migrate`: sealing needs the root key")
    return create_root_key(settings)


def _see_every_tenant(bind: sa.Connection) -> None:
    # The owner is under row-level security too (FORCE): this transaction looks at every tenant.
    ids = bind.execute(sa.text("SELECT id FROM tenants")).scalars().all()
    bind.execute(
        sa.text("SELECT set_config('meldpunt.tenant_ids', :ids, true)"), {"ids": "{" + ",".join(map(str, ids)) + "}"}
    )


def _current_tenant_key(bind: sa.Connection, root: RootKey, tenant_id: uuid.UUID) -> tuple[str, bytes, int]:
    row = bind.execute(
        sa.text("SELECT root_key_id, wrapped, epoch FROM tenant_keys WHERE tenant_id = :t ORDER BY epoch DESC LIMIT 1"),
        {"t": tenant_id},
    ).one_or_none()
    if row is not None:
        return row.root_key_id, row.wrapped, row.epoch
    made = wrap_tenant_key(root, tenant_id, 1)
    bind.execute(
        sa.text("INSERT INTO tenant_keys (tenant_id, epoch, root_key_id, wrapped) VALUES (:t, :e, :r, :w)"),
        {"t": tenant_id, "e": made[2], "r": made[0], "w": made[1]},
    )
    return made


def upgrade() -> None:
    op.add_column("adviser_signals", sa.Column("sealed_grounds", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    _see_every_tenant(bind)
    rows = bind.execute(
        sa.text("SELECT tenant_id, id, attributes -> 'discrimination_grounds' AS grounds FROM adviser_signals")
    ).all()
    root = _root_key() if rows else None
    tenant_keys: dict[uuid.UUID, tuple[str, bytes, int]] = {}
    for row in rows:
        assert root is not None
        if row.tenant_id not in tenant_keys:
            tenant_keys[row.tenant_id] = _current_tenant_key(bind, root, row.tenant_id)
        tenant_key = tenant_keys[row.tenant_id]
        try:
            material, wrapped = wrap_new_case_key(root, row.tenant_id, row.id, tenant_key)
        except KeyringError as error:
            raise RuntimeError(f"signal {row.id}: {error}. {NO_ROOT_KEY}") from None
        bind.execute(
            sa.text("INSERT INTO case_keys (tenant_id, case_id, epoch, wrapped) VALUES (:t, :c, :e, :w)"),
            {"t": row.tenant_id, "c": row.id, "e": tenant_key[2], "w": wrapped},
        )
        bind.execute(
            sa.text(
                "UPDATE adviser_signals SET sealed_grounds = :sealed, "
                "attributes = attributes - 'discrimination_grounds' WHERE tenant_id = :t AND id = :s"
            ),
            {
                "sealed": seal_grounds(material, row.tenant_id, row.id, row.grounds or []),
                "t": row.tenant_id,
                "s": row.id,
            },
        )
    bind.execute(sa.text("SELECT set_config('meldpunt.tenant_ids', '', true)"))


def _signal_key(
    bind: sa.Connection, root: RootKey, tenant_id: uuid.UUID, signal_id: uuid.UUID
) -> CaseKeyMaterial | None:
    row = bind.execute(
        sa.text(
            "SELECT c.wrapped, c.epoch, t.root_key_id, t.wrapped AS kek FROM case_keys c JOIN tenant_keys t "
            "ON t.tenant_id = c.tenant_id AND t.epoch = c.epoch WHERE c.tenant_id = :t AND c.case_id = :c"
        ),
        {"t": tenant_id, "c": signal_id},
    ).one_or_none()
    if row is None:
        return None  # destroyed: its grounds cannot be read any more
    try:
        return open_case_key(root, tenant_id, signal_id, (row.root_key_id, row.kek, row.epoch), row.wrapped)
    except KeyringError as error:
        raise RuntimeError(f"signal {signal_id}: {error}. {NO_ROOT_KEY}") from None


def downgrade() -> None:
    bind = op.get_bind()
    _see_every_tenant(bind)
    rows = bind.execute(
        sa.text("SELECT tenant_id, id, sealed_grounds FROM adviser_signals WHERE sealed_grounds IS NOT NULL")
    ).all()
    root = _root_key() if rows else None
    for row in rows:
        assert root is not None
        material = _signal_key(bind, root, row.tenant_id, row.id)
        grounds = open_grounds(material, row.tenant_id, row.id, row.sealed_grounds) if material else []
        bind.execute(
            sa.text(
                "UPDATE adviser_signals SET attributes = attributes || jsonb_build_object('discrimination_grounds', "
                "CAST(:g AS jsonb)) WHERE tenant_id = :t AND id = :s"
            ),
            {"g": msgspec.json.encode(grounds).decode(), "t": row.tenant_id, "s": row.id},
        )
    bind.execute(
        sa.text("DELETE FROM case_keys k USING adviser_signals s WHERE k.tenant_id = s.tenant_id AND k.case_id = s.id")
    )
    bind.execute(sa.text("SELECT set_config('meldpunt.tenant_ids', '', true)"))
    op.drop_column("adviser_signals", "sealed_grounds")
