"""One CSV writer: cells that spreadsheets would run as formulas are quoted."""

import csv
import io
from decimal import Decimal

import pytest

from smarketing.csv_export import csv_lines, csv_response, safe_cell


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "=1+2",
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
    ],
)
def test_text_that_a_spreadsheet_would_run_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -2.5, Decimal("-1200.50"), 0])
def test_numbers_stay_numbers_even_when_negative(value):
    assert safe_cell(value) == value


def test_plain_text_and_empty_values_are_written_as_they_are():
    assert [safe_cell(v) for v in ["Acme", "a=b", None, True]] == ["Acme", "a=b", "", "yes"]


def test_a_response_is_a_download_whose_rows_read_back_safely():
    response = csv_response("x.csv", ["name", "amount"], [["=1+2", -3], ["Acme", 10]])

    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "amount"], ["'=1+2", "-3"], ["Acme", "10"]]


def test_the_header_is_made_safe_too():
    assert next(csv_lines(["=evil"], [])).startswith("'=evil")
