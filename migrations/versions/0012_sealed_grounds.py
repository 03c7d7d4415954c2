"""Discrimination grounds sealed with the case key (special-category data, AVG art. 9), and the names that
reporters' files had on their device dropped from the documents' sealed metadata.

The database holds no key, so SQL alone cannot seal: this revision unwraps each case key with the root key
from the settings that ``meldpunt migrate`` hands in (``alembic_config``), moves the plaintext grounds out of
``cases.attributes`` into ``cases.sealed_grounds``, and renames attachments to ``bijlage-N.ext``. A case
whose key is destroyed (crypto-shredded) loses its plaintext grounds. The downgrade opens the grounds and
puts them back; the files' old names are gone for good.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import msgspec
import sqlalchemy as sa
from alembic import context, op

from meldpunt.dossiers.crypto import associated_data, decrypt_text, encrypt_text
from meldpunt.dossiers.documents import DocumentMeta
from meldpunt.dossiers.keys import CaseKeyMaterial, KeyringError, create_root_key, open_case_key
from meldpunt.intake.attachments import attachment_name
from meldpunt.intake.grounds import open_grounds, seal_grounds

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KeyOf = Callable[[uuid.UUID, uuid.UUID], CaseKeyMaterial | None]


def _case_keys(bind: sa.Connection) -> KeyOf:
    """Unwraps case keys with the root key of the settings; the root key is only asked for when needed."""
    settings = context.config.attributes.get("settings")
    if settings is None:
        raise RuntimeError("run this migration with `meldpunt migrate`: re-sealing needs the root key")
    root = create_root_key(settings)

    def key_of(tenant_id: uuid.UUID, case_id: uuid.UUID) -> CaseKeyMaterial | None:
        row = bind.execute(
            sa.text(
                "SELECT c.wrapped, c.epoch, t.root_key_id, t.wrapped AS kek FROM case_keys c JOIN tenant_keys t "
                "ON t.tenant_id = c.tenant_id AND t.epoch = c.epoch WHERE c.tenant_id = :t AND c.case_id = :c"
            ),
            {"t": tenant_id, "c": case_id},
        ).one_or_none()
        if row is None:
            return None
        try:
            return open_case_key(root, tenant_id, case_id, (row.root_key_id, row.kek, row.epoch), row.wrapped)
        except KeyringError as error:
            raise RuntimeError(
                f"case {case_id}: {error}. Run `meldpunt migrate` with the application's root key settings "
                "(MELDPUNT_ROOT_KEY_PROVIDER, MELDPUNT_ROOT_KEY_FILE or MELDPUNT_KMS_KEY_ID); nothing was changed."
            ) from None

    return key_of


def _see_every_tenant(bind: sa.Connection) -> None:
    # The owner is under row-level security too (FORCE): this transaction looks at every tenant.
    ids = bind.execute(sa.text("SELECT id FROM tenants")).scalars().all()
    bind.execute(
        sa.text("SELECT set_config('meldpunt.tenant_ids', :ids, true)"), {"ids": "{" + ",".join(map(str, ids)) + "}"}
    )


def _seal_grounds(bind: sa.Connection, key_of: KeyOf) -> None:
    rows = bind.execute(sa.text("SELECT tenant_id, id, attributes -> 'discrimination_grounds' AS grounds FROM cases"))
    for row in rows.all():
        material = key_of(row.tenant_id, row.id)
        sealed = seal_grounds(material, row.tenant_id, row.id, row.grounds or []) if material else None
        bind.execute(
            sa.text(
                "UPDATE cases SET sealed_grounds = :sealed, attributes = attributes - 'discrimination_grounds' "
                "WHERE tenant_id = :t AND id = :c"
            ),
            {"sealed": sealed, "t": row.tenant_id, "c": row.id},
        )


def _rename_attachments(bind: sa.Connection, key_of: KeyOf) -> None:
    rows = bind.execute(
        sa.text(
            "SELECT tenant_id, case_id, id, sealed_meta FROM documents WHERE record_class = 'attachment' "
            "ORDER BY tenant_id, case_id, created_at, id"
        )
    )
    number, case = 0, None
    for row in rows.all():
        number = number + 1 if case == (row.tenant_id, row.case_id) else 1
        case = (row.tenant_id, row.case_id)
        material = key_of(row.tenant_id, row.case_id)
        if material is None:
            continue  # destroyed: nothing of it can be read any more
        aad = associated_data(row.tenant_id, row.case_id, row.id, "meta")
        meta = msgspec.json.decode(decrypt_text(material, row.sealed_meta, aad), type=DocumentMeta)
        renamed = msgspec.structs.replace(meta, filename=attachment_name(number, meta.content_type))
        bind.execute(
            sa.text("UPDATE documents SET sealed_meta = :m WHERE tenant_id = :t AND id = :d"),
            {"m": encrypt_text(material, msgspec.json.encode(renamed).decode(), aad), "t": row.tenant_id, "d": row.id},
        )


def upgrade() -> None:
    op.add_column("cases", sa.Column("sealed_grounds", sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    _see_every_tenant(bind)
    if bind.execute(sa.text("SELECT EXISTS (SELECT FROM cases)")).scalar_one():
        key_of = _case_keys(bind)
        _seal_grounds(bind, key_of)
        _rename_attachments(bind, key_of)
    bind.execute(sa.text("SELECT set_config('meldpunt.tenant_ids', '', true)"))


def _open_grounds(bind: sa.Connection, key_of: KeyOf) -> None:
    rows = bind.execute(sa.text("SELECT tenant_id, id, sealed_grounds FROM cases WHERE sealed_grounds IS NOT NULL"))
    for row in rows.all():
        material = key_of(row.tenant_id, row.id)
        grounds = open_grounds(material, row.tenant_id, row.id, row.sealed_grounds) if material else []
        bind.execute(
            sa.text(
                "UPDATE cases SET attributes = attributes || jsonb_build_object('discrimination_grounds', "
                "CAST(:g AS jsonb)) WHERE tenant_id = :t AND id = :c"
            ),
            {"g": msgspec.json.encode(grounds).decode(), "t": row.tenant_id, "c": row.id},
        )


def downgrade() -> None:
    bind = op.get_bind()
    _see_every_tenant(bind)
    if bind.execute(sa.text("SELECT EXISTS (SELECT FROM cases WHERE sealed_grounds IS NOT NULL)")).scalar_one():
        _open_grounds(bind, _case_keys(bind))
    bind.execute(sa.text("SELECT set_config('meldpunt.tenant_ids', '', true)"))
    op.drop_column("cases", "sealed_grounds")
