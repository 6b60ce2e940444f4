"""Grammar recall and false positives of LanguageTool as Assessor runs it: a benchmark.

    .venv/bin/python benchmarks/grammar_recall.py                  # starts a private server
    .venv/bin/python benchmarks/grammar_recall.py --url http://127.0.0.1:8081
    .venv/bin/python benchmarks/grammar_recall.py --picky --enable-rule en:ARTICLE_MISSING

It reads the table benchmarks/data/grammar_recall.toml (learner errors, one per item, with the
span of the error; clean professional replies with the facts their task gave) and checks every
text through:
- "rules": our own client, `assessor.scoring.grammar.LanguageToolChecker`, with the fixed rule
  settings of `assessor.languagetool.rules` and the engine's filter of clock-dependent rules;
- "ours": the engine's whole path, "rules" plus the language model's minimal pairs
  (`assessor.scoring.minimal_pairs`), when the model is installed (--no-language-model: without
  them, and "ours" is then "rules");
- "raw": language_tool_python with LanguageTool's defaults.
With --picky, --enable-* or --disable-* it adds "tuned": our client plus those parameters.

It prints, per language and category, how many errors a match overlaps (recall), and for the
clean replies the matches per 10 replies with the rules behind them, and how many of those fall
on a fact of the task (a name, an amount, a reference). A benchmark: it asserts nothing.

Both columns include Assessor's own English rules (ASSESSOR_*, assessor/languagetool/custom/):
the server loads them at start. They were written on the development half of the table only;
the last table ("By half") gives recall and false positives on each half, and --half runs one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import tempfile
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import language_tool_python

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessor.languagetool import server as lt  # noqa: E402
from assessor.scoring import minimal_pairs  # noqa: E402
from assessor.scoring.engine import CLOCK_DEPENDENT_RULES  # noqa: E402
from assessor.scoring.grammar import Issue, LanguageToolChecker, given_by_the_task  # noqa: E402
from assessor.scoring.language_model import (  # noqa: E402
    MODEL_FILE,
    engine_description,
    load_language_model,
)

DATA = Path(__file__).with_name("data") / "grammar_recall.toml"
CATEGORIES = {
    "en": (
        "subject_verb", "tense", "verb_form", "your_youre", "its_its", "there_their",
        "confused_words", "comma_splice", "missing_article", "article", "preposition", "plural",
        "spelling", "capitalisation", "punctuation", "possessive", "word_order", "pronoun",
        "missing_word", "negation", "word_choice", "adjective_adverb", "repetition",
    ),
    "fr": (
        "participle_agreement", "agreement", "subject_verb", "infinitive_participle",
        "tense_mood", "accents", "homophone_a", "homophone_ou", "homophone_ce_se",
        "homophone_et_est", "homophones", "gender", "spelling", "elision", "negation",
        "preposition", "capitalisation",
    ),
}  # fmt: skip
SECTION_LANGUAGE = {"en": "en-US", "fr": "fr"}
LANGUAGES = {"en": ("en-US", "en-GB"), "fr": ("fr",)}
ITEM_KEYS = {"text", "error", "fix", "language", "nth"}
# Our own detectors (assessor/scoring/detectors.py) were written looking at the development half
# only: items 1, 3, 5, ... of each category and clean replies 1, 3, 5, ...; the held-out half
# (2, 4, 6, ...) says whether they generalise. Fixed by position, before any detector existed.
HALVES = ("dev", "held_out")

Check = Callable[[str, str], Sequence[Issue]]


class TableError(ValueError):
    """The table is wrong; the message lists every problem found."""


@dataclass(frozen=True)
class ErrorItem:
    section: str  # "en" or "fr"
    category: str
    language: str
    text: str
    start: int
    end: int
    fix: str
    number: int = 1  # its position in its category, from 1

    @property
    def half(self) -> str:
        """Odd positions are the development half, even ones are held out (see HALVES)."""
        return HALVES[(self.number + 1) % 2]

    @property
    def error(self) -> str:
        return self.text[self.start : self.end]

    @property
    def corrected(self) -> str:
        return self.text[: self.start] + self.fix + self.text[self.end :]


@dataclass(frozen=True)
class CleanReply:
    language: str
    text: str
    facts: tuple[str, ...] = ()
    fact_spans: tuple[tuple[int, int], ...] = ()
    number: int = 1  # its position among the clean replies, from 1

    @property
    def half(self) -> str:
        return HALVES[(self.number + 1) % 2]


@dataclass(frozen=True)
class Table:
    errors: tuple[ErrorItem, ...]
    clean: tuple[CleanReply, ...]


def spans_of(text: str, words: str) -> list[tuple[int, int]]:
    """Where ``words`` occur in ``text`` as whole words (case-sensitive)."""
    left = r"(?<!\w)" if words[:1].isalnum() else ""
    right = r"(?!\w)" if words[-1:].isalnum() else ""
    return [m.span() for m in re.finditer(left + re.escape(words) + right, text)]


def load_table(path: Path = DATA) -> Table:
    """Read and validate the table; raise TableError naming every problem at once."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    problems: list[str] = []
    errors = [
        item
        for section in CATEGORIES
        for category, items in data.get(section, {}).items()
        for number, raw in enumerate(items, start=1)
        if (item := _error_item(section, category, number, raw, problems))
    ]
    problems += [f"unknown table [{key}]" for key in sorted(set(data) - {*CATEGORIES, "clean"})]
    problems += [
        f"[{section}] unknown category {category!r}"
        for section in CATEGORIES
        for category in sorted(set(data.get(section, {})) - set(CATEGORIES[section]))
    ]
    clean = [
        reply
        for number, raw in enumerate(data.get("clean", []), start=1)
        if (reply := _clean_reply(number, raw, problems))
    ]
    seen = Counter([e.text for e in errors] + [c.text for c in clean])
    problems += [f"text appears {n} times: {text[:60]!r}" for text, n in seen.items() if n > 1]
    if problems:
        raise TableError(f"{path}:\n  " + "\n  ".join(problems))
    return Table(tuple(errors), tuple(clean))


def _error_item(section: str, category: str, number: int, raw: dict, problems: list[str]):
    where = f"[{section}] {category} #{number}"
    if category not in CATEGORIES[section]:
        return None  # reported once per category by load_table
    if unknown := set(raw) - ITEM_KEYS:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    text, error, fix = raw.get("text", ""), raw.get("error", ""), raw.get("fix")
    language = raw.get("language", SECTION_LANGUAGE[section])
    spans = spans_of(text, error) if text and error else []
    nth = raw.get("nth", 1 if len(spans) == 1 else None)
    if language not in LANGUAGES[section]:
        problems.append(f"{where}: language {language!r} is not one of {LANGUAGES[section]}")
    if fix is None or fix == error:
        problems.append(f"{where}: `fix` must be given and differ from `error`")
    if nth is None or not 1 <= nth <= len(spans):
        found = f"{len(spans)} times" if spans else "nowhere"
        problems.append(f"{where}: error {error!r} found {found} in {text!r}; give `nth`")
        return None
    start, end = spans[nth - 1]
    return ErrorItem(section, category, language, text, start, end, fix or "", number)


def _clean_reply(number: int, raw: dict, problems: list[str]) -> CleanReply | None:
    where = f"[[clean]] #{number}"
    text, language, facts = raw.get("text", "").strip(), raw.get("language"), raw.get("facts", [])
    if language not in LANGUAGES["en"] + LANGUAGES["fr"]:
        problems.append(f"{where}: language {language!r} unknown")
    if not text:
        problems.append(f"{where}: no text")
        return None
    spans = []
    for fact in facts:
        found = spans_of(text, fact)
        if not found:
            problems.append(f"{where}: fact {fact!r} is not in the text")
        spans += found
    return CleanReply(language, text, tuple(facts), tuple(sorted(spans)), number)


# --- counting -------------------------------------------------------------------------------


def overlapping(issues: Iterable[Issue], start: int, end: int) -> list[Issue]:
    return [i for i in issues if i.offset < end and i.offset + i.length > start]


@dataclass(frozen=True)
class ErrorResult:
    item: ErrorItem
    issues: tuple[Issue, ...]

    @property
    def hits(self) -> list[Issue]:
        return overlapping(self.issues, self.item.start, self.item.end)

    @property
    def detected(self) -> bool:
        return bool(self.hits)


@dataclass(frozen=True)
class CleanResult:
    reply: CleanReply
    issues: tuple[Issue, ...]

    def on_facts(self, issue: Issue) -> bool:
        return any(overlapping([issue], s, e) for s, e in self.reply.fact_spans)


def check_many(check: Check, texts: Sequence[tuple[str, str]], threads: int = 2) -> list:
    """Issues for each (text, language), in order; two at a time, as the server has 2 threads."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [tuple(found) for found in pool.map(lambda tl: check(*tl), texts)]


def count_errors(items: Sequence[ErrorItem], check: Check) -> list[ErrorResult]:
    found = check_many(check, [(i.text, i.language) for i in items])
    return [ErrorResult(item, issues) for item, issues in zip(items, found, strict=True)]


def count_false_positives(replies: Sequence[CleanReply], check: Check) -> list[CleanResult]:
    """The matches on each clean reply. For the engine's path ("ours", ``task_aware``), the
    words the task gave are let through as the engine does (`grammar.given_by_the_task`), the
    reply's facts standing for the task's text."""
    found = check_many(check, [(r.text, r.language) for r in replies])
    if getattr(check, "task_aware", False):
        found = [
            given_by_the_task(issues, r.text, "\n".join(r.facts))[0]
            for r, issues in zip(replies, found, strict=True)
        ]
    return [CleanResult(reply, issues) for reply, issues in zip(replies, found, strict=True)]


def recall_by_category(results: Iterable[ErrorResult]) -> dict[tuple[str, str], tuple[int, int]]:
    """(section, category) -> (items, detected), in the table's order of categories."""
    tally: dict[tuple[str, str], list[int]] = {}
    for result in results:
        counts = tally.setdefault((result.item.section, result.item.category), [0, 0])
        counts[0] += 1
        counts[1] += result.detected
    return {key: (n, hit) for key, (n, hit) in tally.items()}


@dataclass
class FalsePositives:
    replies: int = 0
    matches: int = 0
    on_facts: int = 0
    rules: Counter = field(default_factory=Counter)
    rules_on_facts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def per_10(self) -> float:
        return 10 * self.matches / self.replies if self.replies else 0.0

    @property
    def rest_per_10(self) -> float:
        """Matches per 10 replies that no fact of the task explains."""
        return 10 * (self.matches - self.on_facts) / self.replies if self.replies else 0.0


def false_positives(results: Iterable[CleanResult]) -> FalsePositives:
    fp = FalsePositives()
    for result in results:
        fp.replies += 1
        for issue in result.issues:
            fp.matches += 1
            fp.rules[issue.rule_id] += 1
            if result.on_facts(issue):
                fp.on_facts += 1
                fp.rules_on_facts[issue.rule_id] += 1
            words = result.reply.text[issue.offset : issue.offset + issue.length]
            fp.examples.setdefault(issue.rule_id, []).append(words)
    return fp


# --- the ways to check ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tuning:
    """LanguageTool parameters to try on top of ours; a value "fr:X" applies to French only."""

    picky: bool = False
    enable_rules: tuple[str, ...] = ()
    enable_categories: tuple[str, ...] = ()
    disable_rules: tuple[str, ...] = ()
    disable_categories: tuple[str, ...] = ()
    mother_tongue: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    @staticmethod
    def pick(values: Iterable[str], language: str) -> set[str]:
        scopes = {language, language.split("-")[0]}
        chosen = set()
        for value in values:
            scope, _, name = value.rpartition(":")
            if not scope or scope in scopes:
                chosen.add(name)
        return chosen


class TunedChecker(LanguageToolChecker):
    """Our client with extra parameters: measured here before anyone adopts them."""

    def __init__(self, urls: Sequence[str], tuning: Tuning, **kwargs) -> None:
        super().__init__(urls, **kwargs)
        self.tuning = tuning

    def _tool(self, url: str, language: str):
        tool = super()._tool(url, language)
        t = self.tuning
        tool.picky = t.picky
        tool.mother_tongue = t.mother_tongue
        tool.enabled_rules = t.pick(t.enable_rules, language)
        tool.enabled_categories = t.pick(t.enable_categories, language)
        tool.disabled_categories = t.pick(t.disable_categories, language)
        tool.disabled_rules = tool.disabled_rules | t.pick(t.disable_rules, language)
        return tool


def our_check(checker: LanguageToolChecker) -> Check:
    """The engine's path: our client, then the engine drops rules that read today's date."""

    def check(text: str, language: str) -> list[Issue]:
        return [i for i in checker.check(text, language) if i.rule_id not in CLOCK_DEPENDENT_RULES]

    check.task_aware = True  # and lets through the words the task gave
    return check


def with_minimal_pairs(check: Check, model) -> Check:
    """``check``, then the language model's minimal pairs as the engine adds them: English only,
    never over a match already found (assessor/scoring/minimal_pairs.py)."""

    def paired(text: str, language: str) -> list[Issue]:
        found = list(check(text, language))
        extra = minimal_pairs.find_errors(model, text, language)
        return found + list(minimal_pairs.without_overlaps(extra, found))

    paired.task_aware = getattr(check, "task_aware", False)
    return paired


def raw_check(url: str, stack: ExitStack) -> Check:
    """language_tool_python on the same server with LanguageTool's defaults."""
    tools: dict[str, language_tool_python.LanguageTool] = {}

    def tool(language: str) -> language_tool_python.LanguageTool:
        if language not in tools:  # made before the threads start: see main()
            tools[language] = stack.enter_context(
                language_tool_python.LanguageTool(language, remote_server=url)
            )
        return tools[language]

    def check(text: str, language: str) -> list[Issue]:
        return [
            Issue(
                m.offset, m.error_length, m.rule_id, m.category, m.rule_issue_type or "", m.message
            )
            for m in tool(language).check(text)
        ]

    for language in LANGUAGES["en"] + LANGUAGES["fr"]:
        tool(language)
    return check


# --- printing -------------------------------------------------------------------------------

TITLES = {"en": "English", "fr": "French"}


def print_recall(runs: dict[str, list[ErrorResult]]) -> None:
    names = list(runs)
    tallies = {name: recall_by_category(results) for name, results in runs.items()}
    first = runs[names[0]]
    for section, categories in CATEGORIES.items():
        items = [r.item for r in first if r.item.section == section]
        if not items:
            continue
        variants = Counter(i.language for i in items)
        print(f"\n{TITLES[section]}: {len(items)} errors ({_listing(variants)})")
        print(
            f"{'category':<24}{'items':>6}"
            + "".join(f"{n + ' found':>14}{'recall':>8}" for n in names)
        )
        totals = dict.fromkeys(names, 0)
        for category in categories:
            n = tallies[names[0]].get((section, category), (0, 0))[0]
            if not n:
                continue
            row = f"{category:<24}{n:>6}"
            for name in names:
                hit = tallies[name][(section, category)][1]
                totals[name] += hit
                row += f"{hit:>14}{hit / n:>8.2f}"
            print(row)
        print(
            f"{'all':<24}{len(items):>6}"
            + "".join(f"{totals[n]:>14}{totals[n] / len(items):>8.2f}" for n in names)
        )
    for name, results in runs.items():
        other = sum(len(r.issues) - len(r.hits) for r in results)
        print(f"{name}: {other} other matches on the error items (outside the marked error)")


def print_halves(errors: dict[str, list[ErrorResult]], clean: dict[str, list[CleanResult]]):
    """Recall per section and false positives per 10 clean replies, on each half and on all."""
    print("\nBy half (dev: items 1, 3, 5, ... of each category; held_out: 2, 4, 6, ...)")
    print(f"{'':<24}" + "".join(f"{h:>18}" for h in (*HALVES, "all")))
    for name in errors:
        for section in CATEGORIES:
            row = ""
            for half in (*HALVES, "all"):
                got = [r for r in errors[name] if r.item.section == section]
                got = [r for r in got if half in ("all", r.item.half)]
                hit = sum(r.detected for r in got)
                row += f"{f'{hit}/{len(got)} {hit / len(got):.2f}' if got else '-':>18}"
            print(f"{f'{name} {section} recall':<24}{row}")
        for scope in ("en", "fr", "all"):
            row = ""
            for half in (*HALVES, "all"):
                got = [r for r in clean[name] if scope in ("all", r.reply.language.split("-")[0])]
                fp = false_positives(r for r in got if half in ("all", r.reply.half))
                row += f"{f'{fp.matches}/{fp.replies} {fp.per_10:.1f}' if fp.replies else '-':>18}"
            print(f"{f'{name} {scope} FP per 10':<24}{row}")


def print_false_positives(runs: dict[str, list[CleanResult]]) -> None:
    names = list(runs)
    languages = sorted({r.reply.language for r in runs[names[0]]})
    print("\nClean replies: matches, per 10 replies, on the task's facts, the rest per 10 replies")
    heads = "".join(f"{n:>10}{'/10':>6}{'facts':>6}{'rest/10':>8}" for n in names)
    print(f"{'language':<10}{'replies':>8}{heads}")
    for language in [*languages, "all"]:
        row = ""
        for name in names:
            fp = false_positives(r for r in runs[name] if language in ("all", r.reply.language))
            row += f"{fp.matches:>10}{fp.per_10:>6.1f}{fp.on_facts:>6}{fp.rest_per_10:>8.1f}"
        print(f"{language:<10}{fp.replies:>8}{row}")
    for name in names:
        results = runs[name]
        fp = false_positives(results)
        groups = {i.rule_id: i.group for r in results for i in r.issues}
        print(
            f"\nRules that fired on clean replies ({name}): rule, group, matches, on facts, words"
        )
        for rule, n in fp.rules.most_common():
            words = ", ".join(repr(w) for w in dict.fromkeys(fp.examples[rule]))
            print(f"  {rule:<36}{groups[rule]:<20}{n:>4}{fp.rules_on_facts[rule]:>4}  {words[:90]}")


def print_fix_check(items: Sequence[ErrorItem], found: Sequence[Sequence[Issue]]) -> None:
    """Corrected texts on which a match still covers the fix: the item may be mislabelled."""
    flagged = [
        (item, hits)
        for item, issues in zip(items, found, strict=True)
        if (hits := overlapping(issues, item.start, item.start + len(item.fix)))
    ]
    print(f"\nCorrected texts still flagged at the fix: {len(flagged)} of {len(items)}")
    for item, hits in flagged:
        print(
            f"  [{item.section}] {item.category}: {item.text!r} -> {item.fix!r}: "
            + ", ".join(i.rule_id for i in hits)
        )


def _listing(counter: Counter) -> str:
    return ", ".join(f"{n} {key}" for key, n in counter.most_common())


def as_json(errors: dict[str, list[ErrorResult]], clean: dict[str, list[CleanResult]]) -> dict:
    """Every item's result, per way of checking, for comparing runs."""
    return {
        name: {
            "errors": [_error_json(r) for r in errors[name]],
            "clean": [_clean_json(r) for r in clean[name]],
        }
        for name in errors
    }


def _error_json(result: ErrorResult) -> dict:
    item = result.item
    rules = [i.rule_id for i in result.hits]
    return {"section": item.section, "category": item.category, "text": item.text, "rules": rules}


def _clean_json(result: CleanResult) -> dict:
    text = result.reply.text
    matches = [
        {
            "rule": i.rule_id,
            "words": text[i.offset : i.offset + i.length],
            "fact": result.on_facts(i),
        }
        for i in result.issues
    ]
    return {"language": result.reply.language, "text": text[:60], "matches": matches}


# --- running --------------------------------------------------------------------------------


def start_private_server(stack: ExitStack, home: Path) -> str:
    """A LanguageTool server of our own on a free loopback port, stopped on exit."""
    state_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="grammar-recall-")))
    port = _free_port()
    stack.callback(lt.stop, state_dir)
    print(f"starting LanguageTool from {home} on port {port} ...", file=sys.stderr)
    return lt.start(home, state_dir, port=port, timeout=300).url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running LanguageTool server (default: start one)")
    parser.add_argument(
        "--home",
        type=Path,
        default=Path(
            os.environ.get("ASSESSOR_LANGUAGETOOL_HOME") or ROOT / "instance/languagetool"
        ),
        help="installed LanguageTool, for the private server",
    )
    parser.add_argument("--table", type=Path, default=DATA)
    parser.add_argument("--section", action="append", choices=sorted(CATEGORIES))
    parser.add_argument("--half", choices=HALVES, help="only this half of the table")
    parser.add_argument("--fixes", action="store_true", help="also check the corrected texts")
    parser.add_argument("--json", type=Path, help="write every item's result to this file")
    installed = (
        Path(os.environ.get("ASSESSOR_LANGUAGE_MODEL_HOME") or ROOT / "instance/languagemodel")
        / MODEL_FILE
    )
    parser.add_argument(
        "--language-model",
        type=Path,
        default=installed if installed.is_file() else None,
        help="the model file for the minimal pairs (default: the installed one, if any)",
    )
    parser.add_argument(
        "--no-language-model", dest="language_model", action="store_const", const=None,
        help="LanguageTool and our rules only",
    )  # fmt: skip
    tuning = parser.add_argument_group("tuned: ours plus LanguageTool parameters ([lang:]NAME)")
    tuning.add_argument("--picky", action="store_true", help="level=picky")
    tuning.add_argument("--enable-rule", action="append", default=[])
    tuning.add_argument("--enable-category", action="append", default=[])
    tuning.add_argument("--disable-rule", action="append", default=[])
    tuning.add_argument("--disable-category", action="append", default=[])
    tuning.add_argument("--mother-tongue")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    table = load_table(args.table)
    sections = set(args.section or CATEGORIES)
    errors = [e for e in table.errors if e.section in sections]
    clean = [c for c in table.clean if c.language.split("-")[0] in sections]
    if args.half:
        errors = [e for e in errors if e.half == args.half]
        clean = [c for c in clean if c.half == args.half]
    tuning = Tuning(
        args.picky, tuple(args.enable_rule), tuple(args.enable_category),
        tuple(args.disable_rule), tuple(args.disable_category), args.mother_tongue,
    )  # fmt: skip
    with ExitStack() as stack:
        url = args.url or start_private_server(stack, args.home)
        ours = LanguageToolChecker([url], timeout=120)
        checks = {"ours": our_check(ours), "raw": raw_check(url, stack)}
        if args.language_model:
            model = load_language_model(str(args.language_model))
            print(f"ours = rules + the minimal pairs of {engine_description(model)}")
            checks = {"rules": checks["ours"], "ours": with_minimal_pairs(checks["ours"], model),
                      "raw": checks["raw"]}  # fmt: skip
        if tuning:
            checks["tuned"] = our_check(TunedChecker([url], tuning, timeout=120))
            print(f"tuned = ours + {tuning}")
        runs = {name: count_errors(errors, check) for name, check in checks.items()}
        replies = {name: count_false_positives(clean, check) for name, check in checks.items()}
        corrected = [(e.corrected, e.language) for e in errors]
        fixed = check_many(checks["ours"], corrected) if args.fixes else None
    print(f"LanguageTool at {url}; an error counts as found when a match overlaps it")
    print_recall(runs)
    print_false_positives(replies)
    print_halves(runs, replies)
    if fixed is not None:
        print_fix_check(errors, fixed)
    if args.json:
        args.json.write_text(json.dumps(as_json(runs, replies), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
