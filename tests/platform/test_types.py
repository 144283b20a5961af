"""Exact decimals: stored as scaled integers, never floats, never silently rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supplymesh.platform.types import Money, PrecisionError, Quantity, plain, to_decimal


def test_round_trip_is_exact() -> None:
    q = Quantity()
    stored = q.process_bind_param(Decimal("0.1"), None)  # type: ignore[arg-type]
    assert stored == 100_000
    assert q.process_result_value(stored, None) == Decimal("0.1")  # type: ignore[arg-type]
    total = sum(q.process_bind_param(Decimal("0.1"), None) or 0 for _ in range(10))  # type: ignore[arg-type]
    assert q.process_result_value(total, None) == Decimal(1)  # type: ignore[arg-type]


def test_too_many_places_are_refused() -> None:
    with pytest.raises(PrecisionError, match="4 decimal places"):
        Money().process_bind_param(Decimal("1.00001"), None)  # type: ignore[arg-type]
    assert Money().process_bind_param(Decimal("1.10000"), None) == 11000  # type: ignore[arg-type]


def test_floats_and_garbage_are_refused() -> None:
    with pytest.raises(PrecisionError, match="not a float"):
        to_decimal(0.1, 6)
    with pytest.raises(PrecisionError, match="not a number"):
        to_decimal("abc", 6)
    with pytest.raises(PrecisionError, match="finite"):
        to_decimal("NaN", 6)


def test_plain_never_uses_exponent_notation() -> None:
    assert str(plain(Decimal("100.000000"))) == "100"
    assert str(plain(Decimal("1.500000"))) == "1.5"
    assert str(plain(Decimal("0.000100"))) == "0.0001"
