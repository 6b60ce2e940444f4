"""What a candidate is asked about before submitting: tasks not answered, and written answers
outside their word limits. attempt.js keeps a copy of these rules (``unfinishedOnPage``) to
show the list at once from the live page; the server's list, from the saved answers, is the
one a submission is checked against."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from flask_babel import get_locale, get_translations, gettext

from assessor.question_banks import Task
from assessor.scoring.task import count_words  # the scorer's count: limits agree with the score

# The characters JavaScript's String.prototype.trim() removes, so that the page and the server
# agree on what is blank (Python's str.strip() also removes \x1c-\x1f and \x85, but not \ufeff).
SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"  # noqa: E501

# One number of each plural category in the languages we serve, from which the page gets one
# translation per category (see counted_forms).
PLURAL_SAMPLES = (0, 1, 2, 3, 5, 11, 21, 100, 101, 1_000_000)


@dataclass(frozen=True)
class Unfinished:
    """One task the candidate is asked about: ``kind`` is "unanswered", "uncorrected" (a
    correction task whose sentences are all as given), "too_short" or "too_long"; ``part`` is
    the field to go to."""

    task: str
    title: str
    kind: str
    part: str = ""
    words: int = 0
    limit: int = 0


def is_answered(text: str, original: str = "") -> bool:
    """A field holds an answer once it has something besides spaces, and (for a correction box,
    which starts with the sentence to correct) something else than ``original``."""
    written = text.strip(SPACE)
    return bool(written) and written != original.strip(SPACE)


def unfinished_tasks(tasks: Iterable[Task], texts: Mapping[tuple[str, str], str]) -> list:
    """The tasks to ask about, in the bank's order, from the texts of each (task, part)."""
    found = []
    for task in tasks:
        parts = _parts(task)
        if not any(is_answered(texts.get((task.id, part), ""), given) for part, given in parts):
            kind = "uncorrected" if task.kind == "correction" else "unanswered"
            found.append(Unfinished(task.id, task.title, kind, parts[0][0] if parts else ""))
        elif task.kind in ("email", "chat"):
            words = count_words(texts.get((task.id, ""), ""))
            if words < task.min_words:
                found.append(
                    Unfinished(task.id, task.title, "too_short", "", words, task.min_words)
                )
            elif words > task.max_words:
                found.append(Unfinished(task.id, task.title, "too_long", "", words, task.max_words))
    return found


def _parts(task: Task) -> list[tuple[str, str]]:
    """Each part of a task with the text it starts from."""
    if task.kind == "form":
        return [(f.id, "") for f in task.fields]
    if task.kind == "correction":
        return [(i.id, i.sentence) for i in task.items]
    return [("", "")]


# Counted messages, untranslated templates: the page fills them in as the server does.
def _too_short(n: int) -> str:
    return get_translations().ngettext(
        "%(num)s word; write at least %(min)s.", "%(num)s words; write at least %(min)s.", n
    )


def _too_long(n: int) -> str:
    return get_translations().ngettext(
        "%(num)s word; keep it to %(max)s.", "%(num)s words; keep it to %(max)s.", n
    )


def _to_look_at(n: int) -> str:
    return get_translations().ngettext(
        "Before you submit: %(num)s task needs your attention.",
        "Before you submit: %(num)s tasks need your attention.",
        n,
    )


def _word_count(n: int) -> str:
    return get_translations().ngettext("%(num)s word", "%(num)s words", n)


def describe(item: Unfinished) -> dict:
    """The item as the page shows it, in the request's language."""
    if item.kind == "too_short":
        message = _too_short(item.words) % {"num": item.words, "min": item.limit}
    elif item.kind == "too_long":
        message = _too_long(item.words) % {"num": item.words, "max": item.limit}
    elif item.kind == "uncorrected":
        message = gettext("Not answered yet: every sentence is still as it was given.")
    else:
        message = gettext("Not answered yet.")
    return {"task": item.task, "part": item.part, "title": item.title, "message": message}


def counted_forms() -> dict[str, dict[str, str]]:
    """Each counted message as one template per plural category of the request's language, for
    the page to pick with Intl.PluralRules what ngettext picks here."""
    return {
        "too_short": _by_category(_too_short),
        "too_long": _by_category(_too_long),
        "to_look_at": _by_category(_to_look_at),
        "word_count": _by_category(_word_count),
    }


def _by_category(template: Callable[[int], str]) -> dict[str, str]:
    rule = get_locale().plural_form
    forms: dict[str, str] = {}
    for n in PLURAL_SAMPLES:
        forms.setdefault(rule(n), template(n))
    return forms
