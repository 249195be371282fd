"""Money: exact amounts read from what the provider sends, summed, rounded and shown.

Amounts are `Decimal` from end to end: a float from the provider is read through its shortest
text form, so 64.35 stays 64.35, and totals are rounded once, half up, to the cent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal

from app.i18n import locale_code

CENT = Decimal("0.01")
CURRENCY = "₽"
MONEY_PATTERN = "#,##0.00"  # the locale's own grouping and decimal signs
# What the database's money columns (numeric(12, 2)) hold, and the finest amount they can read.
LARGEST_AMOUNT = Decimal("9999999999.99")
MAX_DECIMAL_PLACES = 100


class InvalidMoney(ValueError):
    """A value that is not an exact, finite, non-negative amount."""


def parse_money(value) -> Decimal:
    """An exact, finite, non-negative amount from an int, a float, a Decimal or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidMoney(f"money is not a number: {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise InvalidMoney(f"money is not a number: {value!r}") from error
    if not amount.is_finite() or amount < 0:
        raise InvalidMoney(f"money is not a finite, non-negative amount: {value!r}")
    if to_cents(amount) > LARGEST_AMOUNT or amount.as_tuple().exponent < -MAX_DECIMAL_PLACES:
        raise InvalidMoney(f"money is beyond what an order can hold: {str(value)[:40]!r}")
    return amount


def to_cents(amount) -> Decimal:
    """`amount` rounded half up to whole cents."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    price: Decimal
    tax: Decimal
    gross: Decimal
    tax_rate: Decimal | None = None  # percent, when every entry is taxed at the same rate


def fits_an_order(totals: Totals) -> bool:
    return max(totals.price, totals.tax, totals.gross) <= LARGEST_AMOUNT


def compute_totals(entries: Iterable) -> Totals:
    """Exact sums of price, tax and gross; used for stored orders and the form's live totals."""
    entries = list(entries)

    def total(field: str) -> Decimal:
        return to_cents(sum((Decimal(getattr(e, field)) for e in entries), Decimal("0")))

    return Totals(total("price"), total("tax"), total("gross"), common_tax_rate(entries))


RATE_STEP = Decimal("0.1")  # rates are read to a tenth of a percent
HALF_CENT = Decimal("0.005")


def common_tax_rate(entries: list) -> Decimal | None:
    """The tax rate, in percent, that every entry's tax is (to the cent, however it was
    rounded); None when they differ or nothing is chosen. The provider promises no rate, so
    it is read from the entries: the dearest one gives the most precise reading."""
    dearest = max(entries, key=lambda e: Decimal(e.price), default=None)
    if dearest is None or Decimal(dearest.price) <= 0:
        return None
    rate = (Decimal(dearest.tax) * 100 / Decimal(dearest.price)).quantize(RATE_STEP)
    for entry in entries:
        if abs(Decimal(entry.price) * rate / 100 - Decimal(entry.tax)) > HALF_CENT:
            return None
    return rate


def format_rate(rate: Decimal, locale: str | None = None) -> str:
    """A rate without trailing zeros, in the page's language: 22, 7.5, 7,5 (the `rate` filter)."""
    return format_decimal(rate.normalize(), "0.###", locale=locale or locale_code())


def format_money(value, locale: str | None = None) -> str:
    """Two decimals and the currency, in the page's language (the `money` filter): `1,234.50 ₽`
    in English, `1 234,50 ₽` in Russian."""
    if value is None:
        return "—"
    number = format_decimal(to_cents(value), MONEY_PATTERN, locale=locale or locale_code())
    return number + "\u00a0" + CURRENCY
