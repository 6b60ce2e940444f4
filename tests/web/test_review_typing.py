"""The typing section of the review page (issue 15): the rhythm flags with their bound and its
source, accuracy that never reads 100 % beside an uncorrected error, and counts in words that
agree with their number. Scored by the real worker (engine + LanguageTool)."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest

from assessor.question_banks import load_bank
from tests.web.test_review import page, score_all, submit

TYPING = "copy-refund-note"
EMAIL = "damaged-lamp-refund"
PASSAGE = " ".join(
    next(
        t.passage
        for t in load_bank(
            Path(__file__).resolve().parents[2] / "question_banks/support-en.toml"
        ).tasks
        if t.id == TYPING
    ).split()
)

pytestmark = [pytest.mark.languagetool, pytest.mark.slow]


def keys_event(clock, gaps):
    start = int(clock().timestamp() * 1000) + 60_000
    return {"type": "keys", "task": TYPING, "part": "", "start": start, "deltas": [0, *gaps]}


def typing_section(body: str) -> str:
    return body[body.index(f'id="task-{TYPING}"') :]


def test_a_scripted_copy_is_flagged_with_the_bound_and_its_source(
    app, db_session, invite, clock, recruiter_client, languagetool_url
):
    typed = PASSAGE[:100] + "x" + PASSAGE[101:]  # one uncorrected error
    event = keys_event(clock, [21] * (len(typed) - 1))  # a key every 21 ms: about 570 WPM
    attempt_id = submit(db_session, invite, clock, {TYPING: typed}, events=[event])
    assert score_all(app, languagetool_url) == 1

    _, body = page(recruiter_client, attempt_id)
    text = html.unescape(body)
    section = typing_section(text)
    accuracy = re.search(r'class="typing-accuracy">([^<]*)<', section)[1]
    assert re.fullmatch(r"99\.\d %", accuracy), accuracy  # one decimal, never "100 %"
    assert 'data-flag="implausibly_fast"' in section and 'data-flag="uniform_rhythm"' in section
    assert "Faster than a person types." in section
    assert "Above 200 words a minute, or a median gap between keys under 60 ms." in section
    assert "Dhakal et al." in section and "CHI 2018" in section
    assert "The gaps between keys vary by 0 % of their mean." in section
    assert "not a verdict" in section
    # the integrity section marks the same field, and says why
    integrity = text[text.index('id="integrity-title"') : text.index(f'id="task-{TYPING}"')]
    assert "Fields typed faster than a person or too evenly: 1" in integrity
    assert "21 ms <strong>faster than a person</strong>" in integrity
    assert re.search(r">\d % <strong>very even</strong>", integrity)
    assert "a median gap under 60 ms (more than 200 words a minute" in integrity


def test_a_person_typing_the_passage_is_not_flagged_and_reads_100(
    app, db_session, invite, clock, recruiter_client, languagetool_url
):
    rng = random.Random(15)
    gaps = [round(rng.lognormvariate(5.2, 0.5)) for _ in range(len(PASSAGE) - 1)]
    answers = {TYPING: PASSAGE, EMAIL: "Sorry."}
    attempt_id = submit(db_session, invite, clock, answers, events=[keys_event(clock, gaps)])
    assert score_all(app, languagetool_url) == 1

    _, body = page(recruiter_client, attempt_id)
    text = html.unescape(body)
    section = typing_section(text)
    assert re.search(r'class="typing-accuracy">100 %<', section)
    assert "data-flag=" not in section and "Faster than a person" not in section
    assert "Fields typed faster than a person or too evenly: 0" in text
    assert '<span class="muted small">1 word</span>' in text  # the e-mail's count: singular
    assert "Length: 1 word for 100 to 180 asked." in text
