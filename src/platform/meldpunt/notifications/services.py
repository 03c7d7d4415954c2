"""Queueing and sending messages. Texts are fixed Dutch templates filled with numbers and the
organisation's name; nothing from a case ever goes into an e-mail."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import anyio
import structlog
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from meldpunt.db.context import tenant_context
from meldpunt.db.tenants import all_tenant_ids
from meldpunt.identity.models import Account
from meldpunt.notifications.models import Notification
from meldpunt.settings import Settings
from meldpunt.tenancy.models import Tenant

log = structlog.get_logger(__name__)

TEMPLATES: dict[str, tuple[str, str]] = {
    "intake.new_submission": (
        "Er is iets binnengekomen bij het meldpunt",
        "Bij het meldpunt van {organisation} is iets binnengekomen. Meld u aan bij Meldpunt om het te bekijken.\n\n"
        "Bevestig de ontvangst binnen 7 dagen.\n",
    ),
    "intake.update": (
        "Nieuw bericht of nieuwe informatie bij het meldpunt",
        "Bij een melding bij het meldpunt van {organisation} heeft de melder iets toegevoegd of gewijzigd. "
        "Meld u aan bij Meldpunt om het te bekijken.\n",
    ),
    "case.deputy_needed": (
        "Een plaatsvervanger nodig aan de beslistafel",
        "Iemand aan een beslistafel van {organisation} heeft verklaard betrokken te zijn. Wijs een "
        "plaatsvervanger aan. Meld u aan bij Meldpunt.\n",
    ),
    "complaint.deputy_needed": (
        "Een plaatsvervanger nodig in de klachtencommissie",
        "Iemand die een klacht bij {organisation} zou behandelen, heeft verklaard niet onafhankelijk te zijn. Wijs "
        "een plaatsvervanger aan. Meld u aan bij Meldpunt.\n",
    ),
    "complaint.declare_again": (
        "Opnieuw verklaren bij een klacht",
        "De opdracht van een onderzoek bij een klacht bij {organisation} is gewijzigd. Verklaar opnieuw of u "
        "onafhankelijk bent voordat u verder werkt; uw eerdere verklaring blijft bewaard. Meld u aan bij Meldpunt.\n",
    ),
    "case.process_concern": (
        "De procesbewaker heeft een zorg",
        "De procesbewaker van een zaak bij {organisation} heeft een zorg over het proces. De volgende stap wacht "
        "op uw reactie. Meld u aan bij Meldpunt.\n",
    ),
    "case.declare_again": (
        "Opnieuw verklaren aan de beslistafel",
        "Een zaak bij {organisation} gaat nu over meer dan waarvoor u verklaarde (andere mensen of ander gedrag). "
        "Verklaar opnieuw of u betrokken bent voordat u verder werkt. Meld u aan bij Meldpunt.\n",
    ),
    "case.deadline_reminder": (
        "Een termijn loopt af",
        "Over {days} dag(en) loopt een termijn af in een zaak bij {organisation}. Meld u aan bij Meldpunt.\n",
    ),
    "case.deadline_breach": (
        "Een termijn is verstreken",
        "In een zaak die u als procesbewaker volgt bij {organisation} is een termijn verstreken. Meld u aan bij "
        "Meldpunt.\n",
    ),
    "retention.reminder": (
        "Vernietiging van documenten nadert",
        "Over {days} dag(en) worden {documents} document(en) van {organisation} vernietigd volgens de "
        "bewaartermijnen.\n\nMeld u aan bij Meldpunt om te zien om welke documenten het gaat, of om een "
        "bewaarplicht vast te leggen als vernietiging nu niet mag (bezwaar, rechtszaak of nieuw onderzoek).\n",
    ),
}


async def notify(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    account: tuple[uuid.UUID, uuid.UUID],
    kind: str,
    counts: dict[str, int],
    dedup_key: str,
) -> bool:
    """Queue a message; the same ``dedup_key`` in a tenant queues nothing again. True if queued now."""
    if kind not in TEMPLATES:
        raise ValueError(f"no template for {kind}")
    result = await session.execute(
        insert(Notification)
        .values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            account_tenant_id=account[0],
            account_id=account[1],
            kind=kind,
            counts=counts,
            dedup_key=dedup_key,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "dedup_key"])
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _send_mail(settings: Settings, message: EmailMessage) -> None:
    parts = urlsplit(settings.smtp_url)
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    context = ssl.create_default_context()
    smtp: smtplib.SMTP = (
        smtplib.SMTP_SSL(parts.hostname or "", port, context=context, timeout=20)
        if parts.scheme == "smtps"
        else smtplib.SMTP(parts.hostname or "", port, timeout=20)
    )
    with smtp:
        if parts.scheme == "smtp" and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


async def send_pending(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, limit: int = 200) -> int:
    """Send queued messages by e-mail; return how many went. Without SMTP settings they wait."""
    if not settings.smtp_url:
        return 0
    sent = 0
    async with sessionmaker() as session:
        await tenant_context(session, await all_tenant_ids(session))
        pending = (
            (
                await session.execute(
                    select(Notification)
                    .where(Notification.sent_at.is_(None))
                    .order_by(Notification.created_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for notification in pending:
            account = (
                await session.execute(
                    select(Account).where(
                        Account.tenant_id == notification.account_tenant_id, Account.id == notification.account_id
                    )
                )
            ).scalar()
            tenant = await session.get(Tenant, notification.tenant_id)
            if account is None or not account.email or tenant is None:
                notification.sent_at, notification.undeliverable = datetime.now(UTC), "no_address"
                continue
            subject, body = TEMPLATES[notification.kind]
            message = EmailMessage()
            message["From"], message["To"], message["Subject"] = settings.mail_from, account.email, subject
            message.set_content(body.format(organisation=tenant.display_name, **notification.counts))
            try:
                await anyio.to_thread.run_sync(_send_mail, settings, message)
            except smtplib.SMTPRecipientsRefused as refused:
                # One mailbox refused: that message, not the queue behind it. A 4xx refusal is tried again.
                log.warning("notifications.refused", notification_id=str(notification.id))
                if all(code >= 500 for code, _ in refused.recipients.values()):
                    notification.sent_at, notification.undeliverable = datetime.now(UTC), "refused"
                continue
            except (OSError, smtplib.SMTPException) as error:
                # The server is down or refuses us: keep what went (never sent twice); the rest waits.
                log.warning("notifications.send_failed", error=type(error).__name__)
                break
            notification.sent_at = datetime.now(UTC)
            sent += 1
        await session.commit()
    if sent:
        log.info("notifications.sent", count=sent)
    return sent
