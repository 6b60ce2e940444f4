"""Question banks: load and validate `question_banks/*.toml` into frozen dataclasses.

The format is described in `question_banks/README.md` and `docs/architecture.md`.
"""

from assessor.question_banks.checker import MAX_TEXT
from assessor.question_banks.loading import MAX_FILE_BYTES, check_banks, load_bank, load_banks
from assessor.question_banks.model import (
    FIELD_TYPES,
    LANGUAGES,
    TASK_KINDS,
    TONES,
    Bank,
    BankError,
    BankProblem,
    CorrectionItem,
    CorrectionTask,
    EmailTask,
    FormField,
    FormTask,
    Point,
    Readability,
    Task,
    TypingTask,
)
from assessor.question_banks.validation import parse_bank

__all__ = [
    "FIELD_TYPES",
    "LANGUAGES",
    "MAX_FILE_BYTES",
    "MAX_TEXT",
    "TASK_KINDS",
    "TONES",
    "Bank",
    "BankError",
    "BankProblem",
    "CorrectionItem",
    "CorrectionTask",
    "EmailTask",
    "FormField",
    "FormTask",
    "Point",
    "Readability",
    "Task",
    "TypingTask",
    "check_banks",
    "load_bank",
    "load_banks",
    "parse_bank",
]
