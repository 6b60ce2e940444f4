"""Grammar, spelling and punctuation issues from LanguageTool servers we run ourselves.

language_tool_python is only ever pointed at a ``remote_server``: its own local mode would
download a 259 MB archive and start JVMs, which we never want inside a worker.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import language_tool_python
import requests
from language_tool_python.exceptions import LanguageToolError

from assessor.languagetool.rules import disabled_rules

# The fixed rule settings live with the server, whose warm-up must use the very same.
CATEGORY_GROUPS = ("grammar", "spelling", "punctuation_casing", "style")
# Errors that block understanding weigh more than stylistic remarks.
GROUP_WEIGHTS = {"grammar": 1.0, "spelling": 0.8, "punctuation_casing": 0.4, "style": 0.2}

_CATEGORY_TO_GROUP = {
    "GRAMMAR": "grammar",
    "CONFUSED_WORDS": "grammar",
    "COLLOCATIONS": "grammar",
    "NONSTANDARD_PHRASES": "grammar",
    "AGREEMENT": "grammar",
    "CAT_GRAMMAIRE": "grammar",
    "VERB": "grammar",
    "TYPOS": "spelling",
    "COMPOUNDING": "spelling",
    "PUNCTUATION": "punctuation_casing",
    "CASING": "punctuation_casing",
    "TYPOGRAPHY": "punctuation_casing",
    "CAT_TYPOGRAPHIE": "punctuation_casing",
    "CAT_HOMONYMES_PARONYMES": "grammar",
}
# Rules whose category says little: a/an is grammar to a reader, not a typo.
_RULE_TO_GROUP = {"EN_A_VS_AN": "grammar", "ENGLISH_WORD_REPEAT_RULE": "grammar"}
_ISSUE_TYPE_TO_GROUP = {
    "misspelling": "spelling",
    "grammar": "grammar",
    "typographical": "punctuation_casing",
    "whitespace": "punctuation_casing",
    "duplication": "grammar",
}

MAX_CHUNK_CHARS = 20_000
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class CheckerUnavailable(Exception):
    """No LanguageTool server answered; the scoring job must retry later."""


class _Unreachable(OSError):
    """One server did not answer while we set up its client."""


@dataclass(frozen=True)
class Issue:
    offset: int
    length: int
    rule_id: str
    category: str
    issue_type: str
    message: str
    replacements: tuple[str, ...] = ()
    snippet: str = ""
    # grammar, spelling, punctuation_casing or style: from the rule when the issue is found,
    # and kept on the card as it was then (a card is a record of what the engine said)
    group: str = ""

    def __post_init__(self) -> None:
        if self.group not in CATEGORY_GROUPS:
            group = _RULE_TO_GROUP.get(self.rule_id) or category_group(
                self.category, self.issue_type
            )
            object.__setattr__(self, "group", group)


@dataclass(frozen=True)
class GrammarScore:
    words: int
    counts: dict[str, int]
    weighted_errors_per_100_words: float
    score: float
    issues: tuple[Issue, ...] = field(default_factory=tuple)


def category_group(category: str, issue_type: str = "") -> str:
    if category in _CATEGORY_TO_GROUP:
        return _CATEGORY_TO_GROUP[category]
    return _ISSUE_TYPE_TO_GROUP.get(issue_type, "style")


def language_root(language: str) -> str:
    return language.split("-")[0].lower()


class _RemoteOnlyTool(language_tool_python.LanguageTool):
    """A client that can never fall back to downloading or starting a local server."""

    def _start_server_on_free_port(self) -> None:
        raise CheckerUnavailable("local LanguageTool servers are disabled; give a URL")

    def _start_local_server(self) -> None:
        raise CheckerUnavailable("local LanguageTool servers are disabled; give a URL")


class LanguageToolChecker:
    """Checks text on a list of LanguageTool servers, failing over in order."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 10.0,
        max_concurrent: int = 2,
        max_chunk_chars: int = MAX_CHUNK_CHARS,
    ) -> None:
        if not urls:
            raise ValueError("at least one LanguageTool URL is needed")
        self.urls = tuple(url.rstrip("/").removesuffix("/v2") for url in urls)
        self.timeout = timeout
        self.max_chunk_chars = max_chunk_chars
        self._semaphores = {url: threading.BoundedSemaphore(max_concurrent) for url in self.urls}
        self._tools: dict[tuple[str, str], language_tool_python.LanguageTool] = {}
        self._lock = threading.Lock()

    def check(self, text: str, language: str) -> tuple[Issue, ...]:
        # Astral characters (emoji) count twice in LanguageTool's UTF-16 offsets and the
        # library corrects that through class-wide state that is not thread-safe: send a BMP
        # stand-in of the same Python length instead.
        sent = _ASTRAL.sub("\ufffd", text)
        issues: list[Issue] = []
        for start, chunk in split_chunks(sent, self.max_chunk_chars):
            if chunk.strip():
                issues.extend(self._check_chunk(chunk, start, text, language))
        return tuple(sorted(issues, key=lambda issue: (issue.offset, issue.rule_id)))

    def _check_chunk(self, chunk: str, start: int, text: str, language: str) -> list[Issue]:
        errors = []
        for url in self.urls:
            try:
                with self._semaphores[url]:
                    matches = self._tool(url, language).check(chunk)
            except (requests.RequestException, LanguageToolError, OSError) as exc:
                errors.append(f"{url}: {exc}")
                continue
            return [_to_issue(match, start, text) for match in matches]
        raise CheckerUnavailable("; ".join(errors) or "no LanguageTool server")

    def _tool(self, url: str, language: str) -> language_tool_python.LanguageTool:
        key = (url, language)
        with self._lock:
            tool = self._tools.get(key)
            if tool is None:
                try:
                    tool = _RemoteOnlyTool(language, remote_server=url)
                except (requests.RequestException, LanguageToolError, OSError) as exc:
                    raise _Unreachable(str(exc)) from exc
                tool._TIMEOUT = self.timeout  # the library reads its timeout from here
                tool.disabled_rules = set(disabled_rules(language))
                self._tools[key] = tool
            return tool


def split_chunks(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Cut ``text`` at paragraph, then sentence, then space boundaries into pieces."""
    chunks = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind("\n\n"), window.rfind(". "), window.rfind("\n"))
        if cut <= 0:
            cut = window.rfind(" ")
        end = start + (cut + 1 if cut > 0 else max_chars)
        chunks.append((start, text[start:end]))
        start = end
    chunks.append((start, text[start:]))
    return chunks


def _to_issue(match, start: int, text: str) -> Issue:
    offset = start + match.offset
    length = match.error_length
    return Issue(
        offset=offset,
        length=length,
        rule_id=match.rule_id,
        category=match.category,
        issue_type=match.rule_issue_type or "",
        message=match.message,
        replacements=tuple(match.replacements[:5]),
        snippet=text[max(0, offset - 20) : offset + length + 20],
    )


def count_words(text: str) -> int:
    return len(re.findall(r"\w+(?:['’-]\w+)*", text))


# What a candidate copies from the task is no error of theirs: the customer's name, the firm,
# an order number, "7 jours". Only spelling and style matches are let through this way; a
# grammar or punctuation match on copied words still counts.
GIVEN_GROUPS = frozenset({"spelling", "style"})


def given_by_the_task(
    issues: Sequence[Issue], text: str, task_text: str
) -> tuple[tuple[Issue, ...], tuple[str, ...]]:
    """The issues to keep, and the words let through: spelling or style matches whose matched
    text appears, as whole words and with the same letters and case, in the task's own text."""
    kept, given = [], []
    for issue in issues:
        matched = text[issue.offset : issue.offset + issue.length].strip()
        if issue.group in GIVEN_GROUPS and matched and _has_words(task_text, matched):
            given.append(matched)
        else:
            kept.append(issue)
    return tuple(kept), tuple(dict.fromkeys(given))


def _has_words(haystack: str, words: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", haystack) is not None


def grade_grammar(text: str, issues: Sequence[Issue], language: str) -> GrammarScore:
    """Weighted errors per 100 words, mapped to 0-100 (0 errors -> 100, 10 or more -> 0)."""
    words = count_words(text)
    counts = dict.fromkeys(CATEGORY_GROUPS, 0)
    for issue in issues:
        counts[issue.group] += 1
    weighted = sum(GROUP_WEIGHTS[group] * n for group, n in counts.items())
    density = 100.0 * weighted / max(words, 10)
    score = max(0.0, min(100.0, 100.0 - 10.0 * density))
    return GrammarScore(
        words=words,
        counts=counts,
        weighted_errors_per_100_words=round(density, 2),
        score=round(score, 1),
        issues=tuple(issues),
    )
