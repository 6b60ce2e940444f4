"""Reading form values into one canonical form: ISO dates, decimals with a currency, keys.

Values are compared in that form, so that "5 March 2024", "05/03/2024" (en-GB, fr) and
"03/05/2024" (en-US) are one answer.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from assessor.scoring.task.text import fold, language_code

_MONTHS = {
    **dict.fromkeys(["january", "jan", "janvier", "janv"], 1),
    **dict.fromkeys(["february", "feb", "fevrier", "fevr", "fev"], 2),
    **dict.fromkeys(["march", "mar", "mars"], 3),
    **dict.fromkeys(["april", "apr", "avril", "avr"], 4),
    **dict.fromkeys(["may", "mai"], 5),
    **dict.fromkeys(["june", "jun", "juin"], 6),
    **dict.fromkeys(["july", "jul", "juillet", "juil"], 7),
    **dict.fromkeys(["august", "aug", "aout"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre"], 9),
    **dict.fromkeys(["october", "oct", "octobre"], 10),
    **dict.fromkeys(["november", "nov", "novembre"], 11),
    **dict.fromkeys(["december", "dec", "decembre"], 12),
}
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|"
    r"sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
)
_CURRENCIES = (
    ("EUR", r"€|\beur\b|\beuros?\b"),
    ("GBP", r"£|\bgbp\b|\bpounds?\b"),
    ("USD", r"\$|\busd\b|\bus\$|\bdollars?\b"),
    ("CHF", r"\bchf\b"),
    ("CAD", r"\bcad\b"),
)


def parse_date(text: str, language: str) -> datetime.date | None:
    """A calendar date from the ways people write one; day/month order follows the language."""
    s = fold(text).strip()
    s = re.sub(rf"^(?:(?:{_WEEKDAYS})\.?,?\s+)?(?:le\s+|the\s+)?", "", s)
    s = re.sub(r"(\d)(?:st|nd|rd|th|er|e)\b", r"\1", s).replace(" of ", " ")
    s = re.sub(r"\s+", " ", s).strip(" .")
    if m := re.fullmatch(r"(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})", s):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})", s):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        month_first = language.lower() == "en-us"
        day, month = (second, first) if month_first else (first, second)
        return _date(year, month, day) or _date(year, day, month)  # 25/12 read either way
    if m := re.fullmatch(r"(\d{1,2})[ \-/.]([a-z]+)\.?,?[ \-/.](\d{2}|\d{4})", s):
        month = _MONTHS.get(m[2])
        return _date(_year(m[3]), month, int(m[1])) if month else None
    if m := re.fullmatch(r"([a-z]+)\.?[ \-/.](\d{1,2}),?[ \-/.](\d{2}|\d{4})", s):
        month = _MONTHS.get(m[1])
        return _date(_year(m[3]), month, int(m[2])) if month else None
    return None


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_amount(text: str, language: str, money: bool = True) -> tuple[Decimal, str | None] | None:
    """A decimal value and its currency code if written: "1 234,50 €" -> (1234.50, "EUR")."""
    s = fold(text).strip()
    currency = None
    for code, pattern in _CURRENCIES:
        if re.search(pattern, s):
            currency = currency or code
            s = re.sub(pattern, " ", s)
    s = re.sub(r"[\s'’\u00a0\u202f]", "", s)
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s.strip("-+()")
    if not re.fullmatch(r"\d[\d.,]*", s) or len(s) > 40:
        return None
    s = _decimal_digits(s, language_code(language), money)
    if s is None:
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return (-value if negative else value), currency


def _decimal_digits(s: str, lang: str, money: bool) -> str | None:
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    if last_dot >= 0 and last_comma >= 0:  # both: the later one is the decimal mark
        mark = "." if last_dot > last_comma else ","
    elif last_dot < 0 and last_comma < 0:
        return s
    else:
        mark = "." if last_dot >= 0 else ","
        decimals = len(s) - s.rfind(mark) - 1
        if s.count(mark) > 1:
            return s.replace(mark, "") if decimals == 3 else None
        if decimals == 3:  # "1,234" or "1.234": thousands for money, the language's habit otherwise
            local_decimal = "," if lang == "fr" else "."
            if money or mark != local_decimal:
                return s.replace(mark, "")
    other = "," if mark == "." else "."
    whole, _, fraction = s.rpartition(mark)
    return whole.replace(other, "") + "." + fraction


def text_key(text: str, fold_accents: bool = False) -> str:
    """Letters and digits only, case-folded: "INV 2024-0117." and "inv-2024-0117" meet."""
    text = fold(text) if fold_accents else unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def email_key(text: str) -> str | None:
    s = text.strip().strip("<>").strip()
    s = re.sub(r"^mailto:", "", s, flags=re.I).casefold()
    return s if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", s) else None
