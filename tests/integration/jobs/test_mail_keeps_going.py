"""Periodic mail keeps going: a recipient the mail server refuses holds up no other message.

The refusal is real: a loopback SMTP server (aiosmtpd) answers 550 for one address. That message is
marked undeliverable; the messages after it go, once, and a second run sends nothing again.
"""

from __future__ import annotations

import secrets
import socket
import uuid
from collections.abc import Iterator

import msgspec
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from meldpunt.db.context import tenant_context
from meldpunt.db.engine import create_sessionmaker
from meldpunt.notifications.models import Notification
from meldpunt.notifications.services import notify, send_pending
from meldpunt.settings import Settings
from tests.conftest import Inbox, MakeTenant
from tests.integration.retention.test_reminders import account_with_email

REFUSED = f"vertrokken-{secrets.token_hex(4)}@org.test"


class RefusingInbox(Inbox):
    """Receives like ``Inbox``, but refuses one mailbox the way a real server does."""

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, rcpt_options: list[str]
    ) -> str:
        if address == REFUSED:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def refusing_smtp() -> Iterator[tuple[str, RefusingInbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", inbox
    controller.stop()


async def test_a_refused_recipient_holds_up_no_other_message_and_nothing_goes_twice(
    settings: Settings,
    app_engine: AsyncEngine,
    make_tenant: MakeTenant,
    refusing_smtp: tuple[str, RefusingInbox],
) -> None:
    smtp_url, inbox = refusing_smtp
    tenant = await make_tenant()
    reachable = f"bereikbaar-{secrets.token_hex(4)}@org.test"
    sessions = create_sessionmaker(app_engine)
    for address in (REFUSED, reachable):  # the refused one is queued first, so it is sent first
        account = await account_with_email(app_engine, tenant, address)
        async with sessions() as session:
            await tenant_context(session, [tenant.id])
            await notify(session, tenant.id, account, "case.deadline_reminder", {"days": 3}, str(uuid.uuid4()))
            await session.commit()
    with_mail = msgspec.structs.replace(settings, smtp_url=smtp_url)
    await send_pending(sessions, with_mail)
    await send_pending(sessions, with_mail)
    assert [recipients for recipients, _ in inbox.messages if reachable in recipients] == [[reachable]]
    async with sessions() as session:
        await tenant_context(session, [tenant.id])
        rows = (await session.execute(select(Notification).order_by(Notification.created_at))).scalars().all()
    assert [(row.sent_at is not None, row.undeliverable) for row in rows] == [(True, "refused"), (True, None)]
