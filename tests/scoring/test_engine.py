"""The engine over whole banks: a fake checker for speed, the real LanguageTool for truth."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessor.question_banks import (
    Bank,
    CorrectionItem,
    CorrectionTask,
    EmailTask,
    FormField,
    FormTask,
    Point,
    TypingTask,
    load_bank,
)
from assessor.scoring import aggregate, features, grammar
from assessor.scoring.engine import (
    LEVELS,
    MAX_SCORED_CHARS,
    ScoreCard,
    TaskScore,
    score_answer,
    score_attempt,
)
from assessor.scoring.grammar import CheckerUnavailable, Issue, LanguageToolChecker

ROOT = Path(__file__).resolve().parents[2]
BANKS = ROOT / "question_banks"
START = 1_767_225_600_000  # 2026-01-01T00:00:00Z in epoch ms


class FakeChecker:
    """Flags a few known misspellings as spelling issues, and counts what it was sent."""

    MISSPELLINGS = re.compile(r"\b(teh|recieve|recieved|adress|wich)\b", re.IGNORECASE)

    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    def check(self, text, language):
        self.calls.append((text, language))
        return tuple(
            Issue(
                m.start(),
                len(m.group()),
                "MORFOLOGIK_RULE_EN_US",
                "TYPOS",
                "misspelling",
                "Possible spelling mistake found.",
                ("the",),
            )
            for m in self.MISSPELLINGS.finditer(text)
        )


class DownChecker:
    def check(self, text, language):
        raise CheckerUnavailable("no LanguageTool server answered")


@pytest.fixture(scope="module")
def model():
    return aggregate.load_model()


@pytest.fixture(scope="module")
def support_en():
    return load_bank(BANKS / "support-en.toml")


@pytest.fixture(scope="module")
def support_fr():
    return load_bank(BANKS / "support-fr.toml")


LAMP = """Dear Ms. Whitfield,

Thank you for contacting us and for sending the photos of the lamp. I am very sorry that \
your ceramic table lamp arrived with a cracked base. This is not the experience we want any \
customer to have, especially just before a housewarming party.

I have issued a full refund of $89.99 to your original payment method. Depending on your \
bank, the refund will appear within 5-7 business days.

You do not need to return the lamp, and you will not be charged for any shipping. Please \
feel free to keep it, recycle it or dispose of it as you prefer.

If you have any other questions, please let us know. We are always happy to help.

Kind regards,
Halcyon Home Goods Customer Care"""

SOFA = """Dear Mr. Okafor,

I am truly sorry that your sofa was not delivered on Tuesday, March 11, and that you lost a \
day of work waiting for it. You were right to write to us. Our carrier, SwiftRoute Freight, \
did not attempt the delivery, and the tracking status saying that you were not home is \
incorrect. I have reported this to SwiftRoute so that it does not happen again.

The next available slot is Saturday, March 15, between 9 a.m. and 1 p.m. As a goodwill \
gesture, we will also refund the $49.00 white-glove delivery fee. Unfortunately, we are not \
able to pay for lost wages.

Please confirm the new slot by replying to this e-mail or by calling us at 1-800-555-0142. \
As soon as you confirm, we will book the delivery.

Thank you for your patience, and please accept our apologies once again.

Kind regards,
Halcyon Home Goods Customer Care"""

CHARGE = """Hi there! Don't worry, I checked your payment records and you were only \
charged once for order HH-51230. The second $34.50 is a pending authorization, a \
temporary hold from a first payment attempt that failed. It will drop off automatically \
within 3-5 business days. If it is still there after 5 business days, just send us a \
screenshot of your statement and we will sort it out. Thanks for your patience!"""

ADDRESS = """Hi! Good news: it's not too late. Your order HH-51877 has not shipped yet; it \
leaves our warehouse tomorrow morning. Before I change the address, I need to verify your account. \
Could you please send me the e-mail address on your account and your billing ZIP code? Once \
you are verified, I will update the delivery address to 88 Birchwood Ave, Apt 3B, Columbus, \
OH 43215. Thanks!"""

WEAK = "hey. teh lamp is broke, we cant do nothing about it lol!!!"


def good_answers(bank):
    answers = {
        "damaged-lamp-refund": LAMP,
        "missed-delivery": SOFA,
        "double-charge-chat": CHARGE,
        "address-change-chat": ADDRESS,
    }
    for task in bank.tasks:
        if task.kind == "correction":
            answers[task.id] = {item.id: item.accepted[0] for item in task.items}
        elif task.kind == "typing":
            answers[task.id] = task.passage.strip()
    return answers


def typing_keystrokes(bank, gap=180):
    events = {}
    for task in bank.tasks:
        if task.kind == "typing":
            n = len(task.passage.strip()) + 3
            events[task.id] = [
                {
                    "type": "keys",
                    "task": task.id,
                    "part": "",
                    "start": START,
                    "deltas": [0] + [gap] * (n - 1),
                    "deletes": 3,
                }
            ]
    return events


def one_task_bank(task, language="en-US"):
    return Bank("one", 1, "One task", language, 30, "", None, (task,))


REPLY = EmailTask(
    "reply",
    "email",
    "Reply",
    "Answer.",
    "My parcel is late.",
    20,
    150,
    "formal",
    (Point("apologise", "Apologises", ("sorry", "apologise")),),
)


# --- with a fake checker ----------------------------------------------------------------------


def test_whole_bank_card(support_en, model):
    checker = FakeChecker()
    card = score_attempt(
        support_en, good_answers(support_en), checker, typing_keystrokes(support_en), model=model
    )
    assert [t.task_id for t in card.tasks] == [t.id for t in support_en.tasks]
    for name in ("grammar", "readability", "vocabulary", "task_completion", "typing"):
        value = getattr(card.subscores, name)
        assert value is not None and 0.0 <= value <= 100.0, name
    assert card.subscores.task_completion >= 80
    assert card.subscores.typing >= 80
    assert 0.0 <= card.overall <= 100.0
    assert card.level in LEVELS and card.level_is_estimate
    assert card.model_version
    assert {t.task_id for t in card.tasks if t.proficiency is not None} == {
        "damaged-lamp-refund",
        "missed-delivery",
        "double-charge-chat",
        "address-change-chat",
    }
    assert all(language == "en-US" for _, language in checker.calls)


def test_good_answers_beat_weak_ones(support_en, model):
    good = score_attempt(
        support_en,
        good_answers(support_en),
        FakeChecker(),
        typing_keystrokes(support_en),
        model=model,
    )
    weak_answers = {t.id: WEAK for t in support_en.tasks if t.kind in ("email", "chat")}
    weak = score_attempt(support_en, weak_answers, FakeChecker(), {}, model=model)
    assert good.overall > weak.overall
    assert good.subscores.task_completion > weak.subscores.task_completion
    lamp = next(t for t in weak.tasks if t.task_id == "damaged-lamp-refund")
    assert lamp.grammar.counts["spelling"] == 1
    assert lamp.reply.words.status == "short"
    assert "no-return" in lamp.reply.missing_points


def test_card_round_trips_through_json(support_en, model):
    card = score_attempt(
        support_en,
        good_answers(support_en),
        FakeChecker(),
        typing_keystrokes(support_en),
        model=model,
    )
    stored = json.loads(json.dumps(card.to_dict()))
    assert ScoreCard.from_dict(stored) == card
    assert ScoreCard.from_dict(stored).to_dict() == stored
    task = card.tasks[0]
    assert TaskScore.from_dict(json.loads(json.dumps(task.to_dict()))) == task


def test_same_input_same_card(support_en, model):
    args = (support_en, good_answers(support_en), FakeChecker(), typing_keystrokes(support_en))
    assert (
        score_attempt(*args, model=model).to_dict() == score_attempt(*args, model=model).to_dict()
    )


def test_missing_answers_score_zero_without_calling_the_checker(support_en, model):
    checker = FakeChecker()
    card = score_attempt(support_en, {}, checker, {}, model=model)
    assert checker.calls == []
    assert card.subscores.grammar == 0.0 and card.subscores.task_completion == 0.0
    assert card.overall == 0.0
    assert all("empty" in t.flags for t in card.tasks if t.kind in ("email", "chat"))


def test_checker_unavailable_propagates(support_en, model):
    with pytest.raises(CheckerUnavailable):
        score_attempt(support_en, good_answers(support_en), DownChecker(), {}, model=model)


class WaitingChecker:
    """Answers only once the text measures have started: proves they run during the check."""

    def __init__(self):
        self.measures_started = threading.Event()

    def check(self, text, language):
        if not self.measures_started.wait(timeout=10):
            raise AssertionError("the text measures waited for LanguageTool")
        return ()


def test_text_measures_run_while_languagetool_checks(monkeypatch, model):
    checker = WaitingChecker()
    real = features.text_features

    def observed(text, language):
        checker.measures_started.set()
        return real(text, language)

    monkeypatch.setattr(features, "text_features", observed)
    text = "Dear Sam, I am sorry that the sofa is late. It comes on Friday. Kind regards, Anna"
    result = score_answer(REPLY, text, checker, language="en-US", model=model)
    assert result.proficiency is not None and result.grammar.score == 100.0


def test_features_prepared_ahead_equal_features_computed_at_once():
    text = "Thank you for you message. I has checked teh order; it ships on monday!\n\nBest, Jo"
    issues = FakeChecker().check(text, "en-US")
    prepared = features.text_features(text, "en-US")
    assert features.extract_features(text, issues, "en-US", prepared) == (
        features.extract_features(text, issues, "en-US")
    )


class DateRuleChecker:
    """Reports what LanguageTool says about a weekday in "the current year": a clock-bound rule."""

    def check(self, text, language):
        return (
            Issue(
                0, 4, "EN_DATE_WEEKDAY_CURRENTYEAR", "SEMANTICS", "inconsistency", "Current year?"
            ),
        )


def test_rules_that_depend_on_the_date_of_scoring_are_ignored(model):
    text = "Dear Sam, I am sorry: the sofa comes on Tuesday, March 11. Kind regards, Anna"
    result = score_answer(REPLY, text, DateRuleChecker(), language="en-US", model=model)
    assert result.grammar.issues == () and result.grammar.score == 100.0
    assert "ignored_rule: EN_DATE_WEEKDAY_CURRENTYEAR" in result.flags


def test_subscores_are_none_where_the_bank_has_no_such_task():
    bank = one_task_bank(
        FormTask(
            "f", "form", "Form", "Fill.", "doc", (FormField("d", "Date", "date", ("2024-03-05",)),)
        ),
        "en-GB",
    )
    card = score_attempt(bank, {"f": {"d": "5 March 2024"}}, DownChecker(), {})
    assert card.subscores.task_completion == 100.0
    assert (
        card.subscores.grammar,
        card.subscores.readability,
        card.subscores.vocabulary,
        card.subscores.typing,
    ) == (None, None, None, None)
    assert card.overall == 100.0
    assert card.level_source == "overall score" and card.level_is_estimate


@pytest.mark.parametrize(
    ("task", "answer", "keystrokes", "score"),
    [
        (
            FormTask(
                "f", "form", "F", "I", "doc", (FormField("a", "Amount", "amount", ("12.50",)),)
            ),
            {"a": "12,50 €"},
            (),
            100.0,
        ),
        (
            CorrectionTask(
                "c",
                "correction",
                "C",
                "I",
                (CorrectionItem("s1", "He don't know.", ("He doesn't know.",)),),
            ),
            {"s1": "He doesn't know."},
            (),
            100.0,
        ),
        (
            TypingTask("t", "typing", "T", "I", "abcde abcde"),
            "abcde abcde",
            [
                {"type": "keys", "start": START, "deltas": [0] + [100] * 10, "deletes": 0},
                {"type": "paste", "task": "t", "part": "", "length": 3, "at": START},
            ],
            None,
        ),
        (
            FormTask(
                "f", "form", "F", "I", "doc", (FormField("a", "Amount", "amount", ("12.50",)),)
            ),
            "not a mapping",
            (),
            0.0,
        ),
    ],
)
def test_score_answer_per_kind(task, answer, keystrokes, score):
    result = score_answer(task, answer, DownChecker(), language="fr", keystrokes=keystrokes)
    assert result.kind == task.kind
    if score is not None:
        assert result.score == score
    else:
        assert result.typing.keystrokes == 11 and result.typing.gross_wpm == pytest.approx(132.0)


HOSTILE = [
    ("", "empty"),
    ("   \n\t   ", "empty"),
    ("😀" * 500, "empty"),
    ("<script>alert('x')</script><p>Dear Sir, I am sorry.</p>", "html_markup"),
    ("Dear Sir,\x00\x07 I am\x1b sorry.\u200b", "control_characters"),
    ("Dear Sir, I am sorry. " * 50_000, "truncated"),  # about 1 MB
    ("Dear Sir, 我很抱歉 Мне жаль أنا آسف. I am sorry 🙏.", None),
    ("\ud800 lone surrogate and sorry", None),
    (None, "empty"),
    (12345, "not_text"),
]


@pytest.mark.parametrize(("text", "flag"), HOSTILE)
def test_hostile_input_gives_a_clear_result(text, flag, model):
    checker = FakeChecker()
    result = score_answer(REPLY, text, checker, language="en-US", model=model)
    assert 0.0 <= result.score <= 100.0
    if flag:
        assert flag in result.flags
    assert not any(f.startswith("measure_failed") for f in result.flags), result.flags
    assert all(len(sent) <= MAX_SCORED_CHARS for sent, _ in checker.calls)
    json.dumps(result.to_dict())
    assert score_answer(REPLY, text, FakeChecker(), language="en-US", model=model) == result


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=600), language=st.sampled_from(["en-US", "en-GB", "fr"]))
def test_any_text_never_raises_and_stays_in_range(text, language, model):
    bank = one_task_bank(REPLY, language)
    card = score_attempt(bank, {"reply": text}, FakeChecker(), {}, model=model)
    for value in (
        card.overall,
        card.tasks[0].score,
        card.subscores.grammar,
        card.subscores.readability,
        card.subscores.vocabulary,
    ):
        assert 0.0 <= value <= 100.0
    assert card.level in LEVELS
    assert score_attempt(bank, {"reply": text}, FakeChecker(), {}, model=model) == card
    assert ScoreCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


# --- with the real LanguageTool ---------------------------------------------------------------


@pytest.fixture(scope="module")
def checker(languagetool_url):
    return LanguageToolChecker([languagetool_url])


@pytest.mark.languagetool
def test_whole_english_bank_with_languagetool(support_en, checker, model):
    card = score_attempt(
        support_en, good_answers(support_en), checker, typing_keystrokes(support_en), model=model
    )
    weak_answers = dict(good_answers(support_en))
    weak_answers["damaged-lamp-refund"] = (
        "Dear Ms Whitfield,\n\nThank you for the photos. We is very sorry, the lamp were "
        "broke when it arrive. We will refund you teh money in 5-7 business days and you dont "
        "need to send it back, you can to keep it. If you has other question let us know.\n\n"
        "Kind regards,\nHalcyon Home Goods Customer Care"
    )
    weak = score_attempt(
        support_en, weak_answers, checker, typing_keystrokes(support_en), model=model
    )
    good_lamp, weak_lamp = card.tasks[0], weak.tasks[0]
    assert weak_lamp.grammar.counts["grammar"] + weak_lamp.grammar.counts["spelling"] >= 3
    assert good_lamp.grammar.score > weak_lamp.grammar.score
    assert card.subscores.grammar > weak.subscores.grammar
    assert card.overall > weak.overall
    assert card.subscores.task_completion >= 80 and card.level in LEVELS
    assert ScoreCard.from_dict(json.loads(json.dumps(card.to_dict()))) == card


@pytest.mark.languagetool
def test_french_reply_with_languagetool(support_fr, checker, model):
    task = support_fr.task("erreur-facturation")
    text = (
        "Madame,\n\nNous vous prions de bien vouloir nous excuser pour ce double "
        "prélèvement. Après vérification, votre facture de mars a bien été prélevée deux fois "
        "à la suite d'un incident technique. Le montant de 29,99 € vous sera remboursé par "
        "virement sous dix jours ouvrés. Si votre banque vous a facturé des frais de rejet, ils "
        "seront pris en charge sur présentation d'un justificatif. Votre dossier a ete envoyer "
        "au service comptable.\n\nNous restons à votre disposition pour toute question.\n\n"
        "Cordialement,\nLe service client Azura Mobile"
    )
    result = score_answer(task, text, checker, language=support_fr.language, model=model)
    assert result.grammar.issues, "LanguageTool should flag 'a ete envoyer'"
    assert result.reply.register.greeting == "madame"
    assert result.reply.register.closing == "cordialement"
    assert result.reply.register.address == "vous"
    assert result.proficiency is not None and result.proficiency.level in LEVELS


# --- with the language model ------------------------------------------------------------------


class BrokenReader:
    """A language model whose forward pass fails (e.g. memory exhausted)."""

    def token_scores(self, text):
        raise MemoryError("test: no memory for the forward pass")


def test_an_english_reply_is_read_by_the_language_model(language_model, model):
    task = REPLY
    plain = score_answer(task, LAMP, FakeChecker(), language="en-US", model=model)
    read = score_answer(
        task, LAMP, FakeChecker(), language="en-US", model=model, language_model=language_model
    )
    assert plain.proficiency.model.endswith("/essay_overall")
    assert read.proficiency.model.endswith("/essay_overall_lm")
    assert read.features["nlm_log_tokens"] > 0 and "nlm_mean" not in plain.features
    # everything else on the card is the same: the language model only informs the estimate
    assert (read.grammar, read.reply, read.vocabulary) == (
        plain.grammar,
        plain.reply,
        plain.vocabulary,
    )
    again = score_answer(
        task, LAMP, FakeChecker(), language="en-US", model=model, language_model=language_model
    )
    assert again == read  # the same answer, the same card


def test_french_is_not_read_by_the_english_language_model(support_fr, language_model, model):
    task = support_fr.task("erreur-facturation")
    text = "Madame,\n\nNous vous prions de nous excuser pour ce double prélèvement.\n\nCordialement"
    result = score_answer(
        task, text, FakeChecker(), language="fr", model=model, language_model=language_model
    )
    assert result.proficiency.model.endswith("/essay_overall")
    assert not any(name.startswith("nlm_") for name in result.features)


def test_a_failing_language_model_is_flagged_and_the_plain_part_scores(model):
    read = score_answer(
        REPLY, LAMP, FakeChecker(), language="en-US", model=model, language_model=BrokenReader()
    )
    plain = score_answer(REPLY, LAMP, FakeChecker(), language="en-US", model=model)
    assert "measure_failed: language model (MemoryError)" in read.flags
    assert read.proficiency == plain.proficiency


# --- what the task gave is no error ------------------------------------------------------------

FACTS = EmailTask(
    "facts",
    "email",
    "Reply to Mr Okafor",
    "Answer the customer of SwiftRoute.",
    "Hello, I am Chidi Okafor. My SwiftRoute parcel SR-88213-QX has not arrived.",
    20,
    150,
    "formal",
    (Point("apologise", "Apologises", ("sorry", "apologise")),),
)
FACTS_REPLY = (
    "Dear Mr Okafor,\n\nThank you for your message. I am sorry that your SwiftRoute parcel "
    "SR-88213-QX has not arrived yet. We will recieve an update from the carrier tomorrow "
    "and I will write to you as soon as we know more.\n\nKind regards,\nSupport team"
)


@pytest.mark.languagetool
def test_names_and_references_given_by_the_task_are_not_spelling_errors(checker, model):
    """LanguageTool does not know "Okafor" or "SwiftRoute": a candidate who copies them from
    the customer's message made no error. A real misspelling still counts."""
    raw = [FACTS_REPLY[i.offset : i.offset + i.length] for i in checker.check(FACTS_REPLY, "en-US")]
    assert "Okafor" in raw and "recieve" in raw  # what the server says, before the filter

    scored = score_answer(FACTS, FACTS_REPLY, checker, language="en-US", model=model)

    marked = [FACTS_REPLY[i.offset : i.offset + i.length] for i in scored.grammar.issues]
    assert "recieve" in marked
    assert not {"Okafor", "SwiftRoute"} & set(marked)
    (note,) = [f for f in scored.flags if f.startswith("given_by_the_task: ")]
    assert "Okafor" in note


def test_only_spelling_and_style_on_the_tasks_own_words_are_let_through():
    text = "Dear Mr Okafor, you was charged by Okafor Ltd; okafor"
    task_text = "Chidi Okafor wrote: you was charged twice."

    def issue(word, group, start=None):
        offset = text.index(word) if start is None else start
        return Issue(offset, len(word), "RULE", "", "", "m", group=group)

    issues = (
        issue("Okafor", "spelling"),  # given: let through
        issue("you was", "grammar"),  # copied, but grammar: kept
        issue("okafor", "spelling", text.rindex("okafor")),  # not the same letters: kept
        issue("Dear", "style"),  # not in the task: kept
    )
    kept, given = grammar.given_by_the_task(issues, text, task_text)
    assert [text[i.offset : i.offset + i.length] for i in kept] == ["you was", "okafor", "Dear"]
    assert given == ("Okafor",)
