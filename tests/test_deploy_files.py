"""The deployment files (deploy/): the systemd units pass systemd's own check and run real
`assessor` commands; the nginx site passes `nginx -t` and, run for real in front of gunicorn,
serves the app over TLS with HTTPS reaching it (PROXY_HOPS); the settings example
names real settings; the backup script's dump restores into a new database the app reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from assessor.config import Defaults
from tests.plugins.languagetool_server import free_port, unavailable

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
ASSESSOR = Path(sys.executable).parent / "assessor"


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if found is None:
        unavailable(f"{name} is not installed: run `make setup`.")
    return found


def _units_here(tmp_path: Path) -> list[Path]:
    """The units with /opt/assessor pointing at this checkout, templates instantiated."""
    out = []
    for unit in UNITS:
        text = unit.read_text().replace("/opt/assessor", str(ROOT))
        name = unit.name.replace("@.service", "@8081.service")
        (tmp_path / name).write_text(text)
        out.append(tmp_path / name)
    return out


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = _tool("systemd-analyze")
    units = _units_here(tmp_path)
    assert {u.name for u in units} >= {
        "assessor-web.service",
        "assessor-worker@8081.service",
        "assessor-languagetool@8081.service",
        "assessor-backup.service",
        "assessor-backup.timer",
    }
    result = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr
    # and the check is not blind: a misspelt key is reported
    broken = tmp_path / "assessor-broken.service"
    broken.write_text(
        (tmp_path / "assessor-web.service").read_text().replace("Restart=", "Restrat=")
    )
    found = subprocess.run(
        [analyze, "verify", "--man=no", str(broken)], capture_output=True, text=True, check=False
    )
    assert "Unknown key 'Restrat'" in found.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_every_command_a_unit_runs_exists_with_those_options(unit, tmp_path):
    lines = re.findall(r"^Exec\w+=(\S+)(.*)$", unit.read_text(), re.MULTILINE)
    assert lines
    env = os.environ | {  # what /etc/assessor/assessor.env gives the units
        "ASSESSOR_INSTANCE_PATH": str(tmp_path),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    for program, arguments in lines:
        arguments = arguments.replace("%i", "8081").split()
        if program.endswith("/.venv/bin/assessor"):
            result = subprocess.run(
                [str(ASSESSOR), *arguments, "--help"],
                capture_output=True,
                text=True,
                check=False,
                env=env,
            )
            assert result.returncode == 0, (arguments, result.stderr)
        else:
            assert (ROOT / program.removeprefix("/opt/assessor/")).is_file(), program


def test_the_settings_example_names_only_real_settings():
    names = re.findall(r"^#?(ASSESSOR_\w+)=", (DEPLOY / "assessor.env.example").read_text(), re.M)
    assert "ASSESSOR_PROXY_HOPS" in names and "ASSESSOR_RATELIMIT_STORAGE_URI" in names
    special = {"ASSESSOR_INSTANCE_PATH"}  # read before the configuration (assessor/__init__.py)
    unknown = [
        n for n in names if n not in special and not hasattr(Defaults, n[len("ASSESSOR_") :])
    ]
    assert unknown == []


def _site(tmp_path: Path, http: int, https: int, upstream: int) -> Path:
    """deploy/nginx/assessor.conf on free ports, a self-signed certificate, this checkout."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=assessor.example.com", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx/assessor.conf").read_text()
    for old, new in {
        "/etc/ssl/certs/assessor.example.com.pem": str(tmp_path / "cert.pem"),
        "/etc/ssl/private/assessor.example.com.key": str(tmp_path / "key.pem"),
        "/opt/assessor": str(ROOT),
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{upstream};",
    }.items():
        assert old in site, old
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    return conf


def test_the_nginx_site_passes_nginx_t(tmp_path):
    nginx = _tool("nginx")
    conf = _site(tmp_path, free_port(), free_port(), free_port())
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.slow
def test_nginx_in_front_of_gunicorn_passes_https_and_the_client_on(
    database_url, recruiter, tmp_path
):
    """The real thing: gunicorn with PROXY_HOPS=1 behind the site as shipped. The app sees
    HTTPS (HSTS), redirects plain HTTP, and nginx serves the static files itself."""
    nginx = _tool("nginx")
    http, https, upstream = free_port(), free_port(), free_port()
    conf = _site(tmp_path, http, https, upstream)
    env = os.environ | {
        "ASSESSOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "ASSESSOR_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "ASSESSOR_DATABASE_URL": database_url,
        "ASSESSOR_PROXY_HOPS": "1",
    }
    with (tmp_path / "web.log").open("wb") as log:
        web = subprocess.Popen(
            [str(ASSESSOR), "run", "--port", str(upstream), "--no-access-log"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    with (tmp_path / "nginx.log").open("wb") as log:
        proxy = subprocess.Popen(
            [nginx, "-p", str(tmp_path), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"https://127.0.0.1:{https}"
    try:
        certificate = str(tmp_path / "cert.pem")  # the site's own, checked
        page = _get_when_up(f"{base}/login", certificate, web, tmp_path)
        static = requests.get(f"{base}/static/app.css", verify=certificate, timeout=5)
        assert page.status_code == 200
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert static.status_code == 200 and "max-age=3600" in static.headers["Cache-Control"]
        plain = requests.get(f"http://127.0.0.1:{http}/login", allow_redirects=False, timeout=5)
        assert plain.status_code == 301
        assert plain.headers["Location"] == "https://127.0.0.1/login"
    finally:
        proxy.terminate()
        web.terminate()
        proxy.wait(timeout=30)
        web.wait(timeout=30)


def _get_when_up(url, certificate, web, tmp_path) -> requests.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            response = requests.get(url, verify=certificate, timeout=5)
            if response.status_code != 502:  # nginx is up before gunicorn is
                return response
        except requests.ConnectionError:
            pass
        if web.poll() is not None or time.monotonic() > deadline:
            pytest.fail((tmp_path / "web.log").read_text()[-2000:])
        time.sleep(0.2)


def _demo_instance(url: str, tmp_path: Path, name: str):
    from assessor import create_app, migrate

    saved = os.environ.get("ASSESSOR_INSTANCE_PATH")
    os.environ["ASSESSOR_INSTANCE_PATH"] = str(tmp_path / name)
    try:
        app = create_app(
            {"TESTING": True, "SECRET_KEY": "k" * 48, "DATABASE_URL": url, "CLOCK": None}
        )
    finally:
        os.environ["ASSESSOR_INSTANCE_PATH"] = saved
    app.config.pop("CLOCK")
    return app, migrate


def _contents(app) -> dict:
    """Every table's rows, as the app's database holds them."""
    from sqlalchemy import select

    from assessor.db import Base, database

    with database(app).engine.connect() as connection:
        return {
            table.name: sorted(map(repr, connection.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables
        }


def test_a_backup_restores_into_a_new_database_that_the_app_reads(new_database, tmp_path):
    """scripts/backup.sh (what assessor-backup.service runs), then the restore that
    docs/deployment.md gives: pg_restore into a new database (SQLite: the file copied back)."""
    from assessor.db import database

    source_url, restored_url = new_database(), new_database()
    source, migrate = _demo_instance(source_url, tmp_path, "source")
    runner = source.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0  # migrates, loads banks and attempts
    env = os.environ | {"ASSESSOR_DATABASE_URL": source_url}
    backups = tmp_path / "backups"
    made = [
        subprocess.run(
            [str(ROOT / "scripts/backup.sh"), str(backups), "2"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for _ in range(3)
    ]
    assert sorted(p.name for p in backups.iterdir()) == sorted(Path(m).name for m in made[1:])
    if source_url.startswith("postgresql"):
        subprocess.run(
            [_tool("pg_restore"), "--no-owner", "--exit-on-error"]
            + ["--dbname", "postgresql://" + restored_url.split("://", 1)[1], made[-1]],
            check=True,
            capture_output=True,
        )
    else:
        shutil.copyfile(made[-1], restored_url.removeprefix("sqlite:///"))
    restored, _ = _demo_instance(restored_url, tmp_path, "restored")
    try:
        migrate.require_schema(restored)  # migrated, current: the app starts on it
        original = _contents(source)
        assert sum(map(len, original.values())) > 50 and _contents(restored) == original
        exported = [
            app.test_cli_runner().invoke(
                args=["export", "results", "--format", "csv", "--output", str(tmp_path / name)]
            )
            for app, name in ((source, "a.csv"), (restored, "b.csv"))
        ]
        assert all(result.exit_code == 0 for result in exported)
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    finally:
        database(source).dispose()
        database(restored).dispose()
