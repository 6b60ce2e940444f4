"""Greeting, closing and tone read like a table: a reply, what must be found, what must not."""

from __future__ import annotations

import pytest

from assessor.question_banks import EmailTask
from assessor.scoring.task import assess_reply


def email(*, tone="formal", kind="email"):
    return EmailTask("reply", kind, "Reply", "Answer the customer.", "...", 20, 120, tone, ())


def register(text, language="en-US", **task):
    return assess_reply(email(**task), text, language).register


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
    found = register(text, language)
    assert (found.greeting, found.closing) == (greeting, closing)


# Found by the demo: a closing above a signature of 3-4 lines (name, job title, company, phone)
# was missed, and a subject line on the first line hid the greeting.
@pytest.mark.parametrize(
    ("text", "language", "greeting", "closing"),
    [
        (
            "Dear Dana,\nYour refund is on its way.\n\nBest regards,\nAnna Smith\n"
            "Customer Care Advisor\nHalcyon Home Goods\nTel. 1-800-555-0142",
            "en-US",
            "dear",
            "best regards",
        ),
        (
            "Dear Dana,\nDone.\n\nKind regards,\n\nEleanor Whitaker\nAccounts Assistant\n"
            "Kestrel Office Supplies Ltd.\n0113 496 0728\naccounts@kestreloffice.co.uk",
            "en-GB",
            "dear",
            "kind regards",
        ),
        (
            "Bonjour Madame,\nC'est fait.\nCordialement,\nAnna Martin\nConseillère clientèle\n"
            "Azura Mobile\n09 70 80 12 34",
            "fr",
            "bonjour",
            "cordialement",
        ),
        (
            "Subject: Re: Broken lamp\n\nHi Dana,\nDone.\nBest regards,\nSam",
            "en-US",
            "hi",
            "best regards",
        ),
        (
            "Re: order HH-50977\nDear Mr. Okafor,\nDone.\nSincerely,\nSam",
            "en-US",
            "dear",
            "sincerely",
        ),
        ("RE: FW: your parcel\nHello Dana,\nIt left today.", "en-US", "hello", None),
        (
            "Objet : Facture de mars\n\nMadame, Monsieur,\nC'est fait.\nCordialement",
            "fr",
            "madame, monsieur",
            "cordialement",
        ),
        # a thank-you far above the last lines is not a sign-off
        ("Dear Dana,\nThank you.\n" + "It is done.\n" * 9, "en-US", "dear", None),
    ],
)
def test_closing_above_a_signature_and_greeting_under_a_subject(text, language, greeting, closing):
    found = register(text, language)
    assert (found.greeting, found.closing) == (greeting, closing)


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
    found = register(text, language, tone=tone)
    hit = any(i.startswith(issue) for i in found.tone_issues) if issue else bool(found.tone_issues)
    assert hit is present, found.tone_issues


# Found by the demo: "This was not your fault" was flagged as rude.
@pytest.mark.parametrize(
    ("text", "rude"),
    [
        ("We are sorry. This was not your fault in any way.", False),
        ("It is not your fault, and we apologize.", False),
        ("I'm so sorry, it's not your fault at all.", False),
        ("We apologise: this was never your fault.", False),
        ("Sorry, but that is your fault.", True),
        ("It was your fault, sorry.", True),
        # a negation excuses blame, never an insult
        ("Don't be stupid, sorry.", True),
        ("Sorry, it's not my problem.", True),
    ],
)
def test_negated_blame_is_not_rude(text, rude):
    issues = register(text).tone_issues
    assert any(i.startswith("rude") for i in issues) is rude, issues


def test_subject_line_quoted_from_the_customer_is_not_shouting():
    text = "Re: Sofa delivery - NOBODY CAME AT ALL\n\nDear Mr Okafor,\nWe are sorry.\nRegards"
    assert not any(i.startswith("shouting") for i in register(text).tone_issues)


def test_french_address_is_recorded():
    assert register("Bonjour, nous vous rappelons demain. Merci.", "fr").address == "vous"


def test_chat_does_not_need_a_closing():
    text = "Hi there! Good news: you were only charged once, the second amount is a hold."
    chat = assess_reply(email(kind="chat", tone="friendly"), text, "en-US")
    mail = assess_reply(email(kind="email", tone="friendly"), text, "en-US")
    assert chat.register.frame_fit == 1.0
    assert mail.register.frame_fit == 0.5
