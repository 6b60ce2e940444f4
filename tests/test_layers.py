"""The package's imports run one way: the shell (app factory, web shell, commands, the worker
process) may import the three paths; the recruiter's path may import the scoring path's and the
candidate's; the scoring path the candidate's; all of them the core (models, database, banks,
the pure scoring engine); the core none of them. A reader can then follow one path without the
others, and a change in the recruiter's pages cannot break a candidate's save."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assessor"

# Lower may not import higher. Prefixes are matched longest first.
LAYERS = {
    "core": 0,
    "candidate": 1,
    "queue": 2,
    "recruiter": 3,
    "shell": 4,
}
PLACES = {
    "assessor.candidate": "candidate",
    "assessor.queue": "queue",
    "assessor.recruiter": "recruiter",
    "assessor.web": "shell",
    "assessor.web.errors": "core",  # error pages and JSON errors: every view's, imports no path
    "assessor.commands": "shell",
    "assessor.cli": "shell",
    "assessor.worker": "shell",
    "assessor.scoring_bench": "shell",
    "assessor": "core",  # everything else: models, db, config, errors, banks, scoring, ...
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def place(module: str) -> str:
    if module == "assessor":  # the package itself: create_app
        return "shell"
    for prefix in sorted(PLACES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return PLACES[prefix]
    raise AssertionError(module)


def imports_of(path: Path) -> set[str]:
    """Every assessor module the file imports, at the top or inside a function."""
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("assessor"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.startswith("assessor"):
                modules = {f"{base}.{a.name}" for a in node.names if _exists(f"{base}.{a.name}")}
                found.update(modules)  # `from x import module` imports the module
                if len(modules) < len(node.names):
                    found.add(base)  # and names defined in x itself
    return {name for name in found if _exists(name)}


def _exists(module: str) -> bool:
    path = PACKAGE.parent / Path(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path):
    mine = place(module_name(path))
    upward = sorted(
        f"{name} ({place(name)})" for name in imports_of(path) if LAYERS[place(name)] > LAYERS[mine]
    )
    assert not upward, f"{module_name(path)} ({mine}) imports {upward}"


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The test above would catch a model that reaches into a path (it reads relative imports
    too), so its silence means something."""
    fake = PACKAGE / "models" / "__init__.py"
    source = "from ..recruiter.services import review\nfrom assessor.queue import jobs\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert {"assessor.recruiter.services.review", "assessor.queue.jobs"} <= imports_of(fake)
    assert place("assessor.models") == "core" and place("assessor.queue.jobs") == "queue"


def test_every_path_has_its_views_services_and_templates_together():
    assert (PACKAGE / "candidate" / "views.py").exists()
    assert (PACKAGE / "candidate" / "templates" / "candidate" / "attempt.html").exists()
    assert (PACKAGE / "recruiter" / "views" / "review.py").exists()
    assert (PACKAGE / "recruiter" / "services" / "review.py").exists()
    assert (PACKAGE / "recruiter" / "templates" / "review" / "attempt.html").exists()
    assert (PACKAGE / "queue" / "jobs.py").exists()
    assert not (PACKAGE / "services").exists()  # no flat list of use cases any more


VIEWS = sorted(
    [PACKAGE / "candidate" / "views.py", *(PACKAGE / "recruiter" / "views").glob("*.py")]
)
# _open ends the request's read transaction before finalising an overdue attempt in a write
# transaction of its own (SQLite allows one writer): it releases, it does not decide.
RELEASES = {"candidate/views.py": 1}


@pytest.mark.parametrize("path", VIEWS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_views_leave_their_transactions_to_the_use_cases(path):
    """Services own their transactions (`assessor.db.use_case`): a view parses, calls, renders."""
    source = path.read_text(encoding="utf-8")
    ends = re.findall(r"\.(?:commit|rollback)\(\)", source)
    assert len(ends) == RELEASES.get(str(path.relative_to(PACKAGE)), 0), ends
