"""``assessor export results``: each format written, bad arguments refused in plain words."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook


@pytest.fixture
def cli(app, runner):
    def invoke(*args):
        return runner.invoke(args=["export", "results", *args])

    return invoke


@pytest.fixture
def candidates(invite, other_org, db_session):
    invite(name="=Chloé Martin", email="chloe@example.com")
    invite(name="Ben Okafor", email="ben@example.com")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_each_format_is_written(cli, candidates, tmp_path, fmt):
    out = tmp_path / f"results.{fmt}"
    result = cli("--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 2 row(s)" in result.output
    if fmt == "csv":
        rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
        names = [r["candidate_name"] for r in rows]
    elif fmt == "json":
        names = [r["candidate_name"] for r in json.loads(out.read_text(encoding="utf-8"))]
    else:
        sheet = load_workbook(out).active
        names = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert names == (
        ["'=Chloé Martin", "Ben Okafor"] if fmt == "csv" else ["=Chloé Martin", "Ben Okafor"]
    )
    assert not list(tmp_path.glob(".*.part"))  # no temporary file left behind


def test_one_organisation_only(cli, candidates, tmp_path):
    out = tmp_path / "r.json"
    result = cli("--format", "json", "--output", str(out), "--organisation", "Contoso Back Office")
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == []
    result = cli(
        "--format", "json", "--output", str(out), "--organisation", "Northwind Outsourcing"
    )
    assert len(json.loads(out.read_text())) == 2


def test_an_unknown_organisation_is_refused(cli, candidates, tmp_path):
    out = tmp_path / "r.csv"
    result = cli("--format", "csv", "--output", str(out), "--organisation", "Nobody Ltd")
    assert result.exit_code == 1
    assert "No organisation is named 'Nobody Ltd'." in result.output
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(
    "target, message",
    [("missing-folder/r.csv", "does not exist or is not writable"), (".", "is a directory")],
)
def test_an_unwritable_path_is_refused(cli, candidates, tmp_path, target, message):
    result = cli("--format", "csv", "--output", str(tmp_path / target))
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_a_path_under_a_file_is_refused(cli, candidates, tmp_path):
    # (a read-only folder would not do: CI runs as root, which ignores file modes)
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x")
    result = cli("--format", "csv", "--output", str(not_a_folder / "r.csv"))
    assert result.exit_code == 1 and "not writable" in result.output


def test_an_unknown_format_or_missing_option_is_refused(cli, tmp_path):
    result = cli("--format", "pdf", "--output", str(tmp_path / "r.pdf"))
    assert result.exit_code == 2 and "'pdf' is not one of" in result.output
    result = cli("--format", "csv")
    assert result.exit_code == 2 and "Missing option '--output'" in result.output
