"""Read bank files from disk: size, encoding and TOML syntax first, then the bank's own rules."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Union

from assessor.question_banks.model import Bank, BankError, BankProblem
from assessor.question_banks.validation import parse_bank

MAX_FILE_BYTES = 1024 * 1024
PathLike = Union[str, os.PathLike]  # noqa: UP007
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*\Z")


def load_bank(path: PathLike) -> Bank:
    """Load one bank file; raise BankError listing every problem in it."""
    bank, problems = _read_bank(Path(path), str(path))
    if problems:
        raise BankError(problems)
    return bank


def load_banks(directory: PathLike) -> list[Bank]:
    """Load every `*.toml` bank in a directory, sorted by file name; raise BankError on problems."""
    banks, problems = _read_all(_bank_paths(directory))
    if problems:
        raise BankError(problems)
    return banks


def check_banks(paths_or_dir: PathLike | Iterable[PathLike]) -> list[BankProblem]:
    """Every problem in the given bank files or directories, including bank ids used twice."""
    roots = [paths_or_dir] if isinstance(paths_or_dir, str | os.PathLike) else list(paths_or_dir)
    problems: list[BankProblem] = []
    paths: list[Path] = []
    for root in roots:
        found = _bank_paths(root)
        if not found and Path(root).is_dir():
            problems.append(BankProblem(str(root), None, None, "holds no *.toml bank files"))
        paths.extend(found)
    return problems + _read_all(paths)[1]


def _bank_paths(root: PathLike) -> list[Path]:
    path = Path(root)
    return sorted(path.glob("*.toml")) if path.is_dir() else [path]


def _read_all(paths: Iterable[Path]) -> tuple[list[Bank], list[BankProblem]]:
    banks: list[Bank] = []
    problems: list[BankProblem] = []
    owners: dict[str, str] = {}
    for path in paths:
        bank, found = _read_bank(path, str(path))
        problems.extend(found)
        if bank is None:
            continue
        if bank.id in owners:
            message = f"bank id {bank.id!r} is already used by {owners[bank.id]}"
            problems.append(BankProblem(str(path), None, "id", message))
            continue
        owners[bank.id] = str(path)
        banks.append(bank)
    return banks, problems


def _read_bank(path: Path, name: str) -> tuple[Bank | None, list[BankProblem]]:
    def fail(message: str) -> tuple[None, list[BankProblem]]:
        return None, [BankProblem(name, None, None, message)]

    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return fail(f"cannot be read: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:
        return fail(
            f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; a bank should be far smaller"
        )
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        return fail(f"is not UTF-8 text (invalid byte at offset {exc.start}); save it as UTF-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return fail(f"is not valid TOML: {_toml_message(exc)}")
    except RecursionError:
        return fail("is not valid TOML: values are nested too deeply")
    return parse_bank(data, name)


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    where = _TOML_WHERE.search(message)
    if where is None:
        return message
    line, column = where.groups()
    return f"line {line}, column {column}: {message[: where.start()]}"
