"""Linters of the North American coupon AIs (8110 coupon code, 8112 paperless coupon offer).

Both are digit strings of variable-length fields, each length given by a one-digit "VLI" before
it (GS1 US "Coupon Code Data Structures"); error codes follow the GS1 Syntax Engine.
"""

from __future__ import annotations

from collections.abc import Callable

from supplymesh.trace.ident.linters import LintError, csetnumeric, yymmdd


class _Fault(Exception):
    def __init__(self, code: str, start: int, end: int) -> None:
        super().__init__(code)
        self.error = LintError("GS1_LINTER_COUPON_" + code, start, end)


class _Reader:
    """Walks the digits; every read names the error to give when the data runs out."""

    def __init__(self, data: str) -> None:
        self.data = data
        self.pos = 0

    def left(self) -> int:
        return len(self.data) - self.pos

    def digit(self, missing: str, allowed: str = "0123456789", invalid: str = "") -> int:
        if self.left() < 1:
            raise _Fault(missing, 0, len(self.data))
        c = self.data[self.pos]
        if c not in allowed:
            raise _Fault(invalid, self.pos, self.pos + 1)
        self.pos += 1
        return int(c)

    def take(self, n: int, truncated: str) -> str:
        if self.left() < n:
            start = self.pos if self.left() else 0
            raise _Fault(truncated, start, len(self.data))
        part = self.data[self.pos : self.pos + n]
        self.pos += n
        return part

    def vli(
        self,
        missing: str,
        allowed: str,
        invalid: str,
        truncated: str,
        extra: int,
        nine_is_none: bool = False,
    ) -> str:
        """A length digit then that many (+ `extra`) digits; for GCP VLIs "9" means none."""
        n = self.digit(missing, allowed, invalid)
        if n == 9 and nine_is_none:
            return ""
        return self.take(n + extra, truncated)


def _purchase(r: _Reader, nth: str, with_gcp: bool) -> None:
    r.vli(
        f"MISSING_{nth}_PURCHASE_REQUIREMENT_VLI",
        "12345",
        f"INVALID_{nth}_PURCHASE_REQUIREMENT_LENGTH",
        f"TRUNCATED_{nth}_PURCHASE_REQUIREMENT",
        0,
    )
    r.digit(
        f"MISSING_{nth}_PURCHASE_REQUIREMENT_CODE",
        "012349",
        f"INVALID_{nth}_PURCHASE_REQUIREMENT_CODE",
    )
    r.take(3, f"TRUNCATED_{nth}_PURCHASE_FAMILY_CODE")
    if with_gcp:
        r.vli(
            f"MISSING_{nth}_PURCHASE_GCP_VLI",
            "01234569",
            f"INVALID_{nth}_PURCHASE_GCP_LENGTH",
            f"TRUNCATED_{nth}_PURCHASE_GCP",
            6,
            nine_is_none=True,
        )


def _date(r: _Reader, what: str) -> str:
    start = r.pos
    value = r.take(6, f"TOO_SHORT_FOR_{what}_DATE")
    if yymmdd(value) is not None:
        code = "INVALID_EXIPIRATION_DATE" if what == "EXPIRATION" else f"INVALID_{what}_DATE"
        raise _Fault(code, start, start + 6)  # sic: the engine's spelling
    return value


def _couponcode(r: _Reader) -> None:
    r.vli("MISSING_GCP_VLI", "0123456", "INVALID_GCP_LENGTH", "TRUNCATED_GCP", 6)
    r.take(6, "TRUNCATED_OFFER_CODE")
    r.vli("MISSING_SAVE_VALUE_VLI", "12345", "INVALID_SAVE_VALUE_LENGTH", "TRUNCATED_SAVE_VALUE", 0)
    _purchase(r, "1ST", with_gcp=False)
    last = 0
    expiry = start_date = None
    field_start = r.pos
    while r.left():
        field = int(r.data[r.pos])
        if field <= last or field in (0, 7, 8):
            raise _Fault("EXCESS_DATA", r.pos, len(r.data))
        r.pos += 1
        last = field
        if field == 1:
            r.digit(
                "MISSING_ADDITIONAL_PURCHASE_RULES_CODE",
                "0123",
                "INVALID_ADDITIONAL_PURCHASE_RULES_CODE",
            )
            _purchase(r, "2ND", with_gcp=True)
        elif field == 2:
            _purchase(r, "3RD", with_gcp=True)
        elif field == 3:
            expiry = _date(r, "EXPIRATION")
        elif field == 4:
            start_date = _date(r, "START")
        elif field == 5:
            r.vli("MISSING_SERIAL_NUMBER_VLI", "0123456789", "", "TRUNCATED_SERIAL_NUMBER", 6)
        elif field == 6:
            r.vli(
                "MISSING_RETAILER_GCP_OR_GLN_VLI",
                "1234567",
                "INVALID_RETAILER_GCP_OR_GLN_LENGTH",
                "TRUNCATED_RETAILER_GCP_OR_GLN",
                6,
            )
        else:  # 9: miscellaneous
            r.digit("MISSING_SAVE_VALUE_CODE", "01256", "INVALID_SAVE_VALUE_CODE")
            r.digit(
                "MISSING_SAVE_VALUE_APPLIES_TO_ITEM", "012", "INVALID_SAVE_VALUE_APPLIES_TO_ITEM"
            )
            r.digit("MISSING_STORE_COUPON_FLAG")
            r.digit("MISSING_DONT_MULTIPLY_FLAG", "01", "INVALID_DONT_MULTIPLY_FLAG")
        if expiry and start_date and expiry < start_date:
            raise _Fault("EXPIRATION_BEFORE_START", field_start, r.pos)


def _couponposoffer(r: _Reader) -> None:
    r.digit("MISSING_FORMAT_CODE", "01", "INVALID_FORMAT_CODE")
    r.vli("MISSING_FUNDER_VLI", "0123456", "INVALID_FUNDER_LENGTH", "TRUNCATED_FUNDER", 6)
    r.take(6, "TRUNCATED_OFFER_CODE")
    r.vli("MISSING_SERIAL_NUMBER_VLI", "0123456789", "", "TRUNCATED_SERIAL_NUMBER", 6)
    if r.left():
        raise _Fault("EXCESS_DATA", r.pos, len(r.data))


def _run(walk: Callable[[_Reader], None], data: str) -> LintError | None:
    if err := csetnumeric(data):
        return err
    try:
        walk(_Reader(data))
    except _Fault as fault:
        return fault.error
    return None


def couponcode(data: str) -> LintError | None:
    """AI 8110: GCP, offer code, save value, purchase requirements, optional fields 1–9."""
    return _run(_couponcode, data)


def couponposoffer(data: str) -> LintError | None:
    """AI 8112: format code, funder GCP, offer code, serial number."""
    return _run(_couponposoffer, data)
