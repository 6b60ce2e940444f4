"""The `assessor` command: banks, recruiters, demo, sweep."""

from __future__ import annotations

from sqlalchemy import func, select

from assessor.models import Attempt, Bank, Invitation, ScoringJob, User
from tests.conftest import BANKS


def test_banks_check_passes_on_the_shipped_banks(runner):
    result = runner.invoke(args=["banks", "check", str(BANKS)])
    assert result.exit_code == 0, result.output
    assert "All banks are valid." in result.output


def test_banks_check_reports_every_problem_and_exits_non_zero(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'id = "Bad Id"\nversion = 0\ntitle = "x"\nlanguage = "de"\ntime_limit_minutes = 30\n'
        "tasks = []\n"
    )
    result = runner.invoke(args=["banks", "check", str(bad)])
    assert result.exit_code == 1
    output = result.output
    assert "bad.toml" in output and "'version'" in output and "'language'" in output


def test_banks_load_offers_the_newest_version_and_keeps_old_ones(runner, app, db_session, tmp_path):
    source = (BANKS / "support-en.toml").read_text()
    assert (
        runner.invoke(
            args=["banks", "load", "--organisation", "Acme", str(BANKS / "support-en.toml")]
        ).exit_code
        == 0
    )
    edited = tmp_path / "support-en.toml"
    edited.write_text(source.replace("version = 1", "version = 2", 1))
    result = runner.invoke(args=["banks", "load", "--organisation", "Acme", str(edited)])
    assert result.exit_code == 0, result.output
    rows = db_session.execute(select(Bank.version, Bank.active).order_by(Bank.version)).all()
    assert [tuple(r) for r in rows] == [(1, False), (2, True)]


def test_banks_load_refuses_a_changed_bank_with_the_same_version(runner, tmp_path):
    path = BANKS / "support-en.toml"
    assert runner.invoke(args=["banks", "load", "--organisation", "Acme", str(path)]).exit_code == 0
    edited = tmp_path / "support-en.toml"
    edited.write_text(path.read_text().replace("Halcyon", "Halcyonne"))
    result = runner.invoke(args=["banks", "load", "--organisation", "Acme", str(edited)])
    assert result.exit_code == 1 and "bump its version" in result.output


def test_recruiters_create(runner, db_session):
    result = runner.invoke(
        args=[
            "recruiters",
            "create",
            "--email",
            "Ana@Acme.example",
            "--name",
            "Ana",
            "--organisation",
            "Acme",
            "--role",
            "admin",
        ],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User))
    assert (user.email, user.role, user.organisation.name) == ("ana@acme.example", "admin", "Acme")


def test_recruiters_create_refuses_a_short_password(runner, db_session):
    result = runner.invoke(
        args=[
            "recruiters",
            "create",
            "--email",
            "b@acme.example",
            "--name",
            "B",
            "--organisation",
            "Acme",
            "--password",
            "short",
        ],
    )
    assert result.exit_code == 1 and "12 characters" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_recruiters_create_names_every_problem(runner, db_session):
    args = ["recruiters", "create", "--email", "not-an-address", "--name", "B"]
    result = runner.invoke(args=[*args, "--organisation", "Acme", "--password", "short"])
    assert result.exit_code == 1
    assert "Give a valid e-mail address." in result.output
    assert "The password must have at least 12 characters." in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_loads_content_prints_a_login_and_working_links(runner, app, client, db_session):
    result = runner.invoke(args=["demo", "--base-url", "http://127.0.0.1:5000"])
    assert result.exit_code == 0, result.output
    assert "demo.recruiter@northwind.example" in result.output
    links = [line.strip() for line in result.output.splitlines() if "/t/" in line]
    assert len(links) == 3
    assert client.get(links[0].removeprefix("http://127.0.0.1:5000")).status_code == 200
    finished = db_session.scalar(select(func.count()).select_from(Attempt))
    assert finished >= 4
    assert db_session.scalar(select(func.count()).select_from(ScoringJob)) == finished
    # a second run adds fresh links but no duplicate candidates, and a new password
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    db_session.rollback()  # see what the second run committed
    assert db_session.scalar(select(func.count()).select_from(Attempt)) == finished
    assert db_session.scalar(select(func.count()).select_from(Invitation)) == finished + 6


def test_languagetool_install_is_idempotent_and_status_tells_the_truth(app, runner):
    from tests.plugins.languagetool_server import languagetool_home

    home = languagetool_home()
    app.config["LANGUAGETOOL_HOME"] = str(home)
    result = runner.invoke(args=["languagetool", "install"])
    assert result.exit_code == 0, result.output
    assert "LanguageTool 6.8 is installed" in result.output
    app.config["LANGUAGETOOL_URLS"] = ["http://127.0.0.1:9"]
    result = runner.invoke(args=["languagetool", "status"])
    assert result.exit_code == 1
    assert "local server: not running" in result.output and "does not answer" in result.output


def test_languagetool_status_sees_a_running_server(app, runner, languagetool_url):
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    result = runner.invoke(args=["languagetool", "status"])
    assert result.exit_code == 0 and "answers" in result.output
