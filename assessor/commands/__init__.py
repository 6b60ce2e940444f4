"""The commands of the ``assessor`` CLI, one module per concern."""

from .banks import banks
from .calibrate import calibrate
from .database import db
from .demo import demo
from .export import export
from .languagemodel import languagemodel
from .languagetool import languagetool
from .scoring import bench, evaluate, scoring
from .serve import run, sweep, worker
from .users import recruiters
from .webhooks import webhooks

COMMANDS = [
    banks,
    bench,
    calibrate,
    db,
    demo,
    evaluate,
    export,
    languagemodel,
    languagetool,
    recruiters,
    run,
    scoring,
    sweep,
    webhooks,
    worker,
]
