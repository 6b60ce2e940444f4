"""The commands of the ``assessor`` CLI, one module per concern."""

from assessor.commands.banks import banks
from assessor.commands.calibrate import calibrate
from assessor.commands.database import db
from assessor.commands.demo import demo
from assessor.commands.export import export
from assessor.commands.languagemodel import languagemodel
from assessor.commands.languagetool import languagetool
from assessor.commands.scoring import bench, evaluate, scoring
from assessor.commands.serve import run, sweep, worker
from assessor.commands.users import recruiters
from assessor.commands.webhooks import webhooks

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
