"""Task completion: word limits, required points, register and tone, form fields, corrections.

Each public function takes one task (from `assessor.question_banks`) and the candidate's answer and
returns a frozen dataclass that keeps its evidence: which cue matched in which sentence, which field
was wrong and why, which words a correction changed outside the error.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import functools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessor.question_banks import CorrectionTask, EmailTask, FormTask

# Analysis stops here (a reply is a few hundred words); the word count still covers everything.
MAX_ANALYSED_CHARS = 20_000

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]"
)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,500}>")


def clean_text(text: object, strip_html: bool = True) -> tuple[str, tuple[str, ...]]:
    """Normalise what a browser sent (any type, controls, HTML) into plain text and flags."""
    flags: list[str] = []
    raw = text if isinstance(text, str) else ""
    if not isinstance(text, str) and text is not None:
        flags.append("not_text")
    cleaned = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(cleaned):
        flags.append("control_characters")
        cleaned = _CONTROL.sub("", cleaned)
    if strip_html and _TAG.search(cleaned):
        flags.append("html_markup")
        cleaned = _TAG.sub(" ", cleaned)
    return cleaned, tuple(flags)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    return value


class _Plain:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: dicts, lists, strings, numbers, booleans and None."""
        return _plain(self)


# --- replies (e-mail and chat) -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WordCount(_Plain):
    words: int
    min_words: int
    max_words: int
    status: str  # "empty" | "short" | "ok" | "long"
    fit: float  # 0..1


@dataclasses.dataclass(frozen=True)
class PointCoverage(_Plain):
    point_id: str
    description: str
    covered: bool
    match: str | None  # "phrase" | "words" | "synonym" (how the cue was found), None if not found
    cue: str | None
    sentence: str | None
    negated: bool = False  # only a negated mention was found ("we cannot refund")


@dataclasses.dataclass(frozen=True)
class ReplyCompletion(_Plain):
    words: WordCount
    points: tuple[PointCoverage, ...]
    register: Register
    score: float  # 0..100
    flags: tuple[str, ...]

    @property
    def missing_points(self) -> tuple[str, ...]:
        return tuple(point.point_id for point in self.points if not point.covered)


# Weights of the reply sub-score; points are what the customer needs, the rest is how it reads.
_REPLY_WEIGHTS = {"points": 0.5, "length": 0.2, "frame": 0.15, "tone": 0.15}


def assess_reply(task: EmailTask, text: str, language: str) -> ReplyCompletion:
    """How well a reply does its job: length, required points, greeting/closing, tone."""
    cleaned, flags = clean_text(text)
    words = _word_count(cleaned, task.min_words, task.max_words)
    if len(cleaned) > MAX_ANALYSED_CHARS:
        flags += ("truncated",)
        cleaned = cleaned[:MAX_ANALYSED_CHARS]
    sentences = _split_sentences(cleaned, language)
    points = tuple(_cover_point(point, sentences, language) for point in task.points)
    reg = _assess_register(cleaned, language, task.tone, task.kind)
    if words.words == 0:
        return ReplyCompletion(words, points, reg, 0.0, flags + ("empty",))
    parts = {
        "points": sum(p.covered for p in points) / len(points) if points else None,
        "length": words.fit,
        "frame": reg.frame_fit,
        "tone": reg.tone_fit,
    }
    known = {key: value for key, value in parts.items() if value is not None}
    total_weight = sum(_REPLY_WEIGHTS[key] for key in known)
    score = 100.0 * sum(_REPLY_WEIGHTS[key] * value for key, value in known.items()) / total_weight
    return ReplyCompletion(words, points, reg, round(score, 1), flags)


def _word_count(text: str, min_words: int, max_words: int) -> WordCount:
    count = count_words(text)
    if count == 0:
        return WordCount(0, min_words, max_words, "empty", 0.0)
    if min_words and count < min_words:
        return WordCount(count, min_words, max_words, "short", round(count / min_words, 3))
    if max_words and count > max_words:
        fit = max(0.0, 1.0 - (count - max_words) / max_words)
        return WordCount(count, min_words, max_words, "long", round(fit, 3))
    return WordCount(count, min_words, max_words, "ok", 1.0)


def _cover_point(point: Any, sentences: tuple[_Sentence, ...], language: str) -> PointCoverage:
    negated_hit = None
    for level in _MATCH_LEVELS:
        for cue in point.cues:
            for sentence in sentences:
                hit = _match_cue(cue, sentence, language, level)
                if hit is None:
                    continue
                if hit.negated:
                    negated_hit = negated_hit or (level, cue, sentence.text)
                    continue
                return PointCoverage(point.id, point.description, True, level, cue, sentence.text)
    if negated_hit:
        level, cue, sentence_text = negated_hit
        return PointCoverage(
            point.id, point.description, False, level, cue, sentence_text, negated=True
        )
    return PointCoverage(point.id, point.description, False, None, None, None)


# --- forms -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FieldResult(_Plain):
    field_id: str
    label: str
    type: str
    status: str  # "right" | "wrong" | "missing"
    given: str
    normalised: (
        str | None
    )  # how we read the answer ("2024-03-05", "1234.50 EUR"), None if unreadable
    expected: tuple[str, ...]
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class FormCompletion(_Plain):
    fields: tuple[FieldResult, ...]
    right: int
    wrong: int
    missing: int
    total: int
    score: float  # share of fields right, 0..100
    flags: tuple[str, ...] = ()


def assess_form(task: FormTask, values: Mapping[str, str], language: str) -> FormCompletion:
    """Each field right or wrong after normalising its type (dates, amounts, e-mails, ...)."""
    values = values if isinstance(values, Mapping) else {}
    results = tuple(_check_field(field, values.get(field.id), language) for field in task.fields)
    known = {field.id for field in task.fields}
    flags = ("unknown_fields",) if any(key not in known for key in values) else ()
    right = sum(r.status == "right" for r in results)
    wrong = sum(r.status == "wrong" for r in results)
    missing = sum(r.status == "missing" for r in results)
    total = len(results)
    score = round(100.0 * right / total, 1) if total else 0.0
    return FormCompletion(results, right, wrong, missing, total, score, flags)


def _check_field(field: Any, value: object, language: str) -> FieldResult:
    given, _ = clean_text(value, strip_html=False)
    given = given[:1000]
    accepted = tuple(field.accepted)
    if not given.strip():
        return FieldResult(field.id, field.label, field.type, "missing", given, None, accepted)
    verdict = _compare_value(field.type, given, accepted, tuple(field.choices), language)
    status = "right" if verdict.right else "wrong"
    return FieldResult(
        field.id,
        field.label,
        field.type,
        status,
        given,
        verdict.normalised,
        accepted,
        verdict.reason,
    )


# --- corrections -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Change(_Plain):
    original: str  # words of the original sentence ("" for an insertion)
    answer: str  # what the candidate wrote there ("" for a deletion)


@dataclasses.dataclass(frozen=True)
class ItemResult(_Plain):
    item_id: str
    # "fixed" | "fixed_with_new_errors" | "wrong_fix" | "new_errors" | "unchanged" | "missing"
    status: str
    answer: str
    sentence: str
    closest_accepted: str | None
    new_errors: tuple[Change, ...]  # changes outside the error region
    score: float  # 0..1


@dataclasses.dataclass(frozen=True)
class CorrectionResult(_Plain):
    items: tuple[ItemResult, ...]
    fixed: int
    unchanged: int
    missing: int
    new_errors: int  # items where the candidate changed words that were right
    total: int
    score: float  # 0..100


_ITEM_SCORES = {"fixed": 1.0, "fixed_with_new_errors": 0.5}


def assess_corrections(
    task: CorrectionTask, answers: Mapping[str, str], language: str
) -> CorrectionResult:
    """Each sentence fixed (an accepted correction) or not, and any new error introduced."""
    answers = answers if isinstance(answers, Mapping) else {}
    items = tuple(_check_item(item, answers.get(item.id)) for item in task.items)
    total = len(items)
    score = 100.0 * sum(i.score for i in items) / total if total else 0.0
    return CorrectionResult(
        items,
        fixed=sum(i.status == "fixed" for i in items),
        unchanged=sum(i.status == "unchanged" for i in items),
        missing=sum(i.status == "missing" for i in items),
        new_errors=sum(bool(i.new_errors) for i in items),
        total=total,
        score=round(score, 1),
    )


_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})


def _normalise_sentence(text: str) -> str:
    text = text.translate(_QUOTES).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s+", " ", text).strip()
    # French typography puts a space before ; : ! ? and inside guillemets: not an error either way.
    text = re.sub(r" ([;:!?])", r"\1", text)
    return re.sub(r'" (.*?) "', r'"\1"', text)


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def _check_item(item: Any, value: object) -> ItemResult:
    given, _ = clean_text(value, strip_html=False)
    given = given[:2000]
    answer = _normalise_sentence(given)
    original = _normalise_sentence(item.sentence)
    accepted = [_normalise_sentence(a) for a in item.accepted] or [original]
    if not answer:
        return ItemResult(item.id, "missing", given, item.sentence, None, (), 0.0)
    if answer in accepted:
        return ItemResult(item.id, "fixed", given, item.sentence, answer, (), 1.0)
    if answer == original:
        return ItemResult(item.id, "unchanged", given, item.sentence, None, (), 0.0)
    answer_tokens, original_tokens = _tokens(answer), _tokens(original)
    closest = max(
        accepted, key=lambda a: difflib.SequenceMatcher(None, _tokens(a), answer_tokens).ratio()
    )
    closest_tokens = _tokens(closest)
    region = _changed(original_tokens, closest_tokens)  # the error, in the original's positions
    changes = _changed(original_tokens, answer_tokens)
    outside = [c for c in changes if not any(_overlaps(c, r) for r in region)]
    new_errors = tuple(
        Change(" ".join(original_tokens[i1:i2]), " ".join(answer_tokens[j1:j2]))
        for i1, i2, j1, j2 in outside
    )
    # Fixed if, seen from the accepted sentence, the answer differs only outside the error region.
    accepted_region = [(j1, j2, 0, 0) for _, _, j1, j2 in region]
    residue = _changed(closest_tokens, answer_tokens)
    region_fixed = not any(_overlaps(r, a) for r in residue for a in accepted_region)
    if region_fixed and new_errors:
        status = "fixed_with_new_errors"
    elif new_errors:
        status = "new_errors"
    else:
        status = "wrong_fix"
    score = _ITEM_SCORES.get(status, 0.0)
    return ItemResult(item.id, status, given, item.sentence, closest, new_errors, score)


def _changed(before: list[str], after: list[str]) -> list[tuple[int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _overlaps(change: tuple[int, int, int, int], region: tuple[int, int, int, int]) -> bool:
    """Whether a change touches an error region (original positions); edge insertions count."""
    c1, c2, r1, r2 = change[0], change[1], region[0], region[1]
    if c1 == c2 or r1 == r2:  # an insertion touches what it sits next to
        return r1 <= c1 <= r2 or c1 <= r1 <= c2
    return c1 < r2 and r1 < c2


# --- matching cues in sentences ------------------------------------------------------------------
# Cues match at three levels, tried in order: the stemmed phrase as written, its content words
# in any order within one sentence, then the same with each word replaced by a near-synonym.

_MATCH_LEVELS = ("phrase", "words", "synonym")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = {
    "en": _words(
        "a an the to of for and or in on at by your our my we i you us is are be will with this "
        "that it its as me can"
    ),
    "fr": _words(
        "le la les l un une des de du d et ou a au aux en pour par sur vous nous je j votre vos "
        "notre nos est sont ce cette que qu se s y"
    ),
}
_NEGATIONS = {
    "en": {"not", "no", "never", "t", "cannot", "unable", "without", "nor"},
    "fr": {"ne", "n", "pas", "jamais", "aucun", "aucune", "sans", "ni"},
}
_SYNONYMS = {
    "en": [
        "refund reimburse repay reimbursement",
        "sorry apologise apologize apology apologies regret",
        "delay late lateness",
        "replace replacement exchange swap",
        "deliver delivery ship shipment dispatch send",
        "order purchase",
        "cancel cancellation terminate",
        "contact reach call phone",
        "help assist support",
        "check verify investigate review examine",
        "fix resolve solve repair",
        "confirm confirmation",
        "soon shortly promptly quickly asap",
        "thank thanks grateful appreciate",
        "problem issue trouble fault",
        "broken damaged faulty defective",
        "price cost charge fee",
        "receive get",
        "inform tell notify update",
        "arrive reach",
        "free complimentary",
    ],
    "fr": [
        "rembourser remboursement recrediter",
        "desole excuse excuser regretter pardon",
        "retard retarder",
        "remplacer remplacement echanger echange",
        "livrer livraison expedier expedition envoyer envoi",
        "commande commander achat",
        "annuler annulation resilier",
        "contacter joindre appeler",
        "aider aide assister assistance",
        "verifier controler examiner",
        "resoudre regler corriger reparer",
        "confirmer confirmation",
        "remercier merci",
        "probleme souci incident difficulte panne",
        "casse endommage abime defectueux",
        "prix cout tarif frais",
        "recevoir obtenir",
        "informer prevenir tenir",
        "rapidement vite bientot",
        "gratuit offert",
    ],
}


@dataclasses.dataclass(frozen=True)
class _Sentence:
    text: str
    tokens: tuple[str, ...]  # folded words
    stems: tuple[str, ...]
    first: dict[str, int]  # stem -> first position, for quick look-ups


@dataclasses.dataclass(frozen=True)
class _Hit:
    position: int
    negated: bool


def count_words(text: str) -> int:
    """Words as a reader counts them: "don't" and "e-mail" are one word; emoji are none."""
    return sum(1 for _ in _WORD.finditer(text))


def _lang(language: str) -> str:
    return "fr" if language.lower().startswith("fr") else "en"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def _stemmer(lang: str) -> Any:
    from nltk.stem.snowball import SnowballStemmer  # imported late: nltk takes a second to load

    return SnowballStemmer("french" if lang == "fr" else "english")


@functools.lru_cache(maxsize=65536)
def _stem(token: str, lang: str) -> str:
    word = _fold(token)[:40]
    if lang == "en":
        word = re.sub(r"iz(e|ed|es|ing|ation|ations)$", r"is\1", word)  # apologize ~ apologise
        return _stemmer(lang).stem(word)
    # Folded before and after stemming so that "désolée" and a typed "desolee" meet on "desol".
    stem = _fold(_stemmer(lang).stem(word))
    return stem[:-1] if len(stem) > 3 and stem.endswith("e") else stem


def _split_sentences(text: str, language: str) -> tuple[_Sentence, ...]:
    lang = _lang(language)
    sentences = []
    for chunk in re.split(r"(?<=[.!?;])\s+|\n+", text):
        tokens = tuple(_fold(t) for t in _TOKEN.findall(chunk))
        if tokens:
            stems = tuple(_stem(t, lang) for t in tokens)
            first: dict[str, int] = {}
            for i, stem in enumerate(stems):
                first.setdefault(stem, i)
            sentences.append(_Sentence(chunk.strip()[:300], tokens, stems, first))
    return tuple(sentences)


@functools.lru_cache(maxsize=4096)
def _cue_stems(cue: str, lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tokens = [_fold(t) for t in _TOKEN.findall(cue)]
    stems = tuple(_stem(t, lang) for t in tokens)
    content = tuple(_stem(t, lang) for t in tokens if t not in _STOPWORDS[lang])
    return stems, content or stems


@functools.cache
def _synonym_groups(lang: str) -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for line in _SYNONYMS[lang]:
        stems = frozenset(_stem(word, lang) for word in line.split())
        for stem in stems:
            groups[stem] = groups.get(stem, frozenset()) | stems
    return groups


def _match_cue(cue: str, sentence: _Sentence, language: str, level: str) -> _Hit | None:
    lang = _lang(language)
    stems, content = _cue_stems(cue, lang)
    if not stems:
        return None
    if level == "phrase":
        if any(stem not in sentence.first for stem in stems):
            return None
        n = len(stems)
        position = next(
            (i for i in range(len(sentence.stems) - n + 1) if sentence.stems[i : i + n] == stems),
            None,
        )
    else:
        groups = _synonym_groups(lang) if level == "synonym" else {}
        positions = []
        for stem in content:
            wanted = groups.get(stem, frozenset()) | {stem}
            found = [sentence.first[s] for s in wanted if s in sentence.first]
            if not found:
                return None
            positions.append(min(found))
        position = min(positions)
    if position is None:
        return None
    before = sentence.tokens[max(0, position - 3) : position]
    return _Hit(position, any(t in _NEGATIONS[lang] for t in before))


# --- register and tone ---------------------------------------------------------------------------
# Patterns run on folded text (lower case, no accents), so "Cordialement" and "cordialement" meet.

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
_POLITE = {
    "en": r"please|thank you|thanks|appreciate|sorry|apologi[sz]e|apologies|regret|kindly|"
    r"happy to help|glad to|would you|could you|let us know|feel free|do not hesitate",
    "fr": r"s.il vous plait|merci|veuillez|desolee?s?|excuses|excuser|nous vous remercions|"
    r"je vous remercie|n.hesitez pas|avec plaisir|ravie?s?|je vous prie|nous vous prions|"
    r"a votre disposition|a votre ecoute",
}
_SLANG = {
    "en": _words(
        "gonna wanna gotta u ur pls plz thx lol omg btw dude yeah yep nope aint kinda sorta sup "
        "ya cuz idk imo tbh bro yup nah wtf lmao"
    ),
    "fr": _words(
        "mdr ptdr stp slt bjr cc ouais ouai bah kiffer mec wesh chelou ouf tkt jsp bcp pk pq "
        "dsl ben"
    ),
}
_RUDE = {
    "en": r"stupid|idiot|idiots|dumb|shut up|damn|crap|wtf|stfu|moron|your fault|not my problem|"
    r"deal with it|shit|fuck\w*",
    "fr": r"con|conne|connard|debile|idiot|stupide|ta gueule|merde|putain|pas mon probleme|"
    r"demerdez-vous|debrouillez-vous",
}
_TU_FORMS = {"tu", "toi", "ton", "ta", "tes", "te"}
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
_CAPS_RUN = re.compile(r"\b[A-ZÀ-Þ]{2,}(?:\W+[A-ZÀ-Þ]{2,}){2,}\b")


@dataclasses.dataclass(frozen=True)
class Register(_Plain):
    greeting: str | None
    closing: str | None
    informal_frame: tuple[
        str, ...
    ]  # greetings/closings found that are too casual for a formal task
    polite_markers: tuple[str, ...]
    address: str | None  # French: "vous" | "tu" | "mixed"; None when neither (or English)
    tone: str
    tone_issues: tuple[str, ...]  # e.g. "slang: gonna", "shouting: CALL US NOW", "rude: stupid"
    frame_fit: float  # 0..1: greeting and closing where expected
    tone_fit: float  # 0..1


def _find(pattern: str, text: str, anchored: bool = False) -> str | None:
    """The first match at the start (greetings) or the last one anywhere (closings)."""
    regex = (r"^\W*" if anchored else r"(?<!\w)") + f"({pattern})" + r"(?!\w)"
    matches = list(re.finditer(regex, text))
    return matches[-1].group(1) if matches else None


def _assess_register(text: str, language: str, tone: str, kind: str) -> Register:
    lang, formal = _lang(language), tone != "friendly"
    folded = _fold(text).strip()
    lines = [line for line in folded.split("\n") if line.strip()]
    head, tail = " ".join(lines[:2])[:120], " ".join(lines[-3:])[-200:]
    greeting, informal_greeting = (_find(p, head, anchored=True) for p in _GREETINGS[lang])
    closing, informal_closing = (_find(p, tail) for p in _CLOSINGS[lang])
    informal = tuple(x for x in (informal_greeting, informal_closing) if x)
    polite = tuple(
        sorted({m.group(1) for m in re.finditer(f"(?<!\\w)({_POLITE[lang]})(?!\\w)", folded)})
    )
    tokens = _TOKEN.findall(folded)
    issues = [f"slang: {t}" for t in sorted(set(tokens) & _SLANG[lang])]
    issues += [
        f"rude: {m.group(1)}" for m in re.finditer(f"(?<!\\w)({_RUDE[lang]})(?!\\w)", folded)
    ]
    caps = _CAPS_RUN.search(text)
    if caps:
        issues.append(f"shouting: {caps.group(0)[:60]}")
    if re.search(r"[!?]{2,}", text):
        issues.append("exclamations: " + re.search(r"[!?]{2,}", text).group(0)[:10])
    if formal and _EMOJI.search(text):
        issues.append("emoji")
    address = None
    if lang == "fr":
        tu, vous = sum(t in _TU_FORMS for t in tokens), tokens.count("vous")
        address = "mixed" if tu and vous else "tu" if tu else "vous" if vous else None
        if address == "mixed" or (address == "tu" and formal):
            issues.append(f"address: {address}")
    if formal:
        issues += [f"informal: {x}" for x in informal]
    if not polite:
        issues.append("no polite marker")
    frame = _frame_fit(greeting, closing, informal_greeting, informal_closing, formal, kind)
    return Register(
        greeting,
        closing,
        informal,
        polite,
        address,
        tone,
        tuple(issues),
        frame,
        _tone_fit(issues, formal),
    )


def _frame_fit(
    greeting: str | None,
    closing: str | None,
    informal_greeting: str | None,
    informal_closing: str | None,
    formal: bool,
    kind: str,
) -> float:
    def slot(proper: str | None, casual: str | None) -> float:
        return 1.0 if proper else (0.5 if formal else 1.0) if casual else 0.0

    opening = slot(greeting, informal_greeting)
    if kind == "chat":  # a chat turn needs a greeting; a sign-off is optional
        return round(max(opening, 0.5), 3)
    return round((opening + slot(closing, informal_closing)) / 2, 3)


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


def _tone_fit(issues: list[str], formal: bool) -> float:
    cost = sum(_PENALTIES[issue.split(":")[0]][0 if formal else 1] for issue in issues)
    return round(max(0.0, 1.0 - cost), 3)


# --- form values ---------------------------------------------------------------------------------
# Each value is read into a canonical form (ISO date, decimal + currency, ...) and compared
# there, so that "5 March 2024", "05/03/2024" (en-GB, fr) and "03/05/2024" (en-US) are one answer.

_MONTHS = {
    **dict.fromkeys(["january", "jan", "janvier", "janv"], 1),
    **dict.fromkeys(["february", "feb", "fevrier", "fevr", "fev"], 2),
    **dict.fromkeys(["march", "mar", "mars"], 3),
    **dict.fromkeys(["april", "apr", "avril", "avr"], 4),
    **dict.fromkeys(["may", "mai"], 5),
    **dict.fromkeys(["june", "jun", "juin"], 6),
    **dict.fromkeys(["july", "jul", "juillet", "juil"], 7),
    **dict.fromkeys(["august", "aug", "aout"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre"], 9),
    **dict.fromkeys(["october", "oct", "octobre"], 10),
    **dict.fromkeys(["november", "nov", "novembre"], 11),
    **dict.fromkeys(["december", "dec", "decembre"], 12),
}
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|"
    r"sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
)
_CURRENCIES = (
    ("EUR", r"€|\beur\b|\beuros?\b"),
    ("GBP", r"£|\bgbp\b|\bpounds?\b"),
    ("USD", r"\$|\busd\b|\bus\$|\bdollars?\b"),
    ("CHF", r"\bchf\b"),
    ("CAD", r"\bcad\b"),
)


@dataclasses.dataclass(frozen=True)
class _Verdict:
    right: bool
    normalised: str | None
    reason: str | None = None


def parse_date(text: str, language: str) -> datetime.date | None:
    """A calendar date from the ways people write one; day/month order follows the language."""
    s = _fold(text).strip()
    s = re.sub(rf"^(?:(?:{_WEEKDAYS})\.?,?\s+)?(?:le\s+|the\s+)?", "", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th|er|e)\b", r"\1", s).replace(" of ", " ")
    s = re.sub(r"\s+", " ", s).strip(" .")
    if m := re.fullmatch(r"(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})", s):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", s):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        month_first = language.lower() == "en-us"
        day, month = (second, first) if month_first else (first, second)
        return _date(year, month, day) or _date(year, day, month)  # 25/12 read either way
    if m := re.fullmatch(r"(\d{1,2})[ \-/.]([a-z]+)\.?,?[ \-/.](\d{2}|\d{4})", s):
        month = _MONTHS.get(m[2])
        return _date(_year(m[3]), month, int(m[1])) if month else None
    if m := re.fullmatch(r"([a-z]+)\.?[ \-/.](\d{1,2}),?[ \-/.](\d{2}|\d{4})", s):
        month = _MONTHS.get(m[1])
        return _date(_year(m[3]), month, int(m[2])) if month else None
    return None


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_amount(text: str, language: str, money: bool = True) -> tuple[Decimal, str | None] | None:
    """A decimal value and its currency code if written: "1 234,50 €" -> (1234.50, "EUR")."""
    s = _fold(text).strip()
    currency = None
    for code, pattern in _CURRENCIES:
        if re.search(pattern, s):
            currency = currency or code
            s = re.sub(pattern, " ", s)
    s = re.sub(r"[\s'’\u00a0\u202f]", "", s)
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("-+()")
    if not re.fullmatch(r"\d[\d.,]*", s) or len(s) > 40:
        return None
    s = _decimal_digits(s, _lang(language), money)
    if s is None:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return (-value if negative else value), currency


def _decimal_digits(s: str, lang: str, money: bool) -> str | None:
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:  # both: the later one is the decimal mark
        mark = "." if last_dot > last_comma else ","
    elif last_dot < 0 and last_comma < 0:
        return s
    else:
        mark = "." if last_dot >= 0 else ","
        decimals = len(s) - s.rfind(mark) - 1
        if s.count(mark) > 1:
            return s.replace(mark, "") if decimals == 3 else None
        if decimals == 3:  # "1,234" or "1.234": thousands for money, the language's habit otherwise
            local_decimal = "," if lang == "fr" else "."
            if money or mark != local_decimal:
                return s.replace(mark, "")
    other = "," if mark == "." else "."
    whole, _, fraction = s.rpartition(mark)
    return whole.replace(other, "") + "." + fraction


def _text_key(text: str, fold_accents: bool = False) -> str:
    text = _fold(text) if fold_accents else unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _email_key(text: str) -> str | None:
    s = text.strip().strip("<>").strip()
    s = re.sub(r"^mailto:", "", s, flags=re.I).casefold()
    return s if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", s) else None


def _compare_value(
    kind: str, given: str, accepted: tuple[str, ...], choices: tuple[str, ...], language: str
) -> _Verdict:
    if kind == "date":
        read = parse_date(given, language)
        if read is None:
            return _Verdict(False, None, "not a date we can read")
        ok = any(parse_date(a, language) == read for a in accepted)
        return _Verdict(ok, read.isoformat(), None if ok else "a different date")
    if kind in ("amount", "number"):
        money = kind == "amount"
        read = parse_amount(given, language, money)
        if read is None:
            return _Verdict(False, None, f"not {'an amount' if money else 'a number'} we can read")
        value, currency = read
        shown = f"{value:.2f} {currency}" if money and currency else f"{value.normalize():f}"
        for a in accepted:
            expected = parse_amount(a, language, money) or parse_amount(a, "en-GB", money)
            if expected and expected[0] == value:
                if currency and expected[1] and currency != expected[1]:
                    return _Verdict(False, shown, f"wrong currency (expected {expected[1]})")
                return _Verdict(True, shown)
        return _Verdict(False, shown, "a different value")
    if kind == "email":
        key = _email_key(given)
        if key is None:
            return _Verdict(False, None, "not an e-mail address")
        ok = key in {_email_key(a) for a in accepted}
        return _Verdict(ok, key, None if ok else "a different address")
    key = _text_key(given)
    if kind == "choice" and choices and key not in {_text_key(c) for c in choices}:
        return _Verdict(False, given.strip(), "not one of the choices")
    if key in {_text_key(a) for a in accepted}:
        return _Verdict(True, given.strip())
    if _text_key(given, fold_accents=True) in {_text_key(a, fold_accents=True) for a in accepted}:
        return _Verdict(False, given.strip(), "accents differ")
    return _Verdict(False, given.strip(), "a different value")
