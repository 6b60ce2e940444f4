"""Assessor: timed writing tests for back-office candidates, scored in the background.

Importing the package loads nothing else, so that ``assessor.scoring`` stays free of Flask.
"""

from __future__ import annotations

import os


def create_app(test_config: dict | None = None):
    from flask import Flask

    from assessor import config, db, i18n, redaction, security
    from assessor.cli import register_commands
    from assessor.web import register_blueprints

    redaction.install()
    instance_path = os.environ.get("ASSESSOR_INSTANCE_PATH") or None
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    config.load_config(app)
    if test_config:
        app.config.update(test_config)
    config.check_secret_key(app)
    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    register_blueprints(app)
    register_commands(app)
    return app
