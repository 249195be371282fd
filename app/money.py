"""Money: `Decimal` from end to end. A float from the provider is read through its shortest
text form, so 64.35 stays 64.35, and totals are rounded once, half up, to the cent."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal

from app.i18n import locale_code

CENT = Decimal("0.01")
# What the database's money columns (numeric(12, 2)) hold, and the finest amount they can read.
LARGEST_AMOUNT = Decimal("9999999999.99")
MAX_DECIMAL_PLACES = 100


class InvalidMoney(ValueError):
    """A value that is not an exact, finite, non-negative amount."""


def parse_money(value) -> Decimal:
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
    """For stored orders and the form's live totals alike."""
    entries = list(entries)

    def total(field: str) -> Decimal:
        return to_cents(sum((Decimal(getattr(e, field)) for e in entries), Decimal("0")))

    return Totals(total("price"), total("tax"), total("gross"), common_tax_rate(entries))


def common_tax_rate(entries: list) -> Decimal | None:
    """The rate in percent of every entry's tax (to the cent), or None; the provider gives no
    rate, so it is read from the dearest entry, the most precise reading."""
    dearest = max(entries, key=lambda e: Decimal(e.price), default=None)
    if dearest is None or Decimal(dearest.price) <= 0:
        return None
    rate = (Decimal(dearest.tax) * 100 / Decimal(dearest.price)).quantize(Decimal("0.1"))
    for entry in entries:
        if abs(Decimal(entry.price) * rate / 100 - Decimal(entry.tax)) > CENT / 2:
            return None
    return rate


def format_rate(rate: Decimal, locale: str | None = None) -> str:
    """22, 7.5, or 7,5 in Russian (the `rate` filter)."""
    return format_decimal(rate.normalize(), "0.###", locale=locale or locale_code())


def format_money(value, locale: str | None = None) -> str:
    """`1,234.50 ₽`, or `1 234,50 ₽` in Russian (the `money` filter)."""
    if value is None:
        return "—"
    # The locale's own grouping and decimal signs.
    number = format_decimal(to_cents(value), "#,##0.00", locale=locale or locale_code())
    return number + "\u00a0₽"
