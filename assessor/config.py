"""Every setting Assessor reads, with safe defaults.

Order of precedence (later wins): the defaults below, then ``instance/config.py``, then
``ASSESSOR_*`` environment variables (``ASSESSOR_DATABASE_URL`` sets ``DATABASE_URL``; values that
parse as JSON, such as ``ASSESSOR_GRACE_SECONDS=60``, are read as JSON).
"""

from __future__ import annotations

from pathlib import Path

MIN_SECRET_KEY_LENGTH = 32
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 (refused outside debug)


class Defaults:
    SECRET_KEY = None  # required outside debug/testing; `make setup` writes instance/secret_key
    DATABASE_URL = None  # default: sqlite:///<instance>/assessor.db
    SQL_ECHO = False

    # Sessions and cookies: secure by default; the embedded default on plain-HTTP loopback turns
    # SESSION_COOKIE_SECURE off in its instance/config.py.
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = None  # a candidate's page may stay open for hours; tied to the session

    # Requests: a save batch may carry several answers; one answer may not exceed ANSWER_MAX_BYTES.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    ANSWER_MAX_BYTES = 1_000_000
    EVENTS_MAX_PER_SAVE = 500

    # Proxies in front of the app that set X-Forwarded-For and X-Forwarded-Proto (nginx: 1).
    # With 0 those headers are ignored; behind nginx, 0 would rate-limit every client as one
    # (the proxy's address) and never see HTTPS. Never more than there are: clients could then
    # forge their address.
    PROXY_HOPS = 0

    # Rate limits (Flask-Limiter). With several gunicorn workers use a shared store: redis://...
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "5 per minute;30 per hour"
    RATELIMIT_HEADERS_ENABLED = True
    API_RATE_LIMIT = "300 per minute"  # per API token
    API_AUTH_FAILURE_LIMIT = "30 per minute"  # refused API tokens, per address

    # Tests and attempts
    INVITATION_VALID_DAYS = 14  # the default expiry of a link; recruiters choose 1 to 365 days

    # E-mail for invitations. Without SMTP_HOST and SMTP_FROM, links are shown to copy and send.
    SMTP_HOST = None
    SMTP_PORT = None  # default: 587, or 465 with SMTP_SECURITY = "ssl"
    SMTP_SECURITY = "starttls"  # starttls | ssl | none (plain: only for a relay on loopback)
    SMTP_USERNAME = None  # no login when unset
    SMTP_PASSWORD = None
    SMTP_FROM = None  # e.g. "Northwind Recruiting <jobs@northwind.example>"
    SMTP_TIMEOUT_SECONDS = 10
    GRACE_SECONDS = 30  # absorbs network lag after the deadline
    AUTOSAVE_SECONDS = 10

    # Scoring queue
    WORKER_LEASE_SECONDS = 60
    WORKER_POLL_SECONDS = 1.0
    JOB_MAX_TRIES = 5
    JOB_BACKOFF_SECONDS = 10  # doubled on every failed try

    # Webhooks ("result.ready" to an ATS). BASE_URL is where recruiters reach Assessor, e.g.
    # "https://assessor.example.com": events carry a link to the result there (null when unset).
    BASE_URL = None
    WEBHOOK_TIMEOUT_SECONDS = 10
    WEBHOOK_MAX_TRIES = 8  # then the delivery is "failed" until someone retries it
    WEBHOOK_BATCH_SIZE = 10  # deliveries the worker sends between two scoring jobs, at most
    # Refuse endpoints on private, loopback and other non-global networks (SSRF). Link-local
    # and metadata addresses (169.254.0.0/16, fe80::/10) are refused even when this is True.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS = False

    # LanguageTool: the server we install and run ourselves (never language-tool-python's download)
    LANGUAGETOOL_URLS = None  # default: ["http://127.0.0.1:<LANGUAGETOOL_PORT>"]
    LANGUAGETOOL_PORT = 8081
    LANGUAGETOOL_HOME = None  # default: <instance>/languagetool
    LANGUAGETOOL_HEAP_MB = 1024
    LANGUAGETOOL_TIMEOUT_SECONDS = 20
    # The small language model that reads English answers for word order (assessor languagemodel)
    LANGUAGE_MODEL_HOME = None  # default: <instance>/languagemodel
    # Workers read English answers with it when it is installed (its cost in time and memory:
    # README, "Scoring speed"); False scores faster with the model's plain parts.
    SCORING_LANGUAGE_MODEL = True
    # llama.cpp threads per forward pass: 1 shares the cores best with LanguageTool and the other
    # workers; more shortens one answer's wait on a host with idle cores
    LANGUAGE_MODEL_THREADS = 1

    # Pass marks per bank id (slug), shown on the dashboard as pass / review / fail, e.g.
    # {"support-en": {"overall": 65, "typing_wpm": 30, "typing_accuracy": 0.9, "review_margin": 5}}.
    # Banks not listed: overall >= 60, review within 5 points below.
    PASS_MARKS: dict = {}

    BABEL_DEFAULT_LOCALE = "en"
    SUPPORTED_LOCALES = ("en", "fr")
    QUESTION_BANKS_DIR = None  # default: <project>/question_banks


def load_config(app) -> None:
    """Fill ``app.config`` from defaults, instance/config.py and the environment."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    key_file = Path(app.instance_path) / "secret_key"
    if app.config.get("SECRET_KEY") is None and key_file.is_file():
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config.from_prefixed_env("ASSESSOR")
    _fill_derived(app)


def _fill_derived(app) -> None:
    instance = Path(app.instance_path)
    cfg = app.config
    if not cfg.get("DATABASE_URL"):
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'assessor.db'}"
    if not cfg.get("LANGUAGETOOL_HOME"):
        cfg["LANGUAGETOOL_HOME"] = str(instance / "languagetool")
    if not cfg.get("LANGUAGE_MODEL_HOME"):
        cfg["LANGUAGE_MODEL_HOME"] = str(instance / "languagemodel")
    if not cfg.get("LANGUAGETOOL_URLS"):
        cfg["LANGUAGETOOL_URLS"] = [f"http://127.0.0.1:{cfg['LANGUAGETOOL_PORT']}"]
    elif isinstance(cfg["LANGUAGETOOL_URLS"], str):
        cfg["LANGUAGETOOL_URLS"] = [
            u.strip() for u in cfg["LANGUAGETOOL_URLS"].split(",") if u.strip()
        ]
    if str(cfg.get("SMTP_SECURITY")).lower() not in ("starttls", "ssl", "none"):
        raise ConfigError("SMTP_SECURITY must be starttls, ssl or none.")
    if not cfg.get("QUESTION_BANKS_DIR"):
        cfg["QUESTION_BANKS_DIR"] = str(Path(app.root_path).parent / "question_banks")


class ConfigError(RuntimeError):
    """A setting makes it unsafe or impossible to start."""


def check_secret_key(app) -> None:
    """Refuse to run outside debug/testing with a missing, default or short secret key."""
    if app.debug or app.testing:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = DEV_SECRET_KEY
        return
    key = app.config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "Refusing to start: set a random SECRET_KEY of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters (ASSESSOR_SECRET_KEY, instance/config.py, "
            "or instance/secret_key written by `make setup`)."
        )
