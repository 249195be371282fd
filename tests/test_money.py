"""Money is exact: parsed without floats, summed and rounded once, shown with the currency."""

from decimal import Decimal

import pytest

from app.money import InvalidMoney, format_money, parse_money


@pytest.mark.parametrize(
    "given,expected",
    [
        (7, "7"),
        (0.1, "0.1"),
        (64.35, "64.35"),
        ("12.30", "12.30"),
        (" 5 ", "5"),
        (Decimal("1.5"), "1.5"),
    ],
)
def test_parse_money_is_exact(given, expected):
    amount = parse_money(given)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize(
    "given", ["ten", "", None, True, [], {}, "NaN", "Infinity", float("nan"), -1, "-0.01"]
)
def test_parse_money_refuses_what_is_not_an_amount(given):
    with pytest.raises(InvalidMoney):
        parse_money(given)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(Decimal("1234.5"), "1\u202f234.50\u00a0₽"), ("0.005", "0.01\u00a0₽"), (None, "—")],
)
def test_amounts_show_two_decimals_and_the_currency(amount, shown):
    assert format_money(amount) == shown
