"""Form fields read like a table: a value typed, the language, right or wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessor.question_banks import FormField, FormTask
from assessor.scoring.task import assess_form, parse_amount, parse_date

_LANGUAGES = st.sampled_from(["en-US", "en-GB", "fr"])
_ANY_VALUE = st.one_of(st.text(max_size=300), st.none(), st.integers(), st.binary(max_size=20))


def form(*fields):
    return FormTask("form", "form", "Form", "Fill it.", "doc", tuple(fields))


DATE = FormField("date", "Date", "date", ("2024-03-05",))
AMOUNT = FormField("amount", "Amount", "amount", ("€1,234.50",))
NUMBER = FormField("qty", "Quantity", "number", ("1500",))
MAIL = FormField("mail", "E-mail", "email", ("Accounts@Example.com",))
CHOICE = FormField("pay", "Payment", "choice", ("BACS transfer",), ("BACS transfer", "Cheque"))
TEXT = FormField("ref", "Reference", "text", ("INV-2024-0117",))
NAME = FormField("name", "Name", "text", ("Hélène Dupré",))


@pytest.mark.parametrize(
    ("field", "value", "language", "status"),
    [
        (DATE, "2024-03-05", "en-GB", "right"),
        (DATE, "05/03/2024", "en-GB", "right"),
        (DATE, "05/03/2024", "fr", "right"),
        (DATE, "03/05/2024", "en-US", "right"),
        (DATE, "03/05/2024", "en-GB", "wrong"),  # 3 May in the UK
        (DATE, "5 March 2024", "en-GB", "right"),
        (DATE, "5th March 2024", "en-GB", "right"),
        (DATE, "March 5, 2024", "en-US", "right"),
        (DATE, "Tuesday, March 5th, 2024", "en-US", "right"),
        (DATE, "5 mars 2024", "fr", "right"),
        (DATE, "le 5 mars 2024", "fr", "right"),
        (DATE, "5.3.24", "fr", "right"),
        (DATE, "6 March 2024", "en-GB", "wrong"),
        (DATE, "sometime in March", "en-GB", "wrong"),
        (AMOUNT, "€1,234.50", "en-GB", "right"),
        (AMOUNT, "1234.5", "en-GB", "right"),
        (AMOUNT, "1 234,50 €", "fr", "right"),
        (AMOUNT, "1.234,50", "fr", "right"),
        (AMOUNT, "EUR 1234.50", "en-US", "right"),
        (AMOUNT, "1234,50 euros", "fr", "right"),
        (AMOUNT, "$1,234.50", "en-US", "wrong"),  # another currency
        (AMOUNT, "1,243.50", "en-GB", "wrong"),
        (AMOUNT, "a lot", "en-GB", "wrong"),
        (NUMBER, "1,500", "en-US", "right"),
        (NUMBER, "1 500", "fr", "right"),
        (NUMBER, "1500.0", "en-US", "right"),
        (NUMBER, "150", "en-US", "wrong"),
        (MAIL, "accounts@example.com", "en-GB", "right"),
        (MAIL, "  <ACCOUNTS@EXAMPLE.COM> ", "en-GB", "right"),
        (MAIL, "accounts@example.co", "en-GB", "wrong"),
        (MAIL, "not an address", "en-GB", "wrong"),
        (CHOICE, "bacs transfer", "en-GB", "right"),
        (CHOICE, "Cheque", "en-GB", "wrong"),
        (CHOICE, "Bank transfer", "en-GB", "wrong"),
        (TEXT, "inv-2024-0117", "en-GB", "right"),
        (TEXT, "INV 2024 0117", "en-GB", "right"),
        (TEXT, " INV-2024-0117. ", "en-GB", "right"),
        (TEXT, "INV-2024-0171", "en-GB", "wrong"),
        (NAME, "hélène dupré", "fr", "right"),
        (NAME, "Helene Dupre", "fr", "wrong"),
        (TEXT, "", "en-GB", "missing"),
        (TEXT, "   ", "en-GB", "missing"),
    ],
)
def test_form_fields_equivalent_formats(field, value, language, status):
    result = assess_form(form(field), {field.id: value}, language)
    assert result.fields[0].status == status, result.fields[0]


def test_form_counts_and_reasons():
    task = form(DATE, AMOUNT, MAIL, CHOICE, NAME)
    values = {"date": "5 March 2024", "amount": "$1,234.50", "pay": "Wire", "name": "Helene Dupre"}
    result = assess_form(task, values, "en-GB")
    assert (result.right, result.wrong, result.missing, result.total) == (1, 3, 1, 5)
    assert result.score == 20.0
    reasons = {f.field_id: f.reason for f in result.fields}
    assert reasons["amount"].startswith("wrong currency")
    assert reasons["pay"] == "not one of the choices"
    assert reasons["name"] == "accents differ"
    assert {f.field_id: f.normalised for f in result.fields}["date"] == "2024-03-05"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("2024-03-05", "en-US", "2024-03-05"),
        ("31/12/2024", "en-US", "2024-12-31"),  # cannot be month-first: read the other way
        ("1er avril 2024", "fr", "2024-04-01"),
        ("Sept 9 2024", "en-US", "2024-09-09"),
        ("30/02/2024", "en-GB", None),
    ],
)
def test_parse_date(text, language, expected):
    read = parse_date(text, language)
    assert (read.isoformat() if read else None) == expected


@pytest.mark.parametrize(
    ("text", "language", "value", "currency"),
    [
        ("£1,240.00", "en-GB", "1240.00", "GBP"),
        ("1 240,00 €", "fr", "1240.00", "EUR"),
        ("(12.50)", "en-US", "-12.50", None),
        ("USD 3.5", "en-US", "3.5", "USD"),
        ("1,5", "fr", "1.5", None),
    ],
)
def test_parse_amount(text, language, value, currency):
    read = parse_amount(text, language)
    assert read is not None
    assert str(read[0]) == value and read[1] == currency


@settings(max_examples=200, deadline=None)
@given(
    values=st.dictionaries(
        st.sampled_from(["date", "amount", "qty", "mail", "pay", "ref", "name", "other"]),
        _ANY_VALUE,
    ),
    language=_LANGUAGES,
)
def test_form_never_raises_and_stays_in_range(values, language):
    task = form(DATE, AMOUNT, NUMBER, MAIL, CHOICE, TEXT, NAME)
    result = assess_form(task, values, language)
    assert 0.0 <= result.score <= 100.0
    assert result.right + result.wrong + result.missing == result.total == 7
    assert assess_form(task, values, language) == result
