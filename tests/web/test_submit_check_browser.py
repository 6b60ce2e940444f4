"""Before submitting, the candidate sees what is unanswered or outside its word limits (a real
browser, Debian's Chromium): from the live page at once, from the server when the page's own
list is wrong."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assessor.candidate.completeness import SPACE
from assessor.models import Answer, Bank
from assessor.question_banks import load_bank
from assessor.recruiter.services.banks import import_bank
from tests.conftest import BANKS
from tests.web.test_candidate_browser import SAVED, SHOTS, attempt_of, read, start_test

pytestmark = pytest.mark.browser

FIXES = "sentence-fixes"
FIRST_SENTENCE = "Your order have been shipped yesterday."


@pytest.fixture(autouse=True)
def quick_autosave(app):
    app.config["AUTOSAVE_SECONDS"] = 1


def words(n: int) -> str:
    return " ".join(["reply"] * n)


def answer(app, invitation_id, task, part="") -> str:
    attempt = attempt_of(app, invitation_id)
    stmt = select(Answer.text).where(
        Answer.attempt_id == attempt.id, Answer.task_id == task, Answer.part_id == part
    )
    return read(app, lambda s: s.scalar(stmt))


def listed(page: Page) -> list[str]:
    return page.locator("#submit-check-list li").all_inner_texts()


def test_the_candidate_sees_what_is_unfinished_and_may_submit_anyway(
    page: Page, live_server, app, invite
):
    invitation, token = invite()
    start_test(page, f"{live_server}/t/{token}")
    page.locator("#a-damaged-lamp-refund").fill("Too short.")  # 2 words of at least 100
    page.locator("#a-missed-delivery").fill(words(121))
    page.locator("#a-double-charge-chat").fill(words(41))
    # the wrong-address chat is left empty; the sentences to correct are left as they are given
    page.locator("#a-copy-refund-note").fill("Thank you for contacting Halcyon Home Goods.")
    expect(page.locator("#save-status")).to_have_text(SAVED)

    page.locator("#submit").click()

    check = page.locator("#submit-check")
    expect(check).to_be_focused()  # read out first; its links come next on the Tab key
    expect(page.locator("#submit-check-h")).to_have_text(
        "Before you submit: 3 tasks need your attention."
    )
    assert listed(page) == [
        "Damaged item: refund request — 2 words; write at least 100.",
        "Live chat: wrong delivery address — Not answered yet.",
        "Correct the sentences — Not answered yet: every sentence is still as it was given.",
    ]
    expect(page.locator("#submit-confirm-yes")).to_have_text("Submit anyway")
    assert attempt_of(app, invitation.id).state == "in_progress"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".submit-area").screenshot(path=SHOTS / "submit-check.png")

    page.keyboard.press("Tab")  # the first item's link, to its task's answer
    page.keyboard.press("Enter")
    expect(page.locator("#a-damaged-lamp-refund")).to_be_focused()

    # Back at the sentences, the list still open: a space added is no change; a word is.
    check.get_by_role("link", name="Correct the sentences").click()
    first = page.locator(f"#a-{FIXES}-s1")
    expect(first).to_be_focused()
    first.press("End")
    page.keyboard.type("  ")
    expect(page.locator("#submit-check-list li")).to_have_count(3)
    expect(page.locator("#submit-check-h")).to_contain_text("3 tasks")
    first.fill("Your order was shipped yesterday.")
    expect(page.locator("#submit-check-list li")).to_have_count(2)
    assert not any("Correct the sentences" in item for item in listed(page))
    expect(page.locator("#submit-check-h")).to_contain_text("2 tasks")

    # the autosave goes on while the confirmation is open
    expect(page.locator("#save-status")).to_have_text(SAVED)
    assert answer(app, invitation.id, FIXES, "s1") == "Your order was shipped yesterday."
    expect(page.locator("#submit-confirm")).to_be_visible()

    page.locator("#submit-confirm-yes").click()

    expect(page).to_have_url(re.compile(r"/done$"))
    attempt = attempt_of(app, invitation.id)
    assert (attempt.state, attempt.submitted_by) == ("submitted", "candidate")
    assert answer(app, invitation.id, "damaged-lamp-refund") == "Too short."
    assert answer(app, invitation.id, FIXES, "s2") == (
        "We will send you a email with the tracking number."
    )


def test_when_the_page_misses_something_the_server_lists_it(page: Page, live_server, app, invite):
    """A page whose own list is wrong (here it lost the sentences the correction boxes started
    from) submits without asking; the server checks the answers it holds and lists what is
    unfinished, and the candidate may still submit anyway."""
    invitation, token = invite()
    start_test(page, f"{live_server}/t/{token}")
    for task, n in {"damaged-lamp-refund": 101, "missed-delivery": 121}.items():
        page.locator(f"#a-{task}").fill(words(n))
    for task in ("double-charge-chat", "address-change-chat"):
        page.locator(f"#a-{task}").fill(words(41))
    page.locator("#a-copy-refund-note").fill("Thank you.")
    page.evaluate(
        "document.querySelectorAll('[data-original]').forEach((el) => el.dataset.original = '')"
    )

    page.locator("#submit").click()
    expect(page.locator("#submit-check")).to_be_hidden()
    expect(page.locator("#submit-confirm-yes")).to_be_focused()
    expect(page.locator("#submit-confirm-yes")).to_have_text("Yes, submit now")
    page.keyboard.press("Enter")

    expect(page.locator("#submit-check")).to_be_focused()
    assert listed(page) == [
        "Correct the sentences — Not answered yet: every sentence is still as it was given."
    ]
    assert attempt_of(app, invitation.id).state == "in_progress"
    page.locator("#submit-check").get_by_role("link").click()
    expect(page.locator(f"#a-{FIXES}-s1")).to_be_focused()

    page.locator("#submit-confirm-yes").click()

    expect(page).to_have_url(re.compile(r"/done$"))
    assert attempt_of(app, invitation.id).submitted_by == "candidate"
    assert answer(app, invitation.id, FIXES, "s1") == FIRST_SENTENCE


def test_french_candidates_count_in_french(page: Page, live_server, db_session, org, invite):
    import_bank(db_session, org, load_bank(BANKS / "support-fr.toml"))
    db_session.commit()
    bank = db_session.scalar(select(Bank).where(Bank.slug == "support-fr"))
    _, token = invite(bank_id=bank.id)
    page.goto(f"{live_server}/t/{token}")
    page.locator("#consent").check()
    page.locator("#start").click()
    reply = page.locator("#a-erreur-facturation")
    count = page.locator("#a-erreur-facturation-count")
    expect(page.locator("#save-status")).to_have_attribute("data-state", re.compile(r"\w"))

    expect(count).to_have_text("0 mot")
    reply.fill("Bonjour")
    expect(count).to_have_text("1 mot")
    reply.fill("Bonjour Madame")
    expect(count).to_have_text("2 mots")

    page.locator("#submit").click()
    expect(page.locator("#submit-check")).to_be_focused()
    expect(page.locator("#submit-check-h")).to_have_text(
        re.compile(r"^Avant l’envoi : \d+ tâches demandent votre attention\.$")
    )
    expect(page.locator("#submit-check-list li").first).to_have_text(
        "Erreur de facturation\u00a0: demande de remboursement — 2 mots ; écrivez-en au moins 100."
    )
    expect(page.locator("#submit-confirm-yes")).to_have_text("Envoyer quand même")


def test_the_page_and_the_server_agree_on_blank_characters(page: Page):
    """completeness.SPACE lists what JavaScript's trim() removes, which attempt.js relies on."""
    trimmed = page.evaluate(
        """() => {
          const found = [];
          for (let c = 0; c <= 0xffff; c++) {
            if (String.fromCharCode(c).trim() === "") found.push(c);
          }
          return found;
        }"""
    )
    assert sorted(ord(c) for c in SPACE) == trimmed
