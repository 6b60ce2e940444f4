"""Task completion: word limits, required points, register and tone, form fields, corrections.

Each public function takes one task (from `assessor.question_banks`) and the candidate's answer and
returns a frozen dataclass that keeps its evidence: which cue matched in which sentence, which field
was wrong and why, which words a correction changed outside the error.

Modules: `reply` (e-mail and chat), `letter` (greeting, closing, signature), `register` (tone),
`cues` and `lexicon` (finding a point's cues), `forms` and `values` (form fields),
`corrections`, and `text` (cleaning, counting, folding and stemming shared by all).
"""

from assessor.scoring.task.corrections import (
    Change,
    CorrectionResult,
    ItemResult,
    assess_corrections,
)
from assessor.scoring.task.forms import FieldResult, FormCompletion, assess_form
from assessor.scoring.task.register import Register
from assessor.scoring.task.reply import (
    PointCoverage,
    ReplyCompletion,
    WordCount,
    assess_reply,
)
from assessor.scoring.task.text import MAX_ANALYSED_CHARS, clean_text, count_words
from assessor.scoring.task.values import parse_amount, parse_date

__all__ = [
    "MAX_ANALYSED_CHARS",
    "Change",
    "CorrectionResult",
    "FieldResult",
    "FormCompletion",
    "ItemResult",
    "PointCoverage",
    "Register",
    "ReplyCompletion",
    "WordCount",
    "assess_corrections",
    "assess_form",
    "assess_reply",
    "clean_text",
    "count_words",
    "parse_amount",
    "parse_date",
]
