"""A consultation's status moves only along its table: open to closed, and a closed one stays closed."""

from __future__ import annotations

import pytest

from meldpunt.vault.errors import ConsultationClosed
from meldpunt.vault.models import CONSULTATION_MOVES, Consultation, ConsultationStatus


def test_every_status_has_its_moves() -> None:
    assert set(CONSULTATION_MOVES) == set(ConsultationStatus)


def test_an_open_consultation_closes_and_a_closed_one_does_not_move_again() -> None:
    consultation = Consultation(status=ConsultationStatus.OPEN)
    consultation.move_to(ConsultationStatus.CLOSED)
    assert consultation.status is ConsultationStatus.CLOSED
    for status in ConsultationStatus:
        with pytest.raises(ConsultationClosed):
            consultation.move_to(status)
    assert consultation.status is ConsultationStatus.CLOSED
