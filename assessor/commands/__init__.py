"""The commands of the ``assessor`` CLI, one module per concern."""

from .banks import banks
from .database import db
from .demo import demo
from .languagetool import languagetool
from .serve import run, sweep, worker
from .users import recruiters

COMMANDS = [banks, db, demo, languagetool, recruiters, run, sweep, worker]
