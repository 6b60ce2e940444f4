"""``assessor bench scoring``: our whole scoring of an answer against the bare LanguageTool check.

Texts are the demo candidates' answers cut to 50, 150 and 400 words, in English and French. Every
run sends a text never sent before (a new reference number in each sentence), so that neither side
is measured on LanguageTool's sentence cache. "Ours" is our scoring as the worker runs it: with the
language model when it is installed and switched on (it reads English answers only), and then
also without it, on the same line.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import statistics
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import requests

from assessor.languagetool.server import CHECK_PARAMS
from assessor.question_banks import EmailTask
from assessor.scoring.engine import score_answer

SIZES = (50, 150, 400)
_SENTENCE_END = re.compile(r"([.!?])(?=\s|$)")
LANGUAGES = ("en-US", "fr")
DEMO = Path(__file__).resolve().parent / "demo" / "candidates.toml"
_SOURCES = {"en-US": "maya.rodriguez@example.com", "fr": "sophie.garnier@example.fr"}


def bench_texts() -> dict[tuple[str, int], str]:
    candidates = tomllib.loads(DEMO.read_text("utf-8"))["candidates"]
    texts = {}
    for language, email in _SOURCES.items():
        (source,) = [c for c in candidates if c["email"] == email]
        words = " ".join(a for a in source["answers"].values() if isinstance(a, str)).split()
        while len(words) < max(SIZES):
            words += words
        for size in SIZES:
            texts[language, size] = " ".join(words[:size])
    return texts


def _task(size: int) -> EmailTask:
    return EmailTask(
        id="bench",
        kind="email",
        title="Benchmark",
        instructions="Reply.",
        customer_message="Hello",
        min_words=1,
        max_words=size * 2,
        tone="formal",
        points=(),
    )


class _Runner:
    def __init__(self, url: str, checker, language_model=None):
        self.url, self.checker, self.serial = url.rstrip("/"), checker, 0
        self.language_model = language_model

    def fresh(self, text: str) -> str:
        """The text with a new reference in every sentence: LanguageTool caches per sentence."""
        self.serial += 1
        count = iter(range(1_000_000))
        return _SENTENCE_END.sub(lambda m: f" (ref {self.serial}-{next(count)}){m.group(1)}", text)

    def bare(self, text: str, language: str) -> None:
        data = dict(CHECK_PARAMS[language]) | {"text": self.fresh(text)}
        # a new connection per check, as language-tool-python makes: LanguageTool's HTTP server
        # answers a kept-alive connection about 40 ms late (delayed ACK), which would flatter us
        response = requests.post(f"{self.url}/v2/check", data=data, timeout=60)
        response.raise_for_status()

    def ours(self, text: str, language: str, size: int, *, read: bool = True) -> None:
        """Our scoring as the worker runs it (with its language model, if any); ``read=False``
        without the language model."""
        reader = self.language_model if read else None
        score_answer(
            _task(size), self.fresh(text), self.checker, language=language, language_model=reader
        )


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - start) * 1000


def run_bench(
    url: str,
    checker,
    *,
    repeat: int,
    batch: int,
    rounds: int = 3,
    echo=print,
    language_model: tuple[str, int] | None = None,
) -> None:
    """Print the figures; ``language_model`` (its path and threads, as the worker loads it)
    adds our scoring with the language model."""
    reader = None
    if language_model:
        from assessor.scoring.language_model import engine_description, load_language_model

        reader = load_language_model(*language_model)
        echo(f"Language model: {engine_description(reader)}, {reader.threads} thread(s)")
    else:
        echo("Language model: not used (not installed, or SCORING_LANGUAGE_MODEL is off)")
    runner, texts = _Runner(url, checker, reader), bench_texts()
    without = functools.partial(runner.ours, read=False)
    for (language, size), text in texts.items():  # warm every path once per language and size
        runner.bare(text, language)
        runner.ours(text, language, size)
        if reader is not None:
            without(text, language, size)
    echo(f"Per answer (median of {repeat} runs):")
    for (language, size), text in sorted(texts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        bare, ours, plain = [], [], []
        for _ in range(repeat):  # interleaved, so that all meet the same server state
            bare.append(_timed(runner.bare, text, language))
            ours.append(_timed(runner.ours, text, language, size))
            if reader is not None and language.startswith("en"):  # it reads English only
                plain.append(_timed(without, text, language, size))
        bare, ours = statistics.median(bare), statistics.median(ours)
        line = (
            f"{size:>3} words {language:<5}  ours {ours:6.0f} ms  bare {bare:6.0f} ms  "
            f"ratio {ours / bare:.2f}"
        )
        if plain:
            plain = statistics.median(plain)
            line += f"  | without the language model {plain:6.0f} ms  ratio {plain / bare:.2f}"
        echo(line)
    echo(
        "Throughput (answers of 150 words, English and French alternating; our workers are "
        "processes, as `assessor worker` is; the bare server gets as many threads):"
    )
    # A round must last long enough that starting the pool and its last, lone answer do not
    # weigh: with 24 answers (~2 s) two workers measured 0.72x the bare server, with 96 0.94x.
    # The language model's side scores about a fifth as fast: a quarter of the answers.
    sides = [("", language_model, batch)]
    if reader is not None:
        sides = [
            ("", language_model, max(batch // 4, 2)),
            (" without the language model", None, batch),
        ]
    resident: dict[str, tuple[float, float]] = {}  # a worker's memory after a round, per side
    for label, spec, size in sides:
        work = [(texts[lang, 150], lang) for lang in LANGUAGES] * max(size // 2, 1)
        for workers in (1, 2):
            # Rounds alternate between the two sides so that both meet the same machine load
            # (two cores shared with the server); the median round of each side is reported.
            bare_rates, our_rates = [], []
            for _ in range(rounds):
                bare_rates.append(
                    _throughput_threads(lambda item: runner.bare(*item), work, workers)
                )
                rate, megabytes = _throughput_processes(url, work, workers, spec)
                our_rates.append(rate)
                resident[label] = max(resident.get(label, (0.0, 0.0)), megabytes)
            bare, ours = statistics.median(bare_rates), statistics.median(our_rates)
            echo(
                f"{workers} worker(s){label}  ours {ours:5.2f} answers/s  bare {bare:5.2f} "
                f"checks/s  ratio {ours / bare:.2f}  ({len(work)} answers, median of {rounds} "
                "rounds; ours "
                f"{min(our_rates):.2f}-{max(our_rates):.2f}, bare {min(bare_rates):.2f}-"
                f"{max(bare_rates):.2f})"
            )
    if reader is not None and all(total for total, _ in resident.values()):
        (with_model, file_with), (without, file_without) = (
            [round(v) for v in resident[label]] for label, _, _ in sides
        )
        echo(
            f"Worker memory (resident, after scoring): with the language model {with_model} "
            f"MB, without {without} MB: the model adds {with_model - without} MB, of which "
            f"{file_with - file_without} MB maps its file (read-only: shared by a host's workers)"
        )


def _throughput_threads(fn, work, threads: int) -> float:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(fn, work))
    return len(work) / (time.perf_counter() - start)


_WORKER: _Runner | None = None


def _start_worker(url: str, language_model: tuple[str, int] | None) -> None:
    global _WORKER
    from assessor.scoring.grammar import LanguageToolChecker
    from assessor.scoring.language_model import load_language_model

    reader = load_language_model(*language_model) if language_model else None
    _WORKER = _Runner(url, LanguageToolChecker([url]), reader)
    _WORKER.serial = os.getpid() * 10_000  # its own reference numbers: no cache hits
    for (language, size), text in bench_texts().items():  # loads the model and word lists
        if size == 50:
            _WORKER.ours(text, language, size)


def _score_in_worker(item) -> None:
    _WORKER.ours(item[0], item[1], 150)


def _resident_mb() -> tuple[float, float]:
    """This process's resident memory in MB, and the part of it that maps files (the model's
    weights are a read-only file mapping, which every worker of a host shares); zeros where
    /proc is not there."""
    found = {"VmRSS:": 0.0, "RssFile:": 0.0}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key = line.split(maxsplit=1)[0]
                if key in found:
                    found[key] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found["VmRSS:"], found["RssFile:"]


def _throughput_processes(
    url: str, work, processes: int, language_model=None
) -> tuple[float, tuple[float, float]]:
    """Answers per second over ``work``, and a worker's resident memory afterwards (MB: all of
    it, and the file-mapped part)."""
    context = multiprocessing.get_context("spawn")  # no threads or sockets inherited
    with ProcessPoolExecutor(
        processes,
        mp_context=context,
        initializer=_start_worker,
        initargs=(url, language_model),
    ) as pool:
        list(pool.map(_score_in_worker, work[:processes]))  # every process warm first
        start = time.perf_counter()
        list(pool.map(_score_in_worker, work))
        rate = len(work) / (time.perf_counter() - start)
        return rate, pool.submit(_resident_mb).result()
