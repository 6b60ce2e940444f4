"""``assessor evaluate``, ``assessor bench scoring`` and ``assessor scoring rescore``."""

from __future__ import annotations

import csv
import json
import sys
import threading
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from assessor.commands.schema import needs_schema
from assessor.db import database, utcnow
from assessor.queue import jobs

MAX_CSV_BYTES = 200 * 1024 * 1024


def _checker():
    from assessor.scoring.grammar import LanguageToolChecker

    cfg = current_app.config
    return LanguageToolChecker(
        cfg["LANGUAGETOOL_URLS"], timeout=cfg["LANGUAGETOOL_TIMEOUT_SECONDS"]
    )


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(2)


def read_rated_csv(path: Path, text_column: str, human_column: str):
    """Texts and human scores from a CSV, with every problem named (file, row, column)."""
    if not path.is_file():
        _fail(f"{path}: no such file.")
    if path.stat().st_size > MAX_CSV_BYTES:
        _fail(f"{path}: larger than {MAX_CSV_BYTES // 2**20} MB.")
    texts, scores, problems = [], [], []
    csv.field_size_limit(10 * 1024 * 1024)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {text_column, human_column} - set(reader.fieldnames or ())
            if missing:
                _fail(
                    f"{path}: no column {', '.join(sorted(missing))} "
                    f"(columns: {', '.join(reader.fieldnames or ())})."
                )
            for number, row in enumerate(reader, start=2):
                try:
                    score = float(row[human_column])
                except (TypeError, ValueError):
                    problems.append(
                        f"{path}: row {number}, column {human_column!r}: "
                        f"{row[human_column]!r} is not a number"
                    )
                    continue
                texts.append(row[text_column] or "")
                scores.append(score)
    except UnicodeDecodeError as exc:
        _fail(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}).")
    except csv.Error as exc:
        _fail(f"{path}: not a readable CSV file ({exc}).")
    for problem in problems[:20]:
        click.echo(problem, err=True)
    if not texts:
        _fail(f"{path}: no row with a numeric {human_column!r}.")
    return texts, scores, len(problems)


@click.command("evaluate")
@click.argument("csv_file", type=click.Path(path_type=Path))
@click.option("--dimension", type=click.Choice(["grammar", "overall"]), required=True)
@click.option("--text-column", required=True)
@click.option("--human-column", required=True)
@click.option(
    "--language", default="en-US", show_default=True, type=click.Choice(["en-US", "en-GB", "fr"])
)
@click.option("--limit", type=int, default=None, help="Score only the first N rows.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def evaluate(csv_file, dimension, text_column, human_column, language, limit, as_json) -> None:
    """Score every row of a CSV as free writing and print agreement with the human scores."""
    from assessor.scoring.aggregate import load_model
    from assessor.scoring.evaluation import evaluate_rows
    from assessor.scoring.grammar import CheckerUnavailable

    texts, scores, skipped = read_rated_csv(csv_file, text_column, human_column)
    if limit:
        texts, scores = texts[:limit], scores[:limit]
    try:
        result = evaluate_rows(
            texts,
            scores,
            dimension=dimension,
            language=language,
            checker=_checker(),
            model=load_model(),
            language_model=_language_model(language),
        )
    except CheckerUnavailable as exc:
        _fail(f"LanguageTool cannot be reached: {exc}. Start it: assessor languagetool start")
    result["skipped_rows"] = skipped
    if as_json:
        click.echo(json.dumps(result))
        return
    for key, value in result.items():
        click.echo(f"{key:>14}: {value}")


def _language_model(language: str):
    """The language model as the worker would use it for ``language``: None for French, when
    switched off, or when not installed (with a note: the model's plain parts are the weaker
    ones)."""
    from assessor.queue.scorer import language_model
    from assessor.scoring.language_model import LanguageModelError

    if not language.startswith("en"):
        return None
    try:
        return language_model(current_app.config, note=lambda text: click.echo(text, err=True))
    except LanguageModelError as exc:
        _fail(str(exc))


@click.group("scoring")
def scoring() -> None:
    """The scoring model and re-scoring."""


@scoring.command("rescore")
@click.option("--bank", "bank_slug", default=None, help="Only attempts of this bank id.")
@click.option("--wait", is_flag=True, help="Score them now, in this process, with progress.")
@with_appcontext
@needs_schema
def rescore(bank_slug: str | None, wait: bool) -> None:
    """Queue a re-score of finished attempts (after a model change)."""
    from assessor.scoring.language_model import LanguageModelError
    from assessor.worker import work

    app = current_app._get_current_object()
    with database(app).WriteSession.begin() as session:
        now = app.config.get("CLOCK", utcnow)()
        queued = jobs.requeue_many(session, now, bank_slug=bank_slug)
    click.echo(f"Queued {queued} attempt(s) for re-scoring.")
    if not wait or not queued:
        return
    done = 0

    def progress(data, card):
        nonlocal done
        done += 1
        click.echo(f"  {done}/{queued} scored (attempt {data.attempt_id}: {card.overall})")

    try:
        work(app, threading.Event(), burst=True, on_scored=progress)
    except LanguageModelError as exc:
        _fail(str(exc))


@click.group("bench")
def bench() -> None:
    """Benchmarks that print numbers (never pass/fail)."""


@bench.command("scoring")
@click.option("--repeat", default=15, show_default=True, help="Runs per text size.")
@click.option(
    "--batch",
    default=96,
    show_default=True,
    help="Answers per throughput round (a quarter of them with the language model).",
)
@click.option("--rounds", default=5, show_default=True, help="Throughput rounds per side.")
@with_appcontext
def bench_scoring(repeat: int, batch: int, rounds: int) -> None:
    """Our full scoring per answer against the bare LanguageTool check, side by side (and with
    the language model too, when the worker would use it)."""
    from assessor.queue.scorer import language_model_spec
    from assessor.scoring_bench import run_bench

    config = current_app.config
    run_bench(
        config["LANGUAGETOOL_URLS"][0],
        _checker(),
        repeat=repeat,
        batch=batch,
        rounds=rounds,
        echo=click.echo,
        language_model=language_model_spec(config),
    )
