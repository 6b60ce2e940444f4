"""What a question bank is once loaded: frozen dataclasses and their JSON snapshot form."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Union

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
_CHILD_TYPES: dict[str, type] = {"points": Point, "fields": FormField, "items": CorrectionItem}


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
        """JSON-ready data (lists, not tuples) that `from_dict` turns back into an equal bank."""
        return _plain(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bank:
        """Rebuild a bank from `to_dict()` output, e.g. the snapshot an attempt kept.

        Snapshots are history: rebuilt as they were, not re-validated against today's rules.
        """
        try:
            return _bank_from_dict(data)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            problem = BankProblem("<snapshot>", None, None, f"is not a bank snapshot ({exc!r})")
            raise BankError([problem]) from exc


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _bank_from_dict(data: Mapping[str, Any]) -> Bank:
    readability = data.get("readability")
    values = dict(data)
    values["readability"] = None if readability is None else _build(Readability, readability)
    values["tasks"] = [_build(TASK_TYPES[task["kind"]], task) for task in data["tasks"]]
    return _build(Bank, values)


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            value = data[f.name]
        elif f.default is not dataclasses.MISSING:  # a field added after the snapshot was taken
            value = f.default
        else:
            raise KeyError(f.name)
        if f.name in _CHILD_TYPES:
            value = tuple(_build(_CHILD_TYPES[f.name], item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        values[f.name] = value
    return cls(**values)
