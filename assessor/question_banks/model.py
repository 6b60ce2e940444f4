"""What a question bank is once loaded: frozen dataclasses and their JSON snapshot form."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Union

import cattrs

from assessor.structured import fill_missing, json_converter

LANGUAGES = ("en-US", "en-GB", "fr")
TASK_KINDS = ("email", "chat", "form", "correction", "typing")
TONES = ("formal", "friendly")
FIELD_TYPES = ("text", "date", "amount", "number", "email", "choice")


@dataclasses.dataclass(frozen=True)
class BankProblem:
    """One thing wrong with a bank file, located as precisely as we can."""

    file: str
    question_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.question_id is not None:
            # "#3" is a task without a usable id, named by its position.
            qid = self.question_id
            where.append(f"task {qid}" if qid.startswith("#") else f"task '{qid}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = f"{self.file}: {', '.join(where)}" if where else self.file
        return f"{prefix}: {self.message}"


class BankError(Exception):
    """Every problem found in one or more bank files, so that authors fix them in one pass."""

    def __init__(self, problems: Iterable[BankProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclasses.dataclass(frozen=True)
class Readability:
    min_grade: float
    max_grade: float


@dataclasses.dataclass(frozen=True)
class Point:
    id: str
    description: str
    cues: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class EmailTask:
    id: str
    kind: str  # "email" or "chat"
    title: str
    instructions: str
    customer_message: str
    min_words: int
    max_words: int
    tone: str
    points: tuple[Point, ...]


@dataclasses.dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    accepted: tuple[str, ...]
    choices: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class FormTask:
    id: str
    kind: str
    title: str
    instructions: str
    document: str
    fields: tuple[FormField, ...]


@dataclasses.dataclass(frozen=True)
class CorrectionItem:
    id: str
    sentence: str
    accepted: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class CorrectionTask:
    id: str
    kind: str
    title: str
    instructions: str
    items: tuple[CorrectionItem, ...]


@dataclasses.dataclass(frozen=True)
class TypingTask:
    id: str
    kind: str
    title: str
    instructions: str
    passage: str


Task = Union[EmailTask, FormTask, CorrectionTask, TypingTask]  # noqa: UP007

TASK_TYPES: dict[str, type] = {
    "email": EmailTask,
    "chat": EmailTask,
    "form": FormTask,
    "correction": CorrectionTask,
    "typing": TypingTask,
}


@dataclasses.dataclass(frozen=True)
class Bank:
    id: str
    version: int
    title: str
    language: str
    time_limit_minutes: int
    description: str
    readability: Readability | None
    tasks: tuple[Task, ...]

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(task_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (lists, not tuples) that `from_dict` turns back into an equal bank:
        what a bank row stores and what an attempt keeps of what it showed, with the schema
        version of this form."""
        return {"schema": SNAPSHOT_SCHEMA, **_converter.unstructure(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bank:
        """The bank stored as ``data`` (schema 1, written before the key, or 2), e.g. the
        snapshot an attempt kept: rebuilt as it was, not re-validated against today's rules
        (a field added since reads as its default)."""
        version = data.get("schema", 1) if isinstance(data, Mapping) else None
        if version not in (1, SNAPSHOT_SCHEMA):
            problem = BankProblem("<snapshot>", None, None, f"has no readable schema ({version!r})")
            raise BankError([problem])
        fields = {key: value for key, value in data.items() if key != "schema"}
        if version == 1:  # written by older code: what it did not write reads as its default
            if not isinstance(fields.get("tasks"), list):
                problem = BankProblem("<snapshot>", None, None, "is not a bank snapshot (no tasks)")
                raise BankError([problem])
            fields = fill_missing(fields, Bank, _task_type)
        try:
            return _converter.structure(fields, Bank)
        except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as exc:
            problem = BankProblem("<snapshot>", None, None, f"is not a bank snapshot ({exc!r})")
            raise BankError([problem]) from exc


SNAPSHOT_SCHEMA = 2


def _task_type(union: Any, data: Any) -> type | None:
    kind = data.get("kind") if isinstance(data, Mapping) else None
    return TASK_TYPES.get(kind) if isinstance(kind, str) else None  # a list is no kind


def _make_converter() -> cattrs.Converter:
    converter = json_converter()
    # A task is one of four kinds; its "kind" says which (email and chat share one class).
    converter.register_structure_hook(
        Task, lambda data, _: converter.structure(data, TASK_TYPES[data["kind"]])
    )
    return converter


_converter = _make_converter()
