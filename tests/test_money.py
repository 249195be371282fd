"""Money is exact: parsed without floats, summed and rounded once, shown with the currency."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.money import InvalidMoney, common_tax_rate, format_money, format_rate, parse_money


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
    ("amount", "locale", "shown"),
    [
        (Decimal("1234.5"), "en", "1,234.50\u00a0₽"),
        (Decimal("1234.5"), "ru", "1\u00a0234,50\u00a0₽"),
        (Decimal("1234567.891"), "ru", "1\u00a0234\u00a0567,89\u00a0₽"),
        ("0.005", "en", "0.01\u00a0₽"),
        ("0.005", "ru", "0,01\u00a0₽"),
        (None, "ru", "—"),
    ],
)
def test_amounts_show_two_decimals_and_the_currency_in_the_language(amount, locale, shown):
    assert format_money(amount, locale) == shown


def test_amounts_outside_a_request_are_in_english():
    assert format_money(Decimal("1234.5")) == "1,234.50\u00a0₽"
    assert format_rate(Decimal("7.50")) == "7.5" and format_rate(Decimal("7.5"), "ru") == "7,5"


def entry(price: str, tax: str) -> SimpleNamespace:
    return SimpleNamespace(price=Decimal(price), tax=Decimal(tax))


@pytest.mark.parametrize(
    "entries,rate",
    [
        ([entry("49.90", "10.98"), entry("120.00", "26.40"), entry("0.10", "0.02")], "22"),
        ([entry("100.00", "7.50"), entry("0.00", "0.00")], "7.5"),
        ([entry("100.00", "22.00"), entry("100.00", "10.00")], None),
        ([entry("100.00", "22.00"), entry("0.00", "1.00")], None),
        ([entry("0.00", "0.00")], None),
        ([], None),
    ],
)
def test_a_tax_rate_is_read_only_when_every_entry_has_it(entries, rate):
    found = common_tax_rate(entries)
    assert (found if found is None else format_rate(found)) == rate
