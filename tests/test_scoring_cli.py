"""`assessor evaluate`, `assessor bench scoring` and `assessor scoring rescore`, end to end with
the real LanguageTool server."""

from __future__ import annotations

import csv
import json
import re
import threading

import llama_cpp
import pytest
from sqlalchemy import select

from assessor import languagemodel as lm_install
from assessor.candidate import attempts
from assessor.candidate.attempts import Limits
from assessor.models import Score
from assessor.worker import work

pytestmark = pytest.mark.languagetool

RATED = [  # our own sentences, rated by us on the GUG scale (4 = perfect)
    ("Thank you for your patience while we check your order.", 4),
    ("We have refunded the full amount to your card.", 4),
    ("I am sorry for the delay in delivering your parcel.", 4),
    ("Your order have been shipped yesterday and it arrive tomorrow.", 2),
    ("He dont know where is the package of him.", 2),
    ("me sorry we no can refund you money becaus polisy.", 1),
    ("The invoice were send to the wrong adress last week.", 2),
    ("Please let us know if there is anything else we can do.", 4),
]


@pytest.fixture
def lt_app(app, languagetool_url):
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    return app


def _csv(path, rows, header=("sentence", "rating")):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _evaluate_grammar(runner, path):
    args = ["evaluate", str(path), "--dimension", "grammar", "--text-column", "sentence"]
    result = runner.invoke(args=[*args, "--human-column", "rating", "--json"])
    assert result.exit_code == 0, result.output
    return result, json.loads(result.output.strip().splitlines()[-1])


def test_evaluate_prints_agreement_as_json(lt_app, runner, tmp_path):
    _, report = _evaluate_grammar(runner, _csv(tmp_path / "rated.csv", RATED))
    assert report["n"] == len(RATED)
    assert {"pearson", "spearman", "qwk"} <= report.keys()  # a whole-number scale gets QWK
    assert report["pearson"] > 0.5  # clean sentences must score above broken ones


def test_evaluate_reads_sentences_with_the_language_model(
    lt_app, runner, tmp_path, language_model_home
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    result, report = _evaluate_grammar(runner, _csv(tmp_path / "rated.csv", RATED))
    assert report["parts"] == {"sentence_lm": len(RATED)}
    assert "not installed" not in result.output
    assert report["pearson"] > 0.5


def test_evaluate_reads_longer_texts_with_the_essay_parts_that_weigh_the_language_model(
    lt_app, runner, tmp_path, language_model_home
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    essays = [  # two sentences or more: read as free writing by the essay model
        (f"{a} {b}", (ra + rb) / 2)
        for (a, ra), (b, rb) in zip(RATED[::2], RATED[1::2], strict=True)
    ]
    path = _csv(tmp_path / "essays.csv", essays)
    args = ["evaluate", str(path), "--dimension", "overall", "--text-column", "sentence"]
    result = runner.invoke(args=[*args, "--human-column", "rating", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["parts"] == {"essay_overall_lm": len(essays)}


def test_evaluate_without_the_language_model_says_so_and_uses_the_plain_sentence_model(
    lt_app, runner, tmp_path
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(tmp_path / "no-model-here")
    result, report = _evaluate_grammar(runner, _csv(tmp_path / "rated.csv", RATED))
    assert "language model is not installed" in result.output
    assert report["parts"] == {"sentence": len(RATED)}


def test_evaluate_names_a_missing_column_and_bad_rows(lt_app, runner, tmp_path):
    path = _csv(tmp_path / "rated.csv", RATED)
    result = runner.invoke(
        args=[
            "evaluate",
            str(path),
            "--dimension",
            "overall",
            "--text-column",
            "text",
            "--human-column",
            "rating",
        ]
    )
    assert result.exit_code == 2 and "no column text" in result.output
    bad = _csv(tmp_path / "bad.csv", [*RATED[:3], ("Fine text.", "n/a")])
    result = runner.invoke(
        args=[
            "evaluate",
            str(bad),
            "--dimension",
            "grammar",
            "--json",
            "--text-column",
            "sentence",
            "--human-column",
            "rating",
        ]
    )
    assert result.exit_code == 0
    assert "row 5, column 'rating': 'n/a' is not a number" in result.output


def test_bench_scoring_prints_ours_and_bare_side_by_side(lt_app, runner):
    result = runner.invoke(
        args=["bench", "scoring", "--repeat", "1", "--batch", "2", "--rounds", "1"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Language model: not used")
    lines = [line for line in result.output.splitlines() if "ratio" in line]
    assert len(lines) == 6 + 2  # 3 sizes x 2 languages, then 1 and 2 workers
    assert any(
        line.startswith("150 words en-US") and "ours" in line and "bare" in line for line in lines
    )


def test_bench_scoring_also_measures_the_language_model_when_the_worker_would_use_it(
    lt_app, runner, language_model_home
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    result = runner.invoke(
        args=["bench", "scoring", "--repeat", "1", "--batch", "8", "--rounds", "1"]
    )
    assert result.exit_code == 0, result.output
    # the first line names the engine and its version, and the thread count the worker uses
    assert result.output.splitlines()[0] == (
        f"Language model: {lm_install.MODEL_FILE} on llama.cpp "
        f"(llama-cpp-python {llama_cpp.__version__}), 1 thread(s)"
    )
    lines = [line for line in result.output.splitlines() if "ratio" in line]
    assert len(lines) == 6 + 2 + 2  # the throughput rows again, without the language model
    (memory,) = re.findall(
        r"^Worker memory \(resident, after scoring\): with the language model (\d+) MB, "
        r"without (\d+) MB: the model adds (-?\d+) MB, of which (-?\d+) MB maps its file "
        r"\(read-only: shared by a host's workers\)$",
        result.output,
        re.MULTILINE,
    )
    with_model, without, added, mapped = map(int, memory)
    assert with_model > without > 50 and added == with_model - without
    assert 200 < mapped < added  # the BF16 weights (257 MB) are the most of it
    english = [line for line in lines if " words en-US" in line]
    french = [line for line in lines if " words fr" in line]
    # "ours" first is the worker's pipeline (with the model); without it comes second
    assert len(english) == 3 and all("| without the language model" in line for line in english)
    for line in english:
        ours, without = (float(v) for v in re.findall(r"(\d+) ms", line)[0::2])
        assert ours > without  # the forward pass is on top of everything else
    assert len(french) == 3 and not any("language model" in line for line in french)
    assert sum("worker(s) without the language model" in line for line in lines) == 2
    # the model's side scores a quarter of the answers (it is about five times slower)
    throughput = [line for line in lines if "worker(s)" in line]
    assert [("(2 answers" in line, "(8 answers" in line) for line in throughput] == [
        (True, False),
        (True, False),
        (False, True),
        (False, True),
    ]


def _submitted(invite, db_session, clock, answer=None):
    limits = Limits(30, 1_000_000, 500)
    _, token = invite()
    attempt = attempts.start_attempt(db_session, token, consent=True, now=clock(), limits=limits)
    db_session.commit()
    batch = {"confirm": True}
    if answer is not None:
        batch |= {"revision": 1, "answers": [{"task": t, "text": a} for t, a in answer.items()]}
    attempts.submit_attempt(db_session, attempt.id, batch, now=clock(), limits=limits)
    db_session.commit()
    return attempt


def test_rescore_replaces_scores_with_progress(lt_app, runner, db_session, invite, clock):
    _submitted(invite, db_session, clock)
    assert work(lt_app, threading.Event(), burst=True) == 1
    result = runner.invoke(args=["scoring", "rescore", "--bank", "support-en", "--wait"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 attempt(s)" in result.output and "1/1 scored" in result.output
    db_session.rollback()
    assert len(db_session.scalars(select(Score)).all()) == 1


REPLY = (
    "Dear Ms Whitfield,\n\nThank you for the photos, and I am sorry that the lamp arrived "
    "broken. We have refunded the full amount to your card; it should appear within five "
    "business days. There is no need to send the lamp back.\n\nKind regards,\nAnna"
)


def _written_parts(db_session):
    db_session.rollback()
    (score,) = db_session.scalars(select(Score)).all()
    return [t["proficiency"]["model"] for t in score.card["tasks"] if t.get("proficiency")]


def test_the_worker_reads_english_answers_with_the_installed_language_model(
    lt_app, db_session, invite, clock, language_model_home
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    _submitted(invite, db_session, clock, {"damaged-lamp-refund": REPLY})
    assert work(lt_app, threading.Event(), burst=True) == 1
    assert _written_parts(db_session) == ["writing-v5/essay_overall_lm"]


def test_the_worker_scores_without_the_language_model_when_switched_off(
    lt_app, db_session, invite, clock, language_model_home
):
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(language_model_home)
    lt_app.config["SCORING_LANGUAGE_MODEL"] = False
    _submitted(invite, db_session, clock, {"damaged-lamp-refund": REPLY})
    assert work(lt_app, threading.Event(), burst=True) == 1
    assert _written_parts(db_session) == ["writing-v5/essay_overall"]


def test_an_unreadable_language_model_stops_the_worker_with_the_reason(
    lt_app, runner, db_session, invite, clock, tmp_path
):
    from assessor import languagemodel as lm_install

    home = tmp_path / "lm"
    home.mkdir()
    lm_install.model_path(home).write_bytes(b"GGUF but cut short")
    lm_install.model_path(home).with_suffix(".sha256").write_text("0" * 64)
    lt_app.config["LANGUAGE_MODEL_HOME"] = str(home)
    attempt = _submitted(invite, db_session, clock)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "could not be read" in result.output and "languagemodel install" in result.output
    assert "Traceback" not in result.output
    db_session.rollback()
    assert db_session.scalars(select(Score)).all() == []  # nothing scored half-way
    assert db_session.get(type(attempt), attempt.id).state == "submitted"
