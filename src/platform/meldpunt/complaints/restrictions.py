"""GDPR art. 23 restrictions on what a party reads of the complaint's dossier.

Evidence parity is the rule (seed-003 §4.4: both parties read what the committee relies on); the chair may keep
one record from one party where the rights of others, a person's safety or the evidence require it, with the
reason from a closed list and the committee's explanation recorded. That party then reads, where one can be
given, a summary instead. What reaches both parties whatever happens (the draft advice, the advice, the decision,
the mediation agreement) and each party's own words (hearing records, reactions) are never withheld. A
restriction is lifted by the chair; the record is then shared again."""

from __future__ import annotations

import uuid
from datetime import date

from meldpunt.complaints.errors import ComplaintNotFound, ComplaintRefused
from meldpunt.complaints.models import Complaint, ComplaintRecord, RecordKind, SeatRole
from meldpunt.complaints.schemas import Party, RestrictionIn
from meldpunt.complaints.services import (
    ENDED,
    SIDES,
    At,
    acting,
    add_content,
    add_facts,
    add_record,
    content_of,
    record_act,
    records_of,
    share_records,
)
from meldpunt.dossiers.cipher import case_cipher
from meldpunt.dossiers.storage import ObjectStore
from meldpunt.parties import services as parties

# Only what one side brings in may be kept from the other: the defence and the evidence.
MAY_BE_WITHHELD = frozenset({RecordKind.DEFENCE, RecordKind.EVIDENCE})


async def _record(at: At, complaint: Complaint, record_id: uuid.UUID) -> ComplaintRecord:
    for row in await records_of(at.session, complaint):
        if row.id == record_id:
            return row
    raise ComplaintNotFound()


async def restrict_reading(
    at: At, store: ObjectStore, complaint_id: uuid.UUID, record_id: uuid.UUID, data: RestrictionIn
) -> ComplaintRecord:
    """The chair keeps one record of the dossier from one party (art. 23), with the reason and the explanation
    recorded; a share that party already had is withdrawn, and the summary, if given, is shared with it instead."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.CHAIR,))
    if complaint.status in ENDED:
        raise ComplaintRefused("case-ended")
    record = await _record(at, complaint, record_id)
    if record.kind not in MAY_BE_WITHHELD or record.party is not None:
        raise ComplaintRefused("restrict-what")
    withheld = dict(record.facts.get("withheld", {}))
    if data.withheld_from in withheld:
        raise ComplaintRefused("already-restricted")
    withheld[data.withheld_from] = {"reason": data.reason, "on": date.today().isoformat()}
    record.facts = {**record.facts, "withheld": withheld}
    cipher = await case_cipher(at.session, at.keyring, at.tenant.id, complaint.case_id)
    explanations = dict(content_of(cipher, complaint).get("restrictions", {}))
    explanations[f"{record.id}:{data.withheld_from}"] = data.explanation
    add_content(cipher, complaint, restrictions=explanations)
    withdrawn = await _withdraw_shares(at, complaint, record, data.withheld_from)
    if data.summary is not None:
        summary = await add_record(
            at, store, complaint, RecordKind.EVIDENCE, data.summary, party=data.withheld_from,
            facts={"summary_of": str(record.id)},
        )  # fmt: skip
        withheld[data.withheld_from]["summary"] = str(summary.id)
        record.facts = {**record.facts, "withheld": withheld}
    add_facts(complaint, restrictions=int(complaint.facts.get("restrictions", 0)) + 1)
    await record_act(
        at, complaint, "reading_restricted", record=str(record.id), withheld_from=data.withheld_from,
        reason=data.reason, shares_withdrawn=withdrawn, summary=data.summary is not None,
    )  # fmt: skip
    return record


async def _withdraw_shares(at: At, complaint: Complaint, record: ComplaintRecord, side: Party) -> int:
    """Withdraw every live share of the record's document with that side's party roles (the portal stops showing
    it at once); returns how many."""
    if record.document_id is None:
        return 0
    withdrawn = 0
    for found in await parties.shares_of(at.session, at.keyring, at.tenant, complaint.case_id):
        share = found.share
        if share.document_id == record.document_id and share.party_role in SIDES[side]:
            await parties.withdraw_share(at.session, at.who, at.tenant, complaint.case_id, share.id)
            withdrawn += 1
    return withdrawn


async def lift_restriction(at: At, complaint_id: uuid.UUID, record_id: uuid.UUID, side: Party) -> ComplaintRecord:
    """The chair lifts a restriction: the record is shared with that party again (the summary stays in the
    dossier, as what that party read meanwhile)."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.CHAIR,))
    if complaint.status in ENDED:
        raise ComplaintRefused("case-ended")
    record = await _record(at, complaint, record_id)
    withheld = dict(record.facts.get("withheld", {}))
    if side not in withheld:
        raise ComplaintRefused("not-restricted")
    del withheld[side]
    record.facts = {**record.facts, "withheld": withheld}
    await at.session.flush()
    shared = await share_records(at, complaint)
    await record_act(at, complaint, "restriction_lifted", record=str(record.id), withheld_from=side, shared=shared)
    return record
