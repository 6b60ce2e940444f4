"""The app factory: configuration precedence, instance folders, migrations and /healthz."""

from __future__ import annotations

import pytest

from assessor import create_app, migrate
from assessor.db import database


def test_config_precedence_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("GRACE_SECONDS = 45\nAUTOSAVE_SECONDS = 7\n")
    monkeypatch.setenv("ASSESSOR_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("ASSESSOR_AUTOSAVE_SECONDS", "12")
    monkeypatch.setenv("ASSESSOR_SECRET_KEY", "s" * 40)
    app = create_app()
    assert app.instance_path == str(instance)
    assert app.config["GRACE_SECONDS"] == 45  # instance file over default
    assert app.config["AUTOSAVE_SECONDS"] == 12  # environment over instance file
    assert app.config["INVITATION_VALID_DAYS"] == 14  # default
    assert app.config["SECRET_KEY"] == "s" * 40
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'assessor.db'}"


def test_database_url_and_secret_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESSOR_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ASSESSOR_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("ASSESSOR_SECRET_KEY", "e" * 40)
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("other.db")


def test_secret_key_file_written_by_setup_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSESSOR_SECRET_KEY", raising=False)
    monkeypatch.setenv("ASSESSOR_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "secret_key").write_text("f" * 64 + "\n")
    assert create_app().config["SECRET_KEY"] == "f" * 64


def test_models_and_migrations_agree(app):
    assert migrate.drift(app) == []


def test_migrations_run_on_an_empty_sqlite_database(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"})
    migrate.upgrade(app)
    assert migrate.drift(app) == []
    with database(app).engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    assert mode == "wal"


def test_db_check_command_reports_drift(app, runner, monkeypatch):
    assert runner.invoke(args=["db", "check"]).exit_code == 0
    monkeypatch.setattr(migrate, "drift", lambda app: ["add_column extra"])
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 1 and "drift" in result.output


def test_healthz_reports_database_queue_and_languagetool_down(app, client):
    app.config["LANGUAGETOOL_URLS"] = ["http://127.0.0.1:9"]  # nothing listens on the discard port
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["database"]["ok"] is True
    assert body["queue"] == {"ok": True, "pending": 0, "running": 0, "done": 0, "failed": 0}
    assert body["languagetool"]["ok"] is False


@pytest.mark.languagetool
def test_healthz_is_ok_with_a_real_languagetool(app, client, languagetool_url):
    app.config["LANGUAGETOOL_URLS"] = [languagetool_url]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["ok"] is True


def test_errors_never_show_a_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    api = client.get("/boom", headers={"Accept": "application/json"})
    assert api.get_json()["error"]["code"] == "internal_error"
