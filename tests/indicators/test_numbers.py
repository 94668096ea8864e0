from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.numbers import NumberSyntaxError, format_number, parse_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("23.950.284.000", Decimal("23950284000")),  # Pangkalpinang's KPU grant
        ("23950284000", Decimal("23950284000")),
        ("Rp 6.364.656.000", Decimal("6364656000")),
        ("Rp. 1.276.129.000", Decimal("1276129000")),
        ("rp6.364.656.000,-", Decimal("6364656000")),
        ("Rp 3.205.756.840,00", Decimal("3205756840")),
        ("1.000", Decimal("1000")),
        ("247", Decimal("247")),
        ("12,5", Decimal("12.5")),
        ("0,75", Decimal("0.75")),
        ("1.234,56", Decimal("1234.56")),
        ("  86  ", Decimal("86")),
        ("007", Decimal("7")),
        ("-5", Decimal("-5")),  # read, so the caller can say "tidak boleh negatif"
        ("− 1.000", Decimal("-1000")),
    ],
)
def test_indonesian_notation_is_read(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_is_not_reported(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "12.5",  # an English decimal point
        "0.75",
        "23950284000.00",
        "1,234",  # an English thousands separator…
        "1,234,567",
        "1,234.50",
        "1.234.56",  # …or a mistyped group
        "12.34.567",
        "1234.567",
    ],
)
def test_input_that_reads_two_ways_is_refused_with_the_rule(text):
    with pytest.raises(NumberSyntaxError) as excinfo:
        parse_number(text)
    assert excinfo.value.code == "ambiguous"
    assert "titik untuk ribuan dan koma untuk desimal" in excinfo.value.message


@pytest.mark.parametrize("text", ["dua", "12a", "1 000", ",5", "Rp", "-", "12,", "1e6", "∞"])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(NumberSyntaxError) as excinfo:
        parse_number(text)
    assert excinfo.value.code == "invalid"
    assert excinfo.value.message == "Tulis angka saja, mis. 1.250 atau 23.950.284.000."


def test_overlong_input_is_refused_before_parsing():
    with pytest.raises(NumberSyntaxError) as excinfo:
        parse_number("1" * 31)
    assert excinfo.value.message == "Terlalu panjang: paling banyak 30 karakter."


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("23950284000.00"), 0, "23.950.284.000"),
        (Decimal("999"), 0, "999"),
        (Decimal("1000"), 0, "1.000"),
        (Decimal(0), 0, "0"),
        (Decimal("12.5"), 2, "12,50"),
        (Decimal("1234.5"), 1, "1.234,5"),
        (None, 0, ""),
    ],
)
def test_numbers_are_shown_the_indonesian_way(value, places, text):
    assert format_number(value, places) == text


@given(
    value=st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2),
    places=st.integers(min_value=0, max_value=2),
)
def test_what_is_shown_reads_back_as_the_same_figure(value, places):
    shown = format_number(value, places)
    assert parse_number(shown) == value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
