"""CSV, XLSX and JSON writers that stream rows and never let a spreadsheet run a formula.

A candidate's name or e-mail is typed by the candidate (or a recruiter): a cell such as
``=HYPERLINK("http://x","y")`` must stay text. CSV has no cell types, so text that a spreadsheet
would read as a formula gets a leading ``'`` (OWASP "CSV injection"); in XLSX every text cell is
written as a string, never a formula or a link. Numbers stay numbers in all three formats.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

import xlsxwriter

from assessor.recruiter.services.exports.rows import COLUMNS

# Spreadsheets start a formula (or DDE call) at any of these; OWASP lists exactly these six.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_XLSX_WIDTHS = {"candidate_name": 28, "candidate_email": 30, "bank_title": 36, "organisation": 24}


def neutralise(value: str) -> str:
    """Text a spreadsheet would evaluate, made inert with a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    return value


def write_csv(
    rows: Iterable[Mapping[str, Any]], fileobj: IO[str], columns: Sequence[str] = COLUMNS
) -> int:
    """Write a header and the rows to a text file (open it with ``newline=""``); returns the
    number of rows. Empty values are empty cells."""
    counter = _Counter(rows)
    for chunk in csv_chunks(counter, columns):
        fileobj.write(chunk)
    return counter.count


def csv_chunks(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = COLUMNS, size: int = 64 * 1024
) -> Iterator[str]:
    """The CSV text in pieces of about ``size`` characters, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in columns])
        if buffer.tell() >= size:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class _Counter:
    """Counts the rows it passes on."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def write_xlsx(
    rows: Iterable[Mapping[str, Any]], path_or_fileobj: Any, columns: Sequence[str] = COLUMNS
) -> int:
    """Write one worksheet in xlsxwriter's constant-memory mode (each row is flushed to a
    temporary file once written); returns the number of rows."""
    workbook = xlsxwriter.Workbook(
        path_or_fileobj,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    try:
        sheet = workbook.add_worksheet("Results")
        bold = workbook.add_format({"bold": True})
        for col, name in enumerate(columns):
            sheet.set_column(col, col, _XLSX_WIDTHS.get(name, max(10, len(name) + 2)))
            sheet.write_string(0, col, name, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, name in enumerate(columns):
                _write_xlsx_cell(sheet, count, col, row.get(name))
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    finally:
        workbook.close()
    return count


def _write_xlsx_cell(sheet: Any, row: int, col: int, value: Any) -> None:
    if value is None:
        return  # constant_memory writes nothing for a missing cell: it is empty
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))  # a string, whatever it starts with


def write_json(
    rows: Iterable[Mapping[str, Any]], fileobj: IO[str], columns: Sequence[str] = COLUMNS
) -> int:
    """Write a JSON array of objects, one row at a time (never the whole list in memory);
    returns the number of rows. Missing values are null."""
    fileobj.write("[")
    count = 0
    for count, row in enumerate(rows, start=1):
        item = {name: row.get(name) for name in columns}
        fileobj.write(
            ("\n" if count == 1 else ",\n") + json.dumps(item, ensure_ascii=False, allow_nan=False)
        )
    fileobj.write("\n]\n" if count else "]\n")
    return count


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}
