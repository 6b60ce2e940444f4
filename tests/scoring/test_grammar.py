"""Grammar issues from a real LanguageTool server: what must be found, what must not."""

from __future__ import annotations

import pytest

from assessor.scoring.grammar import (
    CheckerUnavailable,
    Issue,
    LanguageToolChecker,
    grade_grammar,
    split_chunks,
)

pytestmark = pytest.mark.languagetool

MUST_FIND = [
    # text, language, word the issue must cover, group
    ("I would like a apple with my order.", "en-US", "a", "grammar"),
    ("She go to the office every day.", "en-US", "go", "grammar"),
    ("He don't know the answer.", "en-US", "don't", "grammar"),
    ("Yesterday I have send the invoice to you.", "en-US", "send", "grammar"),
    ("Thank you for your pateince.", "en-US", "pateince", "spelling"),
    ("We will refund you. i am sorry.", "en-US", "i", "spelling"),
    ("Il a mangé une pomme verts.", "fr", "verts", "grammar"),
    ("Je suis allé a la maison.", "fr", "a", "grammar"),
    ("Nous avons recu votre message.", "fr", "recu", "spelling"),
]

CLEAN = [
    (
        "Dear Ms Patel,\n\nThank you for contacting us about your refund. I am sorry for the "
        "delay. We processed the payment today, and it should reach your account within three "
        "working days.\n\nKind regards,\nSam",
        "en-US",
    ),
    ("Hi Tom, thanks for your message! Your order shipped this morning.", "en-US"),
    (
        "Bonjour Madame Martin,\n\nMerci pour votre message. Nous avons bien reçu votre "
        "commande et nous vous remercions de votre patience.\n\nCordialement,\nLéa",
        "fr",
    ),
]


@pytest.fixture(scope="module")
def checker(languagetool_url):
    return LanguageToolChecker([languagetool_url])


@pytest.mark.parametrize(("text", "language", "word", "group"), MUST_FIND)
def test_error_is_found(checker, text, language, word, group):
    issues = checker.check(text, language)
    start = text.index(f" {word} ") + 1 if f" {word} " in text else text.index(word)
    end = start + len(word)
    covering = [i for i in issues if i.offset < end and i.offset + i.length > start]
    assert covering, f"{word!r} not flagged in {text!r}: {issues}"
    assert group in {i.group for i in covering}


@pytest.mark.parametrize(("text", "language"), CLEAN)
def test_clean_reply_is_not_penalised(checker, text, language):
    issues = checker.check(text, language)
    serious = [i for i in issues if i.group in ("grammar", "spelling")]
    assert serious == []
    assert grade_grammar(text, issues, language).score >= 90


def test_offsets_survive_emoji_and_chunks(languagetool_url):
    checker = LanguageToolChecker([languagetool_url], max_chunk_chars=60)
    text = "Thanks 😀 for waiting. " * 3 + "She go to the bank. " + "All is fine now. " * 3
    issues = checker.check(text, "en-US")
    assert any(text[i.offset : i.offset + i.length] == "go" for i in issues)


def test_failover_to_the_next_server(languagetool_url):
    checker = LanguageToolChecker(["http://127.0.0.1:9", languagetool_url], timeout=5)
    assert checker.check("She go home.", "en-US")


def test_no_server_answers():
    checker = LanguageToolChecker(["http://127.0.0.1:9"], timeout=2)
    with pytest.raises(CheckerUnavailable):
        checker.check("She go home.", "en-US")


@pytest.mark.parametrize("size", [1, 50, 1000])
def test_split_chunks_covers_text(size):
    text = "One sentence here. Another one there.\n\n" * size
    chunks = split_chunks(text, 500)
    assert "".join(c for _, c in chunks) == text
    assert all(text[start : start + len(c)] == c for start, c in chunks)
    assert all(len(c) <= 500 for _, c in chunks)


def test_grade_grammar_weighs_density():
    text = "word " * 100
    one = Issue(0, 4, "X", "GRAMMAR", "grammar", "m")
    assert grade_grammar(text, [], "en-US").score == 100
    assert grade_grammar(text, [one], "en-US").counts["grammar"] == 1
    assert grade_grammar(text, [one] * 5, "en-US").score < grade_grammar(text, [one], "en-US").score
