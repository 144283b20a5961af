"""Exact decimal column types: quantities and money are never floats.

Values are stored as scaled 64-bit integers on every backend, so sums in SQL stay exact,
bulk inserts stay cheap, and SQLite and PostgreSQL share one schema. A value with more
decimal places than the scale is rejected rather than silently rounded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

MAX_INT = 2**63 - 1  # the largest BIGINT: ids and scaled decimals must fit
QUANTITY_PLACES = 6
MONEY_PLACES = 4


class PrecisionError(ValueError):
    """A decimal had more places than its column keeps."""


def to_decimal(value: object, places: int, what: str = "value") -> Decimal:
    """Parse `value` as an exact decimal with at most `places` decimal places."""
    if isinstance(value, float):
        raise PrecisionError(f"{what} must be a decimal string, not a float ({value!r})")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise PrecisionError(f"{what} is not a number: {value!r}") from exc
    if not d.is_finite():
        raise PrecisionError(f"{what} must be finite: {value!r}")
    if abs(d) >= Decimal(MAX_INT // 10**places):
        raise PrecisionError(f"{what} is too large: {value!r}")
    exponent = d.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -places
        and d != d.quantize(Decimal(1).scaleb(-places))
    ):
        raise PrecisionError(f"{what} has more than {places} decimal places: {value!r}")
    return d


class _ScaledDecimal(TypeDecorator[Decimal]):
    impl = BigInteger
    cache_ok = True
    places = 0

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        d = to_decimal(value, self.places)
        return int(d.scaleb(self.places).to_integral_value())

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return plain(Decimal(int(value)).scaleb(-self.places))

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class Quantity(_ScaledDecimal):
    """A quantity in the item's unit, exact to 6 decimal places."""

    cache_ok = True  # SQLAlchemy reads this from the class itself, not from a base
    places = QUANTITY_PLACES


class Money(_ScaledDecimal):
    """An amount of money, exact to 4 decimal places (currency in its own column)."""

    cache_ok = True
    places = MONEY_PLACES


def plain(d: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (100, not 1E+2)."""
    if d == d.to_integral_value():
        return d.quantize(Decimal(1))
    return d.normalize()


def scaled(value: Decimal, places: int) -> int:
    """The stored integer for a decimal (for bulk inserts that bypass the ORM)."""
    return int(to_decimal(value, places).scaleb(places).to_integral_value())
