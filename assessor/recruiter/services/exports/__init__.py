"""Exports for hiring: result rows streamed to CSV, XLSX or JSON, and a PDF report per candidate.

``export_rows`` reads in batches and the writers stream, so an export of tens of thousands of
candidates holds one batch in memory, not the whole table.
"""

from assessor.recruiter.services.exports.report import ReportError, write_pdf_report
from assessor.recruiter.services.exports.rows import COLUMNS, ExportFilters, export_rows
from assessor.recruiter.services.exports.writers import (
    WRITERS,
    neutralise,
    write_csv,
    write_json,
    write_xlsx,
)

__all__ = [
    "COLUMNS",
    "WRITERS",
    "ExportFilters",
    "ReportError",
    "export_rows",
    "neutralise",
    "write_csv",
    "write_json",
    "write_pdf_report",
    "write_xlsx",
]
