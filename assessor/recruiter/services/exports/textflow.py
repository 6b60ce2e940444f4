"""Flowing text with coloured spans in an fpdf2 document: a candidate's answer with the
LanguageTool matches shaded where they are, each followed by its number in the issue list.

fpdf2's ``write`` and ``multi_cell`` cannot shade part of a line, so this lays out words itself:
greedy line filling, breaks at whitespace only, words longer than a line cut where they must.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fpdf import FPDF

# Lines break at whitespace, except no-break spaces (French puts them before « : ; ! ? »).
_BREAKABLE = r"[^\S\u00a0\u202f\u2007]"
_RUNS = re.compile(rf"{_BREAKABLE}+|(?:(?!{_BREAKABLE}).)+", re.DOTALL)
_RUNS_SPACE = re.compile(rf"{_BREAKABLE}+")
LABEL_SCALE = 0.7


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    fill: tuple[int, int, int]
    label: str  # shown raised after the span, e.g. "3"


@dataclass
class _Piece:
    text: str
    fill: tuple[int, int, int] | None = None
    label: str | None = None  # a raised marker instead of text

    def width(self, pdf: FPDF) -> float:
        if self.label is None:
            return pdf.get_string_width(self.text)
        size = pdf.font_size_pt
        pdf.set_font_size(size * LABEL_SCALE)
        try:
            return pdf.get_string_width(self.label) + 0.5
        finally:
            pdf.set_font_size(size)


def write_marked(pdf: FPDF, text: str, marks: list[Mark], line_height: float) -> None:
    """Write ``text`` from the current position to the left margin's line below, shading each
    mark (sorted, non-overlapping) and raising its label after it."""
    # Shading must start and end where the text does: no cell padding, and the text column
    # narrowed by that padding instead, so that it lines up with the cells around it.
    margin, left, right = pdf.c_margin, pdf.l_margin, pdf.r_margin
    pdf.c_margin = 0
    pdf.set_left_margin(left + margin)
    pdf.set_right_margin(right + margin)
    pdf.set_x(max(pdf.get_x(), left + margin))
    try:
        _write(pdf, text, marks, line_height)
    finally:
        pdf.c_margin = margin
        pdf.set_left_margin(left)
        pdf.set_right_margin(right)
    pdf.ln(line_height)


def _write(pdf: FPDF, text: str, marks: list[Mark], line_height: float) -> None:
    words: list[list[_Piece]] = [[]]
    for piece in _pieces(text, marks):
        if piece.label is None and _RUNS_SPACE.fullmatch(piece.text):
            words.append([piece])
            words.append([])
        else:
            words[-1].append(piece)
    for word in words:
        if not word:
            continue
        if len(word) == 1 and word[0].label is None and _RUNS_SPACE.fullmatch(word[0].text):
            _write_space(pdf, word[0], line_height)
        else:
            _write_word(pdf, word, line_height)


def _pieces(text: str, marks: list[Mark]) -> list[_Piece]:
    """Split the text at mark edges and at whitespace; add a label piece after each mark
    that has one."""
    pieces: list[_Piece] = []
    position = 0
    for mark in marks:
        pieces += [_Piece(run) for run in _RUNS.findall(text[position : mark.start])]
        pieces += [_Piece(run, mark.fill) for run in _RUNS.findall(text[mark.start : mark.end])]
        if mark.label:  # a span that continues in the next one carries no label yet
            pieces.append(_Piece("", mark.fill, mark.label))
        position = mark.end
    pieces += [_Piece(run) for run in _RUNS.findall(text[position:])]
    return pieces


def _write_space(pdf: FPDF, piece: _Piece, line_height: float) -> None:
    breaks = piece.text.count("\n")
    if breaks:
        pdf.ln(line_height * (1 if breaks == 1 else 1.6))
        return
    if pdf.get_x() > pdf.l_margin + 0.01:  # no space at the start of a line
        width = pdf.get_string_width(" ")
        if pdf.get_x() + width <= pdf.w - pdf.r_margin:
            _cell(pdf, " ", width, line_height, piece.fill)


def _write_word(pdf: FPDF, word: list[_Piece], line_height: float) -> None:
    right = pdf.w - pdf.r_margin
    width = sum(piece.width(pdf) for piece in word)
    if pdf.get_x() + width > right and pdf.get_x() > pdf.l_margin + 0.01:
        pdf.ln(line_height)
    for piece in word:
        if piece.label is not None:
            _label(pdf, piece, line_height)
            continue
        text = piece.text
        while text:  # a word longer than the line is cut where the line ends
            room = right - pdf.get_x()
            fit = _fitting(pdf, text, room)
            if fit == 0:
                pdf.ln(line_height)
                fit = max(1, _fitting(pdf, text, right - pdf.l_margin))
            chunk, text = text[:fit], text[fit:]
            _cell(pdf, chunk, pdf.get_string_width(chunk), line_height, piece.fill)


def _fitting(pdf: FPDF, text: str, room: float) -> int:
    if pdf.get_string_width(text) <= room:
        return len(text)
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits
        middle = (low + high + 1) // 2
        if pdf.get_string_width(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _label(pdf: FPDF, piece: _Piece, line_height: float) -> None:
    """The issue's number, small and raised, in a darker shade of its colour."""
    width = piece.width(pdf)
    if pdf.get_x() + width > pdf.w - pdf.r_margin:
        pdf.ln(line_height)
    x, size = pdf.get_x(), pdf.font_size_pt
    baseline = pdf.get_y() + line_height / 2 + pdf.font_size * 0.1
    pdf.set_text_color(*(max(0, c - 140) for c in piece.fill or (0, 0, 0)))
    pdf.set_font_size(size * LABEL_SCALE)
    pdf.text(x + 0.25, baseline, piece.label or "")
    pdf.set_font_size(size)
    pdf.set_text_color(0, 0, 0)
    pdf.set_x(x + width)


def _cell(pdf: FPDF, text: str, width: float, height: float, fill) -> None:
    if fill is not None:
        pdf.set_fill_color(*fill)
    pdf.cell(width, height, text, fill=fill is not None, new_x="RIGHT", new_y="TOP")
