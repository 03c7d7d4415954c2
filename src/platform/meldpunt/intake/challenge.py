"""The proof-of-work challenge of the public side (DESIGN §11, as GlobaLeaks' token does): a flood costs the
flooder work, a real reporter's browser solves it while they type. It never refuses a report: an unsolved,
wrong, expired or reused answer only counts as unverified. It holds nothing about who asked for it."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import time
import uuid
from collections import OrderedDict
from typing import NamedTuple

# Long enough for a reporter to write their report after the page loaded the challenge.
CHALLENGE_SECONDS = 2 * 3600
MAX_REMEMBERED_ANSWERS = 100_000


class Verdict(enum.StrEnum):
    SOLVED = "solved"
    MISSING = "missing"
    WRONG = "wrong"
    EXPIRED = "expired"
    REUSED = "reused"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def work(challenge: str, answer: str) -> bytes:
    """What the page's script computes: SHA-256 of the challenge, a colon and the decimal answer."""
    return hashlib.sha256(f"{challenge}:{answer}".encode()).digest()


def solve(challenge: str, bits: int) -> str:
    """The smallest answer, as the page's script finds it (the benchmark and the tests solve with this)."""
    answer = 0
    while leading_zero_bits(work(challenge, str(answer))) < bits:
        answer += 1
    return str(answer)


class Challenges:
    """Issues signed challenges (stateless: tenant, expiry and difficulty inside, HMAC over them) and checks
    answers; an answer works once, remembered in a bounded set (an old entry dropped costs a flooder a
    solved challenge per entry, so the bound cannot be cheaply exhausted)."""

    def __init__(self, secret: bytes) -> None:
        self._key = hashlib.sha256(b"meldpunt challenge\x00" + secret).digest()
        self._used: OrderedDict[bytes, float] = OrderedDict()

    def _mac(self, payload: str) -> str:
        mac = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def issue(self, tenant_id: uuid.UUID, bits: int, now: float | None = None) -> str:
        expires = int((now if now is not None else time.time()) + CHALLENGE_SECONDS)
        payload = f"1.{tenant_id.hex}.{expires}.{bits}.{secrets.token_hex(8)}"
        return f"{payload}.{self._mac(payload)}"

    def check(self, tenant_id: uuid.UUID, challenge: str, answer: str, now: float | None = None) -> Verdict:
        """Whether this answer solves a challenge issued for this tenant, in time, for the first time."""
        if not challenge or not answer:
            return Verdict.MISSING
        payload, _, mac = challenge.rpartition(".")
        parts = payload.split(".")
        if len(parts) != 5 or not hmac.compare_digest(mac, self._mac(payload)) or parts[1] != tenant_id.hex:
            return Verdict.WRONG
        if len(answer) > 20 or not answer.isdigit() or leading_zero_bits(work(challenge, answer)) < int(parts[3]):
            return Verdict.WRONG
        moment = now if now is not None else time.time()
        if int(parts[2]) < moment:
            return Verdict.EXPIRED
        return Verdict.SOLVED if self._first_use(challenge.encode(), moment) else Verdict.REUSED

    def _first_use(self, challenge: bytes, now: float) -> bool:
        digest = hashlib.sha256(challenge).digest()[:16]
        while self._used and next(iter(self._used.values())) < now:
            self._used.popitem(last=False)
        if digest in self._used:
            return False
        self._used[digest] = now + CHALLENGE_SECONDS
        if len(self._used) > MAX_REMEMBERED_ANSWERS:
            self._used.popitem(last=False)
        return True


class Proof(NamedTuple):
    """A challenge and its answer as a client sent them (both empty without the page's script)."""

    challenge: str = ""
    answer: str = ""
