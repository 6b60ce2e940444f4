"""benchmarks/grammar_recall.py: its table (sizes, spans, categories, no duplicates), how it counts
a detected error and a false positive, and one run of each way of checking on the real server.

No recall figure is asserted here: the benchmark prints them (benchmarks/README.md)."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from contextlib import ExitStack
from pathlib import Path

import pytest

from assessor import languagemodel as lm_install
from assessor.languagetool.rules import disabled_rules
from assessor.scoring.grammar import Issue, LanguageToolChecker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import grammar_recall as bench  # noqa: E402

RAW = tomllib.loads(bench.DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def table():
    return bench.load_table()


def _issue(offset: int, length: int, rule: str = "RULE") -> Issue:
    return Issue(offset, length, rule, "GRAMMAR", "grammar", "message")


# --- the table --------------------------------------------------------------------------------


def test_the_table_has_the_sizes_the_issue_asks_for(table):
    sections = [e.section for e in table.errors]
    assert sections.count("en") >= 150
    assert sections.count("fr") >= 60
    assert len(table.clean) >= 100
    english = [c for c in table.clean if c.language.startswith("en")]
    assert len(english) > len(table.clean) / 2  # mostly English, as the candidates write


@pytest.mark.parametrize("section", ["en", "fr"])
def test_every_raw_item_has_one_error_inside_its_text(section):
    for category, items in RAW[section].items():
        assert category in bench.CATEGORIES[section]
        assert len(items) >= 3, f"{category}: too few items for a recall"
        for item in items:
            text, error = item["text"], item["error"]
            assert error and error in text, f"{error!r} is not in {text!r}"
            assert item["fix"] != error
            assert item.get("language", bench.SECTION_LANGUAGE[section]) in bench.LANGUAGES[section]


def test_loaded_spans_are_the_marked_words(table):
    raw = {(s, item["text"]): item for s in bench.CATEGORIES for v in RAW[s].values() for item in v}
    assert len(raw) == len(table.errors)
    for item in table.errors:
        assert 0 <= item.start < item.end <= len(item.text)
        assert item.error == raw[item.section, item.text]["error"]
        assert item.corrected != item.text
        assert item.category in bench.CATEGORIES[item.section]


def test_no_text_appears_twice():
    texts = [i["text"] for s in bench.CATEGORIES for v in RAW[s].values() for i in v]
    texts += [c["text"].strip() for c in RAW["clean"]]
    assert len(texts) == len(set(texts))


def test_the_errors_the_issue_reports_are_in_the_table(table):
    wanted = [
        ("en", "subject_verb", "You was"),
        ("en", "subject_verb", "6 was"),
        ("en", "possessive", "check you statement"),
        ("en", "your_youre", "Once your verified"),
        ("en", "comma_splice", ", the refund"),
        ("fr", "participle_agreement", "facture de mars a été prélevé "),
    ]
    for section, category, words in wanted:
        assert any(
            e.section == section and e.category == category and words in e.text
            for e in table.errors
        ), words


def test_clean_replies_read_like_real_replies(table):
    for reply in table.clean:
        assert len(re.findall(r"[.!?](\s|$)", reply.text)) >= 2, reply.text
        assert {reply.text[s:e] for s, e in reply.fact_spans} == set(reply.facts)
    with_figures = [r for r in table.clean if re.search(r"\d", r.text)]
    assert len(with_figures) >= 0.9 * len(table.clean)  # amounts, order numbers, dates
    assert sum(len(r.facts) > 0 for r in table.clean) >= 0.9 * len(table.clean)


def test_every_problem_of_a_table_is_reported_at_once(tmp_path):
    path = tmp_path / "table.toml"
    path.write_text(
        "[en]\n"
        'spelling = [{ text = "We recieved it.", error = "recieve", fix = "receive" }]\n'
        'made_up = [{ text = "A b c.", error = "b", fix = "d" }]\n'
        "[fr]\n"
        'accents = [{ text = "Il a ete vu.", error = "ete", fix = "ete" }]\n'
        "[[clean]]\n"
        'language = "en-US"\nfacts = ["Okafor"]\ntext = "Dear Sam, thank you."\n',
        encoding="utf-8",
    )
    with pytest.raises(bench.TableError) as raised:
        bench.load_table(path)
    message = str(raised.value)
    assert "'recieve' found nowhere" in message  # whole words only: not inside "recieved"
    assert "unknown category 'made_up'" in message
    assert "[fr] accents #1: `fix` must be given and differ" in message
    assert "fact 'Okafor' is not in the text" in message


def test_the_halves_are_fixed_by_position_in_each_category(table):
    for section in bench.CATEGORIES:
        for category, raw in RAW[section].items():
            items = [e for e in table.errors if (e.section, e.category) == (section, category)]
            assert [e.text for e in items] == [r["text"] for r in raw]  # in the file's order
            assert [e.half for e in items] == [bench.HALVES[n % 2] for n in range(len(raw))]
    assert [c.half for c in table.clean] == [bench.HALVES[n % 2] for n in range(len(table.clean))]
    english = [e for e in table.errors if e.section == "en"]
    dev = sum(e.half == "dev" for e in english)
    assert abs(dev - (len(english) - dev)) <= len(RAW["en"])  # at most one more per category


def test_spans_are_whole_words():
    assert bench.spans_of("its items", "its") == [(0, 3)]
    assert bench.spans_of("Thank you , we", " ,") == [(9, 11)]
    assert bench.spans_of("on March 6..", "6..") == [(9, 12)]


# --- counting, with a stand-in checker --------------------------------------------------------


def test_an_error_is_detected_only_by_a_match_that_overlaps_it():
    item = bench.ErrorItem("en", "tense", "en-US", "We send it.", 3, 7, "sent")
    for issues, detected in [
        ([_issue(3, 4)], True),
        ([_issue(0, 4)], True),  # "We s" touches the error
        ([_issue(6, 5)], True),
        ([_issue(0, 3)], False),  # "We " ends where the error starts
        ([_issue(7, 4)], False),  # " it." starts where it ends
        ([], False),
    ]:
        [result] = bench.count_errors([item], lambda text, language, i=issues: i)
        assert result.detected is detected, issues
    assert bench.recall_by_category([result]) == {("en", "tense"): (1, 0)}


def test_recall_is_tallied_per_section_and_category():
    def check(text: str, language: str) -> list[Issue]:
        return [_issue(0, 2)] if text.startswith("A") else []

    items = [
        bench.ErrorItem("en", "tense", "en-US", "A b.", 0, 1, "x"),
        bench.ErrorItem("en", "tense", "en-US", "B b.", 0, 1, "x"),
        bench.ErrorItem("fr", "tense_mood", "fr", "A c.", 0, 1, "x"),
    ]
    tally = bench.recall_by_category(bench.count_errors(items, check))
    assert tally == {("en", "tense"): (2, 1), ("fr", "tense_mood"): (1, 1)}


def test_false_positives_count_matches_and_those_on_the_tasks_facts():
    text = "Dear Mr. Okafor, your sofa comes on Saturday. Thanks."
    start = text.index("Okafor")
    reply = bench.CleanReply("en-US", text, ("Okafor",), ((start, start + 6),))
    found = [_issue(start, 6, "SPELLER"), _issue(text.index("sofa"), 4, "STYLE")]
    results = bench.count_false_positives([reply, reply], lambda t, lang: found)
    fp = bench.false_positives(results)
    assert (fp.replies, fp.matches, fp.on_facts) == (2, 4, 2)
    assert fp.per_10 == 20.0 and fp.rest_per_10 == 10.0
    assert fp.rules == {"SPELLER": 2, "STYLE": 2} and fp.rules_on_facts == {"SPELLER": 2}
    assert fp.examples["SPELLER"] == ["Okafor", "Okafor"]


def test_the_engines_path_lets_through_the_words_the_task_gave():
    text = "Dear Mr. Okafor, your sofa comes on Saturday. Thanks."
    start = text.index("Okafor")
    reply = bench.CleanReply("en-US", text, ("Okafor",), ((start, start + 6),))
    speller = Issue(start, 6, "SPELLER", "TYPOS", "misspelling", "m", group="spelling")
    found = [speller, _issue(text.index("sofa"), 4, "STYLE")]

    def check(text, language):
        return found

    check.task_aware = True
    (result,) = bench.count_false_positives([reply], check)
    assert [i.rule_id for i in result.issues] == ["STYLE"]  # as the engine scores it


def test_a_tuning_value_applies_to_its_language_only():
    values = ["ALL", "fr:FRENCH", "en:ENGLISH", "en-GB:BRITISH"]
    assert bench.Tuning.pick(values, "fr") == {"ALL", "FRENCH"}
    assert bench.Tuning.pick(values, "en-US") == {"ALL", "ENGLISH"}
    assert bench.Tuning.pick(values, "en-GB") == {"ALL", "ENGLISH", "BRITISH"}
    assert not bench.Tuning() and bench.Tuning(picky=True)


# --- against the real LanguageTool server -----------------------------------------------------


@pytest.mark.languagetool
def test_table_items_are_counted_through_our_checker(languagetool_url, table):
    items = [e for e in table.errors if e.category == "spelling"][:3]
    items += [e for e in table.errors if e.category == "comma_splice"][:2]
    items += [e for e in table.errors if e.section == "fr"][:3]
    check = bench.our_check(LanguageToolChecker([languagetool_url]))
    results = bench.count_errors(items, check)
    for result in results:
        item = result.item
        assert result.detected == bool(bench.overlapping(result.issues, item.start, item.end))
        assert all(0 <= i.offset < i.offset + i.length <= len(item.text) for i in result.issues)
    misspelt = [r for r in results if r.item.category == "spelling"]
    assert all(r.detected for r in misspelt), [r.item.text for r in misspelt]
    # the same words spelt right: nothing at the fix any more
    for item in (r.item for r in misspelt):
        end = item.start + len(item.fix)
        assert not bench.overlapping(check(item.corrected, item.language), item.start, end)


@pytest.mark.languagetool
def test_our_settings_differ_from_the_raw_defaults_and_a_tuning_applies(languagetool_url):
    ours = bench.our_check(LanguageToolChecker([languagetool_url]))
    # typographic nitpicks that assessor/languagetool/rules.py turns off on purpose
    for text, language in [
        ("Thanks.We will call you.", "en-US"),
        ("Merci pour votre message!", "fr"),
    ]:
        with ExitStack() as stack:
            fired = {i.rule_id for i in bench.raw_check(languagetool_url, stack)(text, language)}
        assert fired & set(disabled_rules(language)), (text, fired)
        assert not {i.rule_id for i in ours(text, language)} & set(disabled_rules(language))

    misspelt = "We have not recieved your return yet."
    assert ours(misspelt, "en-US")
    tuning = bench.Tuning(disable_rules=("en:MORFOLOGIK_RULE_EN_US",))
    tuned = bench.our_check(bench.TunedChecker([languagetool_url], tuning))
    assert "MORFOLOGIK_RULE_EN_US" not in {i.rule_id for i in tuned(misspelt, "en-US")}
    assert tuned("Nous avons bien recu votre message.", "fr")  # "en:" leaves French alone


@pytest.mark.languagetool
def test_the_benchmark_prints_recall_and_false_positives(languagetool_url, tmp_path, capsys):
    path = tmp_path / "table.toml"
    path.write_text(
        "[en]\n"
        'spelling = [{ text = "We have not recieved it yet.", error = "recieved", '
        'fix = "received" }]\n'
        "[fr]\n"
        'accents = [{ text = "Nous avons deja répondu.", error = "deja", fix = "déjà" }]\n'
        "[[clean]]\n"
        'language = "en-US"\nfacts = ["Okafor", "HH-50977"]\n'
        'text = "Dear Mr. Okafor, order HH-50977 ships today. Thank you for waiting."\n',
        encoding="utf-8",
    )
    out = tmp_path / "results.json"
    argv = ["--url", languagetool_url, "--table", str(path), "--json", str(out), "--picky"]
    assert bench.main([*argv, "--no-language-model"]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"^spelling\s+1\s+", printed, re.M)
    assert re.search(r"^accents\s+1\s+", printed, re.M)
    assert re.search(r"^en-US\s+1\s+", printed, re.M)
    assert "ours found" in printed and "raw found" in printed and "tuned found" in printed
    # the one error is item 1 of its category: the development half; no clean reply is held out
    assert re.search(r"^ours en recall\s+1/1 1\.00\s+-\s+1/1 1\.00$", printed, re.M)
    assert re.search(r"^ours en FP per 10\s+\d+/1 ", printed, re.M)
    results = json.loads(out.read_text())
    assert set(results) == {"ours", "raw", "tuned"}
    assert [e["category"] for e in results["ours"]["errors"]] == ["spelling", "accents"]
    assert results["ours"]["errors"][0]["rules"]  # "recieved" is found
    [reply] = results["ours"]["clean"]
    assert reply["language"] == "en-US"
    assert all(m["fact"] == (m["words"] in ("Okafor", "HH-50977")) for m in reply["matches"])


@pytest.mark.languagetool
def test_with_the_language_model_ours_adds_the_minimal_pairs_to_the_rules(
    languagetool_url, language_model_home, tmp_path, capsys
):
    path = tmp_path / "table.toml"
    path.write_text(
        "[en]\n"  # LanguageTool has no rule for this one (its THERE_THEIR needs "to there ...")
        'there_their = [{ text = "The couriers told us there driver was late.", '
        'error = "there", fix = "their" }]\n'
        "[[clean]]\n"
        'language = "en-US"\n'
        'text = "Thank you for your patience while we looked into the problem."\n',
        encoding="utf-8",
    )
    out = tmp_path / "results.json"
    model = lm_install.model_path(language_model_home)
    argv = ["--url", languagetool_url, "--table", str(path), "--json", str(out)]
    assert bench.main([*argv, "--language-model", str(model)]) == 0
    printed = capsys.readouterr().out
    assert "rules found" in printed and "ours found" in printed and "raw found" in printed
    assert re.search(r"^there_their\s+1\s+0\s+0\.00\s+1\s+1\.00\s+0\s+0\.00$", printed, re.M)
    results = json.loads(out.read_text())
    assert set(results) == {"rules", "ours", "raw"}
    assert results["ours"]["errors"][0]["rules"] == ["ASSESSOR_LM_CONFUSION"]
    assert results["ours"]["clean"][0]["matches"] == []
