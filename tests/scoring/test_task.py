"""Task completion read like a table: an answer, what must be found, what must not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.question_banks import (
    CorrectionItem,
    CorrectionTask,
    EmailTask,
    FormField,
    FormTask,
    Point,
)
from assessor.scoring.task import (
    assess_corrections,
    assess_form,
    assess_reply,
    parse_amount,
    parse_date,
)


def email(points, *, tone="formal", kind="email", min_words=20, max_words=120):
    return EmailTask(
        "reply",
        kind,
        "Reply",
        "Answer the customer.",
        "...",
        min_words,
        max_words,
        tone,
        tuple(points),
    )


REFUND_POINTS = (
    Point("apologise", "Apologises", ("sorry", "apologise", "apologize")),
    Point("refund", "Confirms the refund", ("refund the full amount", "money back")),
    Point("timing", "Says when", ("within 5 business days",)),
    Point("photos", "Thanks for the photos", ("thank you for the photos",)),
)

GOOD_EN = """Dear Ms Whitfield,

We apologised to the warehouse team already, and I sincerely apologise to you as well.
The full amount will be refunded to your card. It normally takes five business days.
Please keep the lamp.

Kind regards,
Halcyon Home Goods Customer Care"""


# --- required points --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point", "covered", "match"),
    [
        # the cue as written
        ("I am so sorry about the lamp.", "apologise", True, "phrase"),
        # inflection: apologised / apologizing meet the cue "apologise"
        ("We apologized to you yesterday.", "apologise", True, "phrase"),
        ("I'm apologising for this.", "apologise", True, "phrase"),
        # cue words in another order, inflected, within one sentence
        ("The full amount will be refunded today.", "refund", True, "words"),
        # a near-synonym of every content word
        ("We will reimburse the whole amount.", "refund", False, None),
        ("We deeply regret this.", "apologise", True, "synonym"),
        ("Thanks a lot for the pictures you sent.", "photos", False, None),
        ("Thank you for the photos.", "photos", True, "phrase"),
        # words of the cue spread over two sentences do not count
        ("The amount is large. We refund nothing today.", "refund", False, None),
        # not mentioned at all
        ("The weather is nice.", "timing", False, None),
    ],
)
def test_points_found_by_phrase_inflection_order_and_synonym(text, point, covered, match):
    result = assess_reply(email(REFUND_POINTS), text, "en-US")
    found = {p.point_id: p for p in result.points}[point]
    assert found.covered is covered
    assert found.match == match
    if covered:
        assert found.sentence and found.cue


def test_synonyms_cover_a_paraphrased_refund():
    task = email([Point("refund", "Refund", ("refund", "money back"))])
    result = assess_reply(task, "We will reimburse you tomorrow.", "en-GB")
    assert result.points[0].covered
    assert result.points[0].match == "synonym"


def test_negated_mention_is_not_coverage():
    task = email([Point("refund", "Refund", ("refund",))])
    result = assess_reply(task, "Unfortunately we cannot refund this order.", "en-US")
    assert not result.points[0].covered
    assert result.points[0].negated
    assert result.missing_points == ("refund",)


def test_missing_points_are_reported_with_evidence_for_the_found_ones():
    result = assess_reply(email(REFUND_POINTS), GOOD_EN, "en-US")
    covered = {p.point_id: p.covered for p in result.points}
    assert covered == {"apologise": True, "refund": True, "timing": False, "photos": False}
    assert result.missing_points == ("timing", "photos")
    apology = result.points[0]
    assert apology.sentence.startswith("We apologised")


@pytest.mark.parametrize(
    ("text", "point", "covered"),
    [
        ("Nous vous présentons toutes nos excuses.", "excuses", True),
        ("Nous sommes desolees pour ce retard.", "excuses", True),  # no accents, feminine plural
        ("Je suis désolé.", "excuses", True),
        ("Vous serez remboursée sous dix jours.", "remboursement", True),
        ("Le remboursement arrivera vite.", "remboursement", True),
        ("Nous ne pouvons pas vous rembourser.", "remboursement", False),
        ("Merci pour votre patience.", "remboursement", False),
    ],
)
def test_french_points_are_accent_insensitive_and_stemmed(text, point, covered):
    task = email(
        [
            Point("excuses", "Excuses", ("désolé", "excuses")),
            Point("remboursement", "Remboursement", ("rembourser",)),
        ]
    )
    result = assess_reply(task, text, "fr")
    assert {p.point_id: p.covered for p in result.points}[point] is covered


# --- word count -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("", "empty", 0),
        ("   \n\t  ", "empty", 0),
        ("😀 🎉 !!!", "empty", 0),
        ("one two three", "short", 3),
        ("word " * 30, "ok", 30),
        ("word " * 150, "long", 150),
        ("Don't e-mail me.", "short", 3),
    ],
)
def test_word_count_against_limits(text, status, words):
    result = assess_reply(email([], min_words=20, max_words=120), text, "en-US")
    assert (result.words.status, result.words.words) == (status, words)
    assert (result.words.min_words, result.words.max_words) == (20, 120)
    if status == "empty":
        assert result.score == 0.0


# --- greeting, closing and tone ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "greeting", "closing"),
    [
        ("Dear Mr Okafor,\n\nThank you.\n\nKind regards,\nAnna", "en-US", "dear", "kind regards"),
        (
            "Hello Dana,\nYour refund is on its way.\nBest regards,\nSam",
            "en-US",
            "hello",
            "best regards",
        ),
        ("Hi Sam, we will look into it.\nSincerely,\nTeam", "en-GB", "hi", "sincerely"),
        (
            "Good morning,\nAll done.\nYours faithfully,\nAnna",
            "en-GB",
            "good morning",
            "yours faithfully",
        ),
        ("Your parcel left today.", "en-US", None, None),
        (
            "Bonjour Madame,\nVotre colis est parti.\nCordialement,\nAnna",
            "fr",
            "bonjour",
            "cordialement",
        ),
        (
            "Madame, Monsieur,\nC'est fait.\nBien à vous,\nAnna",
            "fr",
            "madame, monsieur",
            "bien a vous",
        ),
        (
            "Madame,\nC'est fait.\nJe vous prie d'agréer, Madame, mes salutations distinguées.",
            "fr",
            "madame",
            "salutations distinguees",
        ),
        ("Votre colis est parti.", "fr", None, None),
    ],
)
def test_greeting_and_closing_in_english_and_french(text, language, greeting, closing):
    register = assess_reply(email([]), text, language).register
    assert (register.greeting, register.closing) == (greeting, closing)


@pytest.mark.parametrize(
    ("text", "tone", "language", "issue", "present"),
    [
        ("Dear Sir, please find the form attached. Kind regards", "formal", "en-US", "", False),
        ("hey dude, gonna fix it lol. thx", "formal", "en-US", "slang: gonna", True),
        ("Dear Sir, PLEASE STOP CALLING US. Regards", "formal", "en-US", "shouting", True),
        ("Dear Sir, thank you for your order!!! Regards", "formal", "en-US", "exclamations", True),
        ("Dear Sir, that was a stupid question. Regards", "formal", "en-US", "rude: stupid", True),
        ("Hey! Thanks so much, all sorted 😊", "friendly", "en-US", "emoji", False),
        ("Hey, thanks, all sorted 😊", "formal", "en-US", "emoji", True),
        ("Dear Sir, thank you. Regards", "formal", "en-US", "no polite marker", False),
        ("Dear Sir, your parcel left. Regards", "formal", "en-US", "no polite marker", True),
        ("Bonjour, merci pour ton message, je te rappelle.", "formal", "fr", "address: tu", True),
        ("Bonjour, merci pour ton message, je te rappelle.", "friendly", "fr", "address", False),
        (
            "Bonjour, merci, je vous rappelle et tu verras.",
            "friendly",
            "fr",
            "address: mixed",
            True,
        ),
        ("Bonjour, merci pour votre message. Cordialement", "formal", "fr", "", False),
        ("Salut, mdr c'est réglé, merci", "formal", "fr", "slang: mdr", True),
    ],
)
def test_tone_issues(text, tone, language, issue, present):
    register = assess_reply(email([], tone=tone), text, language).register
    found = (
        any(i.startswith(issue) for i in register.tone_issues)
        if issue
        else bool(register.tone_issues)
    )
    assert found is present, register.tone_issues


def test_french_address_is_recorded():
    register = assess_reply(email([]), "Bonjour, nous vous rappelons demain. Merci.", "fr").register
    assert register.address == "vous"


def test_a_good_reply_scores_above_a_rude_short_one():
    good = assess_reply(email(REFUND_POINTS), GOOD_EN, "en-US")
    bad = assess_reply(email(REFUND_POINTS), "not my problem lol, deal with it!!!", "en-US")
    assert good.score > 60 > bad.score
    assert 0 <= bad.score <= 100


def test_chat_does_not_need_a_closing():
    text = "Hi there! Good news: you were only charged once, the second amount is a hold."
    chat = assess_reply(email([], kind="chat", tone="friendly"), text, "en-US")
    mail = assess_reply(email([], kind="email", tone="friendly"), text, "en-US")
    assert chat.register.frame_fit == 1.0
    assert mail.register.frame_fit == 0.5


def test_html_and_control_characters_are_flagged_and_removed():
    result = assess_reply(email(REFUND_POINTS), "<b>Dear Sir,</b>\x00 I am sorry.", "en-US")
    assert {"html_markup", "control_characters"} <= set(result.flags)
    assert result.register.greeting == "dear"
    assert result.points[0].covered


# --- forms ------------------------------------------------------------------------------------


def form(*fields):
    return FormTask("form", "form", "Form", "Fill it.", "doc", tuple(fields))


DATE = FormField("date", "Date", "date", ("2024-03-05",))
AMOUNT = FormField("amount", "Amount", "amount", ("€1,234.50",))
NUMBER = FormField("qty", "Quantity", "number", ("1500",))
MAIL = FormField("mail", "E-mail", "email", ("Accounts@Example.com",))
CHOICE = FormField("pay", "Payment", "choice", ("BACS transfer",), ("BACS transfer", "Cheque"))
TEXT = FormField("ref", "Reference", "text", ("INV-2024-0117",))
NAME = FormField("name", "Name", "text", ("Hélène Dupré",))


@pytest.mark.parametrize(
    ("field", "value", "language", "status"),
    [
        (DATE, "2024-03-05", "en-GB", "right"),
        (DATE, "05/03/2024", "en-GB", "right"),
        (DATE, "05/03/2024", "fr", "right"),
        (DATE, "03/05/2024", "en-US", "right"),
        (DATE, "03/05/2024", "en-GB", "wrong"),  # 3 May in the UK
        (DATE, "5 March 2024", "en-GB", "right"),
        (DATE, "5th March 2024", "en-GB", "right"),
        (DATE, "March 5, 2024", "en-US", "right"),
        (DATE, "Tuesday, March 5th, 2024", "en-US", "right"),
        (DATE, "5 mars 2024", "fr", "right"),
        (DATE, "le 5 mars 2024", "fr", "right"),
        (DATE, "5.3.24", "fr", "right"),
        (DATE, "6 March 2024", "en-GB", "wrong"),
        (DATE, "sometime in March", "en-GB", "wrong"),
        (AMOUNT, "€1,234.50", "en-GB", "right"),
        (AMOUNT, "1234.5", "en-GB", "right"),
        (AMOUNT, "1 234,50 €", "fr", "right"),
        (AMOUNT, "1.234,50", "fr", "right"),
        (AMOUNT, "EUR 1234.50", "en-US", "right"),
        (AMOUNT, "1234,50 euros", "fr", "right"),
        (AMOUNT, "$1,234.50", "en-US", "wrong"),  # another currency
        (AMOUNT, "1,243.50", "en-GB", "wrong"),
        (AMOUNT, "a lot", "en-GB", "wrong"),
        (NUMBER, "1,500", "en-US", "right"),
        (NUMBER, "1 500", "fr", "right"),
        (NUMBER, "1500.0", "en-US", "right"),
        (NUMBER, "150", "en-US", "wrong"),
        (MAIL, "accounts@example.com", "en-GB", "right"),
        (MAIL, "  <ACCOUNTS@EXAMPLE.COM> ", "en-GB", "right"),
        (MAIL, "accounts@example.co", "en-GB", "wrong"),
        (MAIL, "not an address", "en-GB", "wrong"),
        (CHOICE, "bacs transfer", "en-GB", "right"),
        (CHOICE, "Cheque", "en-GB", "wrong"),
        (CHOICE, "Bank transfer", "en-GB", "wrong"),
        (TEXT, "inv-2024-0117", "en-GB", "right"),
        (TEXT, "INV 2024 0117", "en-GB", "right"),
        (TEXT, " INV-2024-0117. ", "en-GB", "right"),
        (TEXT, "INV-2024-0171", "en-GB", "wrong"),
        (NAME, "hélène dupré", "fr", "right"),
        (NAME, "Helene Dupre", "fr", "wrong"),
        (TEXT, "", "en-GB", "missing"),
        (TEXT, "   ", "en-GB", "missing"),
    ],
)
def test_form_fields_equivalent_formats(field, value, language, status):
    result = assess_form(form(field), {field.id: value}, language)
    assert result.fields[0].status == status, result.fields[0]


def test_form_counts_and_reasons():
    task = form(DATE, AMOUNT, MAIL, CHOICE, NAME)
    values = {"date": "5 March 2024", "amount": "$1,234.50", "pay": "Wire", "name": "Helene Dupre"}
    result = assess_form(task, values, "en-GB")
    assert (result.right, result.wrong, result.missing, result.total) == (1, 3, 1, 5)
    assert result.score == 20.0
    reasons = {f.field_id: f.reason for f in result.fields}
    assert reasons["amount"].startswith("wrong currency")
    assert reasons["pay"] == "not one of the choices"
    assert reasons["name"] == "accents differ"
    assert {f.field_id: f.normalised for f in result.fields}["date"] == "2024-03-05"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2024-03-05", "en-US", "2024-03-05"),
        ("31/12/2024", "en-US", "2024-12-31"),  # cannot be month-first: read the other way
        ("1er avril 2024", "fr", "2024-04-01"),
        ("Sept 9 2024", "en-US", "2024-09-09"),
        ("30/02/2024", "en-GB", None),
    ],
)
def test_parse_date(text, language, expected):
    read = parse_date(text, language)
    assert (read.isoformat() if read else None) == expected


@pytest.mark.parametrize(
    ("text", "language", "value", "currency"),
    [
        ("£1,240.00", "en-GB", "1240.00", "GBP"),
        ("1 240,00 €", "fr", "1240.00", "EUR"),
        ("(12.50)", "en-US", "-12.50", None),
        ("USD 3.5", "en-US", "3.5", "USD"),
        ("1,5", "fr", "1.5", None),
    ],
)
def test_parse_amount(text, language, value, currency):
    read = parse_amount(text, language)
    assert read is not None
    assert str(read[0]) == value and read[1] == currency


# --- corrections ------------------------------------------------------------------------------

CORRECTIONS = CorrectionTask(
    "fix",
    "correction",
    "Fix",
    "Correct.",
    (
        CorrectionItem(
            "s1",
            "He don't know the answer.",
            ("He doesn't know the answer.", "He does not know the answer."),
        ),
        CorrectionItem(
            "s2",
            "We will send you a email with the tracking number.",
            ("We will send you an email with the tracking number.",),
        ),
        CorrectionItem(
            "f1", "Votre colis a ete envoyer hier.", ("Votre colis a été envoyé hier.",)
        ),
    ),
)


@pytest.mark.parametrize(
    ("item", "answer", "status", "new_errors"),
    [
        ("s1", "He doesn't know the answer.", "fixed", []),
        ("s1", "He does not know the answer.", "fixed", []),
        ("s1", "  He doesn’t   know the answer. ", "fixed", []),  # curly quote, extra spaces
        ("s1", "He don't know the answer.", "unchanged", []),
        ("s1", "He didn't know the answer.", "wrong_fix", []),
        ("s1", "He doesn't knows the answer.", "fixed_with_new_errors", [("know", "knows")]),
        ("s1", "He don't know an answer.", "new_errors", [("the", "an")]),
        ("s1", "", "missing", []),
        ("s2", "We will send you an email with the tracking number.", "fixed", []),
        (
            "s2",
            "We will send you an email with the tracking nunber.",
            "fixed_with_new_errors",
            [("number", "nunber")],
        ),
        (
            "s2",
            "We will send you an email.",
            "fixed_with_new_errors",
            [("with the tracking number", "")],
        ),
        ("f1", "Votre colis a été envoyé hier.", "fixed", []),
        ("f1", "Votre colis a été envoyer hier.", "wrong_fix", []),
        ("f1", "Votre colis a été envoyé hier !", "fixed_with_new_errors", [(".", "!")]),
    ],
)
def test_corrections_fixed_unfixed_and_new_errors(item, answer, status, new_errors):
    result = assess_corrections(CORRECTIONS, {item: answer}, "en-US")
    found = {i.item_id: i for i in result.items}[item]
    assert found.status == status, found
    assert [(c.original, c.answer) for c in found.new_errors] == new_errors


def test_correction_totals():
    answers = {
        "s1": "He doesn't know the answer.",
        "s2": "We will send you a email with the tracking number.",
    }
    result = assess_corrections(CORRECTIONS, answers, "en-US")
    assert (result.fixed, result.unchanged, result.missing, result.total) == (1, 1, 1, 3)
    assert result.score == pytest.approx(33.3)
    assert result.to_dict()["items"][0]["status"] == "fixed"


# --- any input --------------------------------------------------------------------------------

_LANGUAGES = st.sampled_from(["en-US", "en-GB", "fr"])
_ANY_VALUE = st.one_of(st.text(max_size=300), st.none(), st.integers(), st.binary(max_size=20))


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(max_size=800), language=_LANGUAGES, tone=st.sampled_from(["formal", "friendly"])
)
def test_reply_never_raises_and_stays_in_range(text, language, tone):
    task = email(REFUND_POINTS, tone=tone)
    result = assess_reply(task, text, language)
    assert 0.0 <= result.score <= 100.0
    assert 0.0 <= result.register.tone_fit <= 1.0 and 0.0 <= result.register.frame_fit <= 1.0
    assert result.words.words >= 0
    assert assess_reply(task, text, language) == result


@settings(max_examples=200, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from(["date", "amount", "qty", "mail", "pay", "ref", "name", "other"]),
        _ANY_VALUE,
    ),
    language=_LANGUAGES,
)
def test_form_never_raises_and_stays_in_range(values, language):
    task = form(DATE, AMOUNT, NUMBER, MAIL, CHOICE, TEXT, NAME)
    result = assess_form(task, values, language)
    assert 0.0 <= result.score <= 100.0
    assert result.right + result.wrong + result.missing == result.total == 7
    assert assess_form(task, values, language) == result


@settings(max_examples=200, deadline=None)
@given(answers=st.dictionaries(st.sampled_from(["s1", "s2", "f1", "x"]), _ANY_VALUE))
def test_corrections_never_raise_and_stay_in_range(answers):
    result = assess_corrections(CORRECTIONS, answers, "en-US")
    assert 0.0 <= result.score <= 100.0
    assert result.total == 3
    assert assess_corrections(CORRECTIONS, answers, "en-US") == result
