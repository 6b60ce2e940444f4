"""Numeric features of one answer, the input of the fitted scoring model (see aggregate.py).

Each feature stands for something raters weigh: error density and severity (LanguageTool),
fluency (length, sentence length), range and precision of vocabulary (word frequency bands,
diversity, unknown words), sentence complexity (subordination) and cohesion (connectives).
"""

from __future__ import annotations

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
)
FUNCTION_WORD_ZIPF = 5.5
# Frequent words stay, rarer ones become X (unknown ones OOV): n-grams over this sequence capture
# grammar patterns ("X is depends", "a X of") independently of the topic of the prompt.
MASK_ZIPF = 5.3
NGRAM_PREFIX = "ng:"


def split_sentences(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(text) if m.group().strip()]


def extract_features(text: str, issues: Sequence[Issue], language: str) -> dict[str, float]:
    lang = language_root(language)
    tokens = tokenize(text)
    n = max(len(tokens), 1)
    words = max(count_words(text), 1)
    spans = split_sentences(text) or [(0, len(text))]
    lengths = [max(len(tokenize(text[a:b])), 1) for a, b in spans]
    mean_len = sum(lengths) / len(lengths)
    sd_len = math.sqrt(sum((x - mean_len) ** 2 for x in lengths) / len(lengths))

    counts = {"grammar": 0, "spelling": 0, "punctuation_casing": 0, "style": 0}
    mechanics = 0
    sentences_with_error = set()
    for issue in issues:
        counts[issue.group] += 1
        mechanics += issue.rule_id in MECHANICS_RULES
        if issue.group in ("grammar", "spelling"):
            for i, (a, b) in enumerate(spans):
                if a <= issue.offset < b:
                    sentences_with_error.add(i)
                    break

    misspelt = {
        text[i.offset : i.offset + i.length].lower() for i in issues if i.group == "spelling"
    }
    freqs = [zipf(t, lang) for t in tokens]
    content_types = {t for t, f in zip(tokens, freqs, strict=True) if 1.0 <= f < FUNCTION_WORD_ZIPF}
    known = [f for f in freqs if f >= OUT_OF_DICTIONARY_ZIPF]
    advanced_types = {t for t, f in zip(tokens, freqs, strict=True) if 1.0 <= f < 4.0}
    connectives = CONNECTIVES.get(lang, set())
    subordinators = SUBORDINATORS.get(lang, set())
    per100 = 100.0 / words
    grade = measure_readability(text, language).grade if tokens else 0.0
    return {
        "log_words": math.log(words),
        "words_per_sentence": min(mean_len, 60.0),
        "sentence_length_sd": min(sd_len, 40.0),
        "grammar_per_100": counts["grammar"] * per100,
        "spelling_per_100": counts["spelling"] * per100,
        "punctuation_per_100": counts["punctuation_casing"] * per100,
        "style_per_100": counts["style"] * per100,
        "mechanics_per_100": mechanics * per100,
        "grammar_count": math.log1p(counts["grammar"]),
        "spelling_count": math.log1p(counts["spelling"]),
        "errors_per_sentence": (counts["grammar"] + counts["spelling"]) / len(spans),
        "error_free_sentence_share": 1 - len(sentences_with_error) / len(spans),
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
        "unique_spelling_per_100": len(misspelt) * per100,
        "sqrt_errors_per_100": math.sqrt(len(issues) * per100),
        "rule_variety": float(len({i.rule_id for i in issues})),
        "log_sentences": math.log(len(spans)),
        "lower_start_share": sum(text[a:b].strip()[:1].islower() for a, b in spans) / len(spans),
        **_bigram_features(text, spans, lang, n),
        "words": float(words),
        **masked_ngrams(tokens, lang),
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
