"""The committee's side of the party portal (DESIGN §6; docs/party-portal.md "For the next issues"): a declared
secretary or chair adds the complaint's parties (the complainant, who may be external without an account, the
accused, a companion), invites them, and reads who they are. Each party then reads in the portal what the
committee relies on for their side (``services.share_records``): the defence, evidence, the draft advice in a
reply round, the advice and the decision for both; each their own hearing record. Never the committee's
deliberation notes. The rules of the portal itself are ``parties/``."""

from __future__ import annotations

import uuid

from meldpunt.complaints.errors import ComplaintRefused
from meldpunt.complaints.models import SeatRole
from meldpunt.complaints.services import ENDED, At, acting, record_act, share_records
from meldpunt.parties import services as parties
from meldpunt.parties.models import CaseParty, PartyRole
from meldpunt.parties.schemas import PartyIn
from meldpunt.parties.services import Invitation, PartyView

MANAGES = (SeatRole.SECRETARY, SeatRole.CHAIR)
# The complaint's sides and who accompanies them; a witness is heard by the committee, not a party of its portal.
COMPLAINT_PARTIES = frozenset(
    {PartyRole.ACCUSED, PartyRole.AFFECTED, PartyRole.EXTERNAL_COMPLAINANT, PartyRole.COMPANION}
)


async def add_party(at: At, complaint_id: uuid.UUID, data: PartyIn) -> CaseParty:
    """A party of the complaint's case; what their side may read is shared with them at once."""
    complaint, _ = await acting(at, complaint_id, MANAGES)
    if complaint.status in ENDED:
        raise ComplaintRefused("case-ended")
    if data.role not in COMPLAINT_PARTIES:
        raise ComplaintRefused("party-role")
    party = await parties.add_party(at.session, at.keyring, at.who, at.tenant, complaint.case_id, data)
    await share_records(at, complaint)
    await record_act(at, complaint, "party_added", role=data.role)
    return party


async def invite(at: At, complaint_id: uuid.UUID, party_id: uuid.UUID) -> Invitation:
    """A link and a one-time code for the party (shown once, delivered each its own way)."""
    complaint, _ = await acting(at, complaint_id, MANAGES)
    return await parties.invite(at.session, at.who, at.tenant, complaint.case_id, party_id)


async def parties_of(at: At, complaint_id: uuid.UUID) -> list[PartyView]:
    """The complaint's parties by name, for its declared committee (the read is audited)."""
    complaint, _ = await acting(at, complaint_id, (SeatRole.SECRETARY, SeatRole.CHAIR, SeatRole.MEMBER), lock=False)
    await record_act(at, complaint, "parties_read")
    return await parties.parties_of(at.session, at.keyring, at.tenant, complaint.case_id)
