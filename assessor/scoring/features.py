"""Numeric features of one answer, the input of the fitted scoring model (see aggregate.py).

Each feature stands for something raters weigh: error density and severity (LanguageTool),
fluency (length, sentence length), range and precision of vocabulary (word frequency bands,
diversity, unknown words), sentence complexity (subordination) and cohesion (connectives).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

from assessor.scoring.grammar import Issue, count_words, language_root
from assessor.scoring.readability import measure_readability
from assessor.scoring.vocabulary import (
    OUT_OF_DICTIONARY_ZIPF,
    bigram_counts,
    mtld,
    tokenize,
    zipf,
)

_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")

# Connectives and subordinators: evidence of cohesion and complex sentences.
CONNECTIVES = {
    "en": {
        "however",
        "therefore",
        "moreover",
        "furthermore",
        "although",
        "though",
        "whereas",
        "consequently",
        "instead",
        "otherwise",
        "meanwhile",
        "nevertheless",
        "additionally",
        "finally",
        "firstly",
        "secondly",
        "overall",
        "thus",
        "hence",
        "despite",
        "unless",
        "similarly",
        "indeed",
        "specifically",
        "example",
        "instance",
        "addition",
        "conclusion",
    },
    "fr": {
        "cependant",
        "toutefois",
        "donc",
        "ainsi",
        "néanmoins",
        "pourtant",
        "puisque",
        "lorsque",
        "tandis",
        "quoique",
        "ensuite",
        "enfin",
        "d'abord",
        "également",
        "notamment",
        "afin",
        "malgré",
        "outre",
        "effectivement",
        "conclusion",
        "exemple",
    },
}
SUBORDINATORS = {
    "en": {
        "because",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "while",
        "if",
        "since",
        "that",
        "where",
        "whether",
        "so",
        "unless",
        "until",
        "after",
        "before",
        "although",
    },
    "fr": {"que", "qui", "dont", "où", "parce", "quand", "si", "lorsque", "puisque", "car"},
}
PRONOUNS = {
    "en": {
        "he",
        "she",
        "it",
        "they",
        "this",
        "that",
        "these",
        "those",
        "him",
        "her",
        "them",
        "his",
        "its",
        "their",
        "theirs",
        "hers",
    },
    "fr": {
        "il",
        "elle",
        "ils",
        "elles",
        "ce",
        "cela",
        "ceci",
        "lui",
        "leur",
        "leurs",
        "celui",
        "celle",
        "ceux",
        "celles",
        "en",
        "y",
    },
}
# Remarks rather than errors: excluded from the "serious" error count.
MINOR_RULES = {
    "COMMA_COMPOUND_SENTENCE",
    "COMMA_COMPOUND_SENTENCE_2",
    "SENT_START_CONJUNCTIVE_LINKING_ADVERB_COMMA",
    "ENGLISH_WORD_REPEAT_BEGINNING_RULE",
}
# Bigram language model over the symspellpy pair counts (Google Books) and wordfreq unigrams:
# log10 count(w) of the pair list's corpus ~ zipf(w) + LM_OFFSET; pairs below LM_FLOOR_COUNT are
# not listed, so an unlisted pair's probability is bounded above by that floor.
LM_OFFSET = 4.4
LM_LOG_FLOOR = 6.8
LM_LOW = -3.5
# Rules whose matches show up mostly in unedited learner text, not in careful writing.
MECHANICS_RULES = {"I_LOWERCASE", "UPPERCASE_SENTENCE_START", "COMMA_PARENTHESIS_WHITESPACE"}

FEATURE_NAMES = (
    "log_words",
    "words_per_sentence",
    "sentence_length_sd",
    "grammar_per_100",
    "spelling_per_100",
    "punctuation_per_100",
    "style_per_100",
    "mechanics_per_100",
    "grammar_count",
    "spelling_count",
    "errors_per_sentence",
    "error_free_sentence_share",
    "oov_rate",
    "mean_zipf",
    "advanced_share",
    "advanced_types_sqrt",
    "guiraud",
    "mtld",
    "mean_word_length",
    "long_word_share",
    "connectives_per_100",
    "subordinators_per_sentence",
    "commas_per_sentence",
    "fk_grade",
    "paragraphs",
    "content_type_zipf",
    "unique_spelling_per_100",
    "sqrt_errors_per_100",
    "rule_variety",
    "log_sentences",
    "lower_start_share",
    "bigram_found",
    "bigram_log_mean",
    "function_bigram_found",
    "function_bigram_missing_per_100",
    # v2: sentence plausibility (bigram language model), error severity/worst sentence,
    # cohesion, frequency bands and sentence mechanics.
    "lm_mean",
    "lm_pmi_mean",
    "lm_min_pair",
    "lm_worst_sentence",
    "lm_low_pair_share",
    "serious_per_sentence",
    "max_sentence_errors",
    "issue_type_grammar_count",
    "typo_count",
    "casing_punct_count",
    "adjacent_overlap",
    "pronoun_share",
    "connective_types",
    "rare_share",
    "mid_share",
    "ends_terminal",
    "starts_upper",
    "sentence_length_max",
    "long_sentence_share",
)
FUNCTION_WORD_ZIPF = 5.5
# Frequent words stay, rarer ones become X (unknown ones OOV): n-grams over this sequence capture
# grammar patterns ("X is depends", "a X of") independently of the topic of the prompt.
MASK_ZIPF = 5.3
NGRAM_PREFIX = "ng:"


def split_sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(text) if m.group().strip()]


@dataclasses.dataclass(frozen=True)
class TextFeatures:
    """The features that need no LanguageTool match: computed while the check is on the wire."""

    spans: tuple[tuple[int, int], ...]
    words: int
    values: dict[str, float]


def text_features(text: str, language: str) -> TextFeatures:
    lang = language_root(language)
    tokens = tokenize(text)
    n = max(len(tokens), 1)
    words = max(count_words(text), 1)
    spans = split_sentences(text) or [(0, len(text))]
    lengths = [max(len(tokenize(text[a:b])), 1) for a, b in spans]
    mean_len = sum(lengths) / len(lengths)
    sd_len = math.sqrt(sum((x - mean_len) ** 2 for x in lengths) / len(lengths))
    freqs = [zipf(t, lang) for t in tokens]
    content_types = {t for t, f in zip(tokens, freqs, strict=True) if 1.0 <= f < FUNCTION_WORD_ZIPF}
    known = [f for f in freqs if f >= OUT_OF_DICTIONARY_ZIPF]
    advanced_types = {t for t, f in zip(tokens, freqs, strict=True) if 1.0 <= f < 4.0}
    connectives = CONNECTIVES.get(lang, set())
    subordinators = SUBORDINATORS.get(lang, set())
    grade = measure_readability(text, language).grade if tokens else 0.0
    values = {
        "log_words": math.log(words),
        "words_per_sentence": min(mean_len, 60.0),
        "sentence_length_sd": min(sd_len, 40.0),
        "oov_rate": (n - len(known)) / n if tokens else 0.0,
        "mean_zipf": sum(known) / len(known) if known else 0.0,
        "advanced_share": sum(1 for f in known if f < 4.0) / n,
        "advanced_types_sqrt": math.sqrt(len(advanced_types)),
        "guiraud": len(set(tokens)) / math.sqrt(n),
        "mtld": min(mtld(tokens), 200.0),
        "mean_word_length": sum(len(t) for t in tokens) / n,
        "long_word_share": sum(1 for t in tokens if len(t) >= 7) / n,
        "connectives_per_100": sum(t in connectives for t in tokens) * 100.0 / n,
        "subordinators_per_sentence": sum(t in subordinators for t in tokens) / len(spans),
        "commas_per_sentence": text.count(",") / len(spans),
        "fk_grade": max(-5.0, min(grade, 25.0)),
        "paragraphs": float(len([p for p in re.split(r"\n\s*\n", text) if p.strip()])),
        "content_type_zipf": (
            sum(zipf(t, lang) for t in content_types) / len(content_types) if content_types else 5.0
        ),
        "log_sentences": math.log(len(spans)),
        "lower_start_share": sum(text[a:b].strip()[:1].islower() for a, b in spans) / len(spans),
        **_bigram_features(text, spans, lang, n),
        **_lm_features(text, spans, lang),
        **_cohesion_features(text, spans, lang),
        "connective_types": math.sqrt(len({t for t in tokens if t in connectives})),
        "rare_share": sum(1 for f in known if f < 3.0) / n,
        "mid_share": sum(1 for f in known if 4.0 <= f < 5.0) / n,
        "ends_terminal": float(text.rstrip()[-1:] in (".", "!", "?")) if text.strip() else 0.0,
        "starts_upper": float(text.lstrip()[:1].isupper()),
        "sentence_length_max": float(min(max(lengths), 80)),
        "long_sentence_share": sum(1 for x in lengths if x > 30) / len(lengths),
        "words": float(words),
        **masked_ngrams(tokens, lang),
    }
    return TextFeatures(tuple(spans), words, values)


def extract_features(
    text: str, issues: Sequence[Issue], language: str, prepared: TextFeatures | None = None
) -> dict[str, float]:
    """Every feature of the model; ``prepared`` is ``text_features(text, language)`` if known."""
    part = prepared if prepared is not None else text_features(text, language)
    spans = part.spans
    counts = {"grammar": 0, "spelling": 0, "punctuation_casing": 0, "style": 0}
    mechanics = 0
    sentences_with_error = set()
    per_sentence = [0] * len(spans)
    serious = grammar_type = typos = casing_punct = 0
    for issue in issues:
        counts[issue.group] += 1
        mechanics += issue.rule_id in MECHANICS_RULES
        is_serious = issue.group in ("grammar", "spelling") and issue.rule_id not in MINOR_RULES
        serious += is_serious
        grammar_type += issue.issue_type == "grammar" and issue.rule_id not in MINOR_RULES
        typos += issue.issue_type == "misspelling"
        casing_punct += issue.group == "punctuation_casing"
        if issue.group in ("grammar", "spelling"):
            for i, (a, b) in enumerate(spans):
                if a <= issue.offset < b:
                    sentences_with_error.add(i)
                    per_sentence[i] += is_serious
                    break

    misspelt = {
        text[i.offset : i.offset + i.length].lower() for i in issues if i.group == "spelling"
    }
    per100 = 100.0 / part.words
    return {
        **part.values,
        "grammar_per_100": counts["grammar"] * per100,
        "spelling_per_100": counts["spelling"] * per100,
        "punctuation_per_100": counts["punctuation_casing"] * per100,
        "style_per_100": counts["style"] * per100,
        "mechanics_per_100": mechanics * per100,
        "grammar_count": math.log1p(counts["grammar"]),
        "spelling_count": math.log1p(counts["spelling"]),
        "errors_per_sentence": (counts["grammar"] + counts["spelling"]) / len(spans),
        "error_free_sentence_share": 1 - len(sentences_with_error) / len(spans),
        "unique_spelling_per_100": len(misspelt) * per100,
        "sqrt_errors_per_100": math.sqrt(len(issues) * per100),
        "rule_variety": float(len({i.rule_id for i in issues})),
        "serious_per_sentence": serious / len(spans),
        "max_sentence_errors": float(min(max(per_sentence), 6)),
        "issue_type_grammar_count": math.log1p(grammar_type),
        "typo_count": math.log1p(typos),
        "casing_punct_count": math.log1p(casing_punct),
    }


def masked_ngrams(tokens: list[str], lang: str) -> dict[str, float]:
    """Counts of 1-3-grams of the masked token sequence, keyed ``ng:<gram>``."""
    masked = [
        t
        if zipf(t, lang) >= MASK_ZIPF
        else "X"
        if zipf(t, lang) >= OUT_OF_DICTIONARY_ZIPF
        else "OOV"
        for t in tokens
    ]
    counts: dict[str, float] = {}
    for size in (1, 2, 3):
        for i in range(len(masked) - size + 1):
            key = NGRAM_PREFIX + " ".join(masked[i : i + size])
            counts[key] = counts.get(key, 0.0) + 1.0
    return counts


def _bigram_features(text: str, spans, lang: str, n: int) -> dict[str, float]:
    """How many adjacent word pairs are attested: unidiomatic sequences are rarely listed."""
    counts = bigram_counts(lang)
    pairs = found = function_pairs = function_found = 0
    log_sum = 0.0
    for a, b in spans:
        tokens = tokenize(text[a:b])
        for first, second in zip(tokens, tokens[1:], strict=False):
            f1, f2 = zipf(first, lang), zipf(second, lang)
            count = counts.get((first, second), 0)
            if f1 >= 3 and f2 >= 3:
                pairs += 1
                found += count > 0
                log_sum += math.log10(count) if count else 0.0
            if f1 >= FUNCTION_WORD_ZIPF and f2 >= FUNCTION_WORD_ZIPF:
                function_pairs += 1
                function_found += count > 0
    if not counts:
        return {
            "bigram_found": 1.0,
            "bigram_log_mean": 0.0,
            "function_bigram_found": 1.0,
            "function_bigram_missing_per_100": 0.0,
        }
    return {
        "bigram_found": found / pairs if pairs else 1.0,
        "bigram_log_mean": log_sum / pairs if pairs else 0.0,
        "function_bigram_found": function_found / function_pairs if function_pairs else 1.0,
        "function_bigram_missing_per_100": (function_pairs - function_found) * 100.0 / n,
    }


def _lm_features(text: str, spans, lang: str) -> dict[str, float]:
    """Bigram log-probabilities: learner sentences that read oddly contain improbable pairs."""
    counts = bigram_counts(lang)
    if not counts:
        return {
            "lm_mean": 0.0,
            "lm_pmi_mean": 0.0,
            "lm_min_pair": 0.0,
            "lm_worst_sentence": 0.0,
            "lm_low_pair_share": 0.0,
        }
    total = pmi_total = low = pairs = 0
    min_pairs, sentence_means = [], []
    for a, b in spans:
        tokens = tokenize(text[a:b])
        sent_sum, sent_min, sent_pairs = 0.0, 0.0, 0
        for first, second in zip(tokens, tokens[1:], strict=False):
            z1, z2 = zipf(first, lang), zipf(second, lang)
            count = counts.get((first, second), 0)
            unigram = z2 - 9.0
            if count:
                logp = math.log10(count) - z1 - LM_OFFSET
            else:
                logp = min(math.log10(0.4) + unigram, LM_LOG_FLOOR - z1 - LM_OFFSET)
            logp = max(logp, -9.0)
            sent_sum += logp
            sent_min = min(sent_min, logp)
            sent_pairs += 1
            pmi_total += logp - max(unigram, -9.0)
            low += logp < LM_LOW
        if sent_pairs:
            total += sent_sum
            pairs += sent_pairs
            min_pairs.append(sent_min)
            sentence_means.append(sent_sum / sent_pairs)
    if not pairs:
        return {
            "lm_mean": -2.0,
            "lm_pmi_mean": 0.0,
            "lm_min_pair": -2.0,
            "lm_worst_sentence": -2.0,
            "lm_low_pair_share": 0.0,
        }
    return {
        "lm_mean": total / pairs,
        "lm_pmi_mean": pmi_total / pairs,
        "lm_min_pair": sum(min_pairs) / len(min_pairs),
        "lm_worst_sentence": min(sentence_means),
        "lm_low_pair_share": low / pairs,
    }


def _content(tokens: list[str], lang: str) -> set[str]:
    return {t.rstrip("s") for t in tokens if len(t) > 2 and zipf(t, lang) < FUNCTION_WORD_ZIPF}


def _cohesion_features(text: str, spans, lang: str) -> dict[str, float]:
    """Lexical overlap of adjacent sentences and pronoun use: how the text holds together."""
    sentences = [tokenize(text[a:b]) for a, b in spans]
    pronouns = PRONOUNS.get(lang, set())
    n = max(sum(len(s) for s in sentences), 1)
    overlaps = []
    previous = None
    for tokens in sentences:
        content = _content(tokens, lang)
        if previous is not None and (previous or content):
            overlaps.append(len(previous & content) / max(len(previous | content), 1))
        previous = content
    return {
        "adjacent_overlap": sum(overlaps) / len(overlaps) if overlaps else 0.0,
        "pronoun_share": sum(t in pronouns for s in sentences for t in s) / n,
    }
