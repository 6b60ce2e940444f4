"""Register and tone of a reply: greeting and closing where expected, polite, no slang or rudeness.

Patterns run on folded text (lower case, no accents), so "Désolée" and "desolee" meet.
"""

from __future__ import annotations

import dataclasses
import re

from assessor.scoring.task.letter import Letter
from assessor.scoring.task.lexicon import NEGATIONS, word_set
from assessor.scoring.task.text import TOKEN, fold

_POLITE = {
    "en": r"please|thank you|thanks|appreciate|sorry|apologi[sz]e|apologies|regret|kindly|"
    r"happy to help|glad to|would you|could you|let us know|feel free|do not hesitate",
    "fr": r"s.il vous plait|merci|veuillez|desolee?s?|excuses|excuser|nous vous remercions|"
    r"je vous remercie|n.hesitez pas|avec plaisir|ravie?s?|je vous prie|nous vous prions|"
    r"a votre disposition|a votre ecoute",
}
_SLANG = {
    "en": word_set(
        "gonna wanna gotta u ur pls plz thx lol omg btw dude yeah yep nope aint kinda sorta sup "
        "ya cuz idk imo tbh bro yup nah wtf lmao"
    ),
    "fr": word_set(
        "mdr ptdr stp slt bjr cc ouais ouai bah kiffer mec wesh chelou ouf tkt jsp bcp pk pq "
        "dsl ben"
    ),
}
_RUDE = {
    "en": r"stupid|idiot|idiots|dumb|shut up|damn|crap|wtf|stfu|moron|not my problem|"
    r"deal with it|shit|fuck\w*",
    "fr": r"con|conne|connard|debile|idiot|stupide|ta gueule|merde|putain|pas mon probleme|"
    r"demerdez-vous|debrouillez-vous",
}
# Blaming the customer is rude; saying it was not their fault is an apology.
_BLAME = {"en": r"your fault"}
_TU_FORMS = {"tu", "toi", "ton", "ta", "tes", "te"}
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
_CAPS_RUN = re.compile(r"\b[A-ZÀ-Þ]{2,}(?:\W+[A-ZÀ-Þ]{2,}){2,}\b")
_PENALTIES = {  # (formal, friendly) cost of one issue of each kind
    "rude": (0.5, 0.5),
    "slang": (0.15, 0.08),
    "shouting": (0.3, 0.3),
    "exclamations": (0.2, 0.1),
    "emoji": (0.1, 0.0),
    "address": (0.3, 0.2),
    "informal": (0.1, 0.0),
    "no polite marker": (0.2, 0.1),
}


@dataclasses.dataclass(frozen=True)
class Register:
    greeting: str | None
    closing: str | None
    # greetings/closings found that are too casual for a formal task
    informal_frame: tuple[str, ...]
    polite_markers: tuple[str, ...]
    address: str | None  # French: "vous" | "tu" | "mixed"; None when neither (or English)
    tone: str
    tone_issues: tuple[str, ...]  # e.g. "slang: gonna", "shouting: CALL US NOW", "rude: stupid"
    frame_fit: float  # 0..1: greeting and closing where expected
    tone_fit: float  # 0..1


def assess_register(letter: Letter, lang: str, tone: str, kind: str) -> Register:
    """Greeting, closing and tone of the body (header lines and signature left out)."""
    formal = tone != "friendly"
    folded = fold(letter.body).strip()
    tokens = TOKEN.findall(folded)
    informal = tuple(x for x in (letter.informal_greeting, letter.informal_closing) if x)
    polite = tuple(
        sorted({m.group(1) for m in re.finditer(f"(?<!\\w)({_POLITE[lang]})(?!\\w)", folded)})
    )
    issues = _word_issues(folded, tokens, lang) + _typography_issues(letter.body, formal)
    address = _address(tokens) if lang == "fr" else None
    if address == "mixed" or (address == "tu" and formal):
        issues.append(f"address: {address}")
    if formal:
        issues += [f"informal: {x}" for x in informal]
    if not polite:
        issues.append("no polite marker")
    return Register(
        greeting=letter.greeting,
        closing=letter.closing,
        informal_frame=informal,
        polite_markers=polite,
        address=address,
        tone=tone,
        tone_issues=tuple(issues),
        frame_fit=_frame_fit(letter, formal, kind),
        tone_fit=_tone_fit(issues, formal),
    )


def _word_issues(folded: str, tokens: list[str], lang: str) -> list[str]:
    issues = [f"slang: {t}" for t in sorted(set(tokens) & _SLANG[lang])]
    rude = [(m.start(), m.group(1)) for m in _matches(_RUDE[lang], folded)]
    if lang in _BLAME:
        rude += [
            (m.start(), m.group(1))
            for m in _matches(_BLAME[lang], folded)
            if not _negated_before(folded, m.start(), lang)
        ]
    return issues + [f"rude: {word}" for _, word in sorted(rude)]


def _matches(pattern: str, folded: str) -> list[re.Match[str]]:
    return list(re.finditer(f"(?<!\\w)({pattern})(?!\\w)", folded))


def _negated_before(folded: str, start: int, lang: str) -> bool:
    """ "not your fault", "it is certainly not your fault", "this was never your fault" """
    before = TOKEN.findall(folded[max(0, start - 80) : start])[-4:]
    return any(token in NEGATIONS[lang] for token in before)


def _typography_issues(text: str, formal: bool) -> list[str]:
    issues = []
    caps = _CAPS_RUN.search(text)
    if caps:
        issues.append(f"shouting: {caps.group(0)[:60]}")
    marks = re.search(r"[!?]{2,}", text)
    if marks:
        issues.append("exclamations: " + marks.group(0)[:10])
    if formal and _EMOJI.search(text):
        issues.append("emoji")
    return issues


def _address(tokens: list[str]) -> str | None:
    tu, vous = sum(t in _TU_FORMS for t in tokens), tokens.count("vous")
    return "mixed" if tu and vous else "tu" if tu else "vous" if vous else None


def _frame_fit(letter: Letter, formal: bool, kind: str) -> float:
    def slot(proper: str | None, casual: str | None) -> float:
        return 1.0 if proper else (0.5 if formal else 1.0) if casual else 0.0

    opening = slot(letter.greeting, letter.informal_greeting)
    if kind == "chat":  # a chat turn needs a greeting; a sign-off is optional
        return round(max(opening, 0.5), 3)
    return round((opening + slot(letter.closing, letter.informal_closing)) / 2, 3)


def _tone_fit(issues: list[str], formal: bool) -> float:
    cost = sum(_PENALTIES[issue.split(":")[0]][0 if formal else 1] for issue in issues)
    return round(max(0.0, 1.0 - cost), 3)
