"""The frame of a reply: header lines, greeting, closing, and the signature under the closing.

Candidates often copy a subject line ("Subject: ...", "Re: ...", "Objet : ...") above the greeting
and sign under the closing with a name, a job title, a company and a phone number. The greeting is
looked for under the header lines, the closing in the last lines, and neither the header lines nor
the signature count as what the candidate wrote to the customer (`Letter.body`).

Patterns run on folded text (lower case, no accents), so "Cordialement" and "cordialement" meet.
"""

from __future__ import annotations

import dataclasses
import re

from assessor.scoring.task.text import count_words, fold

# (proper, casual) for each language
_GREETINGS = {
    "en": (r"dear|good (?:morning|afternoon|evening)|hello|hi|greetings", r"hey|hiya|yo|sup"),
    "fr": (
        r"madame,? monsieur|madame|monsieur|bonjour|bonsoir|chere?s?",
        r"salut|coucou|hello|wesh|yo",
    ),
}
_CLOSINGS = {
    "en": (
        r"kind regards|best regards|warm regards|warmest regards|regards|yours sincerely|sincerely|"
        r"yours faithfully|yours truly|best wishes|respectfully|many thanks|thank you|thanks again|"
        r"have a (?:great|nice|good|lovely) (?:day|evening|weekend)|take care|all the best|"
        r"best(?=\s*,)",
        r"cheers|thx|bye|see ya|ttyl|xoxo",
    ),
    "fr": (
        r"je vous prie d.agreer|veuillez agreer|bien cordialement|cordialement|bien a vous|"
        r"salutations distinguees|sinceres salutations|meilleures salutations|respectueusement|"
        r"je reste a votre disposition|nous restons a votre disposition|bonne (?:journee|soiree)|"
        r"belle journee|a bientot|merci",
        r"bisous|bises|a \+|a plus|a\+|ciao|tchao|salut",
    ),
}
_HEADER = re.compile(r"^\W*(?:subject|subj|re|fwd?|fw|objet|tr|from|to|cc|date|de|a)\s*:")
_MAX_HEADERS = 5
# A closing may sit above a name, a job title, a company, a phone number and an address.
SIGNOFF_LINES = 8
_SIGNATURE_LINES = 6
_SIGNATURE_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…]\s*$")
_ABBREVIATION_END = re.compile(r"(?<!\w)(?:ltd|inc|co|corp|llc|plc|jr|sr|sa|sas|sarl)\.\s*$")


@dataclasses.dataclass(frozen=True)
class Letter:
    greeting: str | None
    informal_greeting: str | None
    closing: str | None
    informal_closing: str | None
    body: str  # the text without header lines and the signature under the closing


def read_letter(text: str, lang: str) -> Letter:
    """Where the greeting, the closing and the body of a reply are."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    folded = [fold(line) for line in lines]
    start = _count_headers(folded)
    head = " ".join(folded[start : start + 2])[:120]
    greeting, informal_greeting = (_find(p, head, anchored=True) for p in _GREETINGS[lang])
    window = _signoff_window(folded, start, lang)
    closing, informal_closing = (_last_in_window(p, window) for p in _CLOSINGS[lang])
    end = _signature_start(lines, window, lang)
    body = "\n".join(lines[start:end])
    return Letter(greeting, informal_greeting, closing, informal_closing, body)


def _count_headers(folded: list[str]) -> int:
    count = 0
    while count < min(_MAX_HEADERS, len(folded) - 1) and _HEADER.match(folded[count]):
        count += 1
    return count


def _find(pattern: str, text: str, anchored: bool = False) -> str | None:
    """The first match at the start (greetings) or the last one anywhere (closings)."""
    regex = (r"^\W*" if anchored else r"(?<!\w)") + f"({pattern})" + r"(?!\w)"
    matches = list(re.finditer(regex, text))
    return matches[-1].group(1) if matches else None


def _signoff_window(folded: list[str], start: int, lang: str) -> list[tuple[int, str]]:
    """The last lines (index, folded text), without the greeting of the first line."""
    first = max(start, len(folded) - SIGNOFF_LINES)
    window = [(i, folded[i][-300:]) for i in range(first, len(folded))]
    if window and window[0][0] == start:  # "Salut" opens a letter; it does not close it too
        greeting = "|".join(_GREETINGS[lang])
        opening = re.sub(rf"^\W*(?:{greeting})(?!\w)", "", folded[start], count=1)
        window[0] = (start, opening[-300:])
    return window


def _last_in_window(pattern: str, window: list[tuple[int, str]]) -> str | None:
    for _, line in reversed(window):
        found = _find(pattern, line)
        if found:
            return found
    return None


def _signature_start(lines: list[str], window: list[tuple[int, str]], lang: str) -> int:
    """Where the signature starts: after a line that ends with a closing ("Kind regards,"),
    if only a few short lines that are not sentences follow it; else the end of the text."""
    closings = "|".join(_CLOSINGS[lang])
    ends_with_closing = re.compile(rf"(?<!\w)(?:{closings})\W*$")
    for index, line in reversed(window):
        if ends_with_closing.search(line):
            after = lines[index + 1 :]
            if len(after) <= _SIGNATURE_LINES and all(map(_is_signature_line, after)):
                return index + 1
            break
    return len(lines)


def _is_signature_line(line: str) -> bool:
    """A name, a job title, a company, a phone number: short, and not a sentence."""
    if count_words(line) > _SIGNATURE_WORDS:
        return False
    return not _SENTENCE_END.search(line) or bool(_ABBREVIATION_END.search(line.casefold()))
