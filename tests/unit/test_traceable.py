"""``cases.follow_up.traceable``: a non-traceable record (a culture or system investigation, a group conversation)
may not name a person of the case, by full name or by a part of it as a word; a name inside another word is no
name (seed-000 §3.2, H7 *Casus cultuuronderzoek*)."""

from __future__ import annotations

from meldpunt.cases.follow_up import traceable

NAMES = ["Jan Bos", "Sanne Visser"]


def test_a_full_name_or_a_part_of_it_as_a_word_is_traceable() -> None:
    assert traceable(["Sanne Visser loopt vaak uit."], NAMES)
    assert traceable(["Het team sprak met visser."], NAMES)
    assert traceable(["Volgens Sanne's collega's gaat het mis."], NAMES)
    assert traceable(["Het gesprek met Jan."], NAMES)


def test_a_name_inside_another_word_is_not_a_name() -> None:
    assert not traceable(["In januari lopen afspraken uit.", "Een bospad naast de instelling."], NAMES)
    assert not traceable(["Een glijdende schaal in het contact met cliënten."], NAMES)


def test_names_shorter_than_three_letters_are_not_searched_alone() -> None:
    assert not traceable(["Mo is een afkorting."], ["Mo Li"])
    assert traceable(["Mo Li was er."], ["Mo Li"])
