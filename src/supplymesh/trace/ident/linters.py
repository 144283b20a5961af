"""GS1 linters: content checks applied to one component of an AI value.

Names and error codes follow the GS1 Syntax Engine (``gs1_lint_*``, ``GS1_LINTER_*``) so that
its test vectors apply. The one linter that needs a code list we do not carry (UN/ECE
Recommendation 21 package types) are absent from `LINTERS`; `lint` passes them through and
`UNSUPPORTED` names them, so callers can say so instead of pretending.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass

CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
CSET82_ORDER = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
CSET64 = frozenset("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
CSET32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Weights of the alphanumeric check pair: the primes, as many as the data needs.
_PRIMES = tuple(n for n in range(2, 1000) if all(n % d for d in range(2, int(n**0.5) + 1)))

UNSUPPORTED = frozenset({"packagetype"})


@dataclass(frozen=True)
class LintError:
    """A linter's complaint: the GS1 error code and the offending span [start, end)."""

    code: str
    start: int
    end: int


Linter = Callable[[str], LintError | None]


def _err(code: str, start: int, end: int) -> LintError:
    return LintError("GS1_LINTER_" + code, start, end)


def _first_non_digit(data: str) -> int | None:
    for i, c in enumerate(data):
        if not "0" <= c <= "9":
            return i
    return None


def gs1_check_digit(payload: str) -> int:
    """GS1 mod-10 check digit of a digit string (weights 3,1,… from the right)."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def csum(data: str) -> LintError | None:
    """The last digit is the GS1 mod-10 check digit of the others."""
    if not data:
        return _err("TOO_SHORT_FOR_CHECK_DIGIT", 0, 0)
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    if gs1_check_digit(data[:-1]) != int(data[-1]):
        return _err("INCORRECT_CHECK_DIGIT", len(data) - 1, len(data))
    return None


def csumalpha(data: str) -> LintError | None:
    """The last two characters are the GS1 alphanumeric check pair (GMN, CPID-style)."""
    if len(data) < 2:
        return _err("TOO_SHORT_FOR_CHECK_PAIR", 0, len(data))
    if len(data) > 99:
        return _err("TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION", 0, len(data))
    body, pair = data[:-2], data[-2:]
    for i, c in enumerate(body):
        if c not in CSET82:
            return _err("INVALID_CSET82_CHARACTER", i, i + 1)
    if any(c not in CSET32 for c in pair):
        return _err("INCORRECT_CHECK_PAIR", len(body), len(data))
    weights = _PRIMES[: len(body)][::-1]
    total = sum(CSET82_ORDER.index(c) * w for c, w in zip(body, weights, strict=True)) % 1021
    if CSET32[total >> 5] + CSET32[total & 31] != pair:
        return _err("INCORRECT_CHECK_PAIR", len(body), len(data))
    return None


def _gcppos(data: str, offset: int) -> LintError | None:
    # Without GS1's GCP length table we can only insist on room for the shortest GCP and
    # on digits where the GS1 prefix sits.
    gcp = data[offset:]
    if len(gcp) < 4:
        return _err("TOO_SHORT_FOR_GCP", offset, len(data))
    for i in range(offset, offset + 4):
        if not data[i].isdigit():
            return _err("INVALID_GCP_PREFIX", offset, offset + 4)
    return None


def gcppos1(data: str) -> LintError | None:
    """A GS1 Company Prefix starts at the first character."""
    return _gcppos(data, 0)


def gcppos2(data: str) -> LintError | None:
    """A GS1 Company Prefix starts at the second character (after an indicator digit)."""
    return _gcppos(data, 1)


def _cset(allowed: frozenset[str], code: str) -> Linter:
    def check(data: str) -> LintError | None:
        for i, c in enumerate(data):
            if c not in allowed:
                return _err(code, i, i + 1)
        return None

    return check


cset82 = _cset(CSET82, "INVALID_CSET82_CHARACTER")
cset39 = _cset(CSET39, "INVALID_CSET39_CHARACTER")


def cset64(data: str) -> LintError | None:
    """base64url alphabet, with ``=`` padding only at the end."""
    stripped = data.rstrip("=")
    for i, c in enumerate(stripped):
        if c not in CSET64:
            return _err("INVALID_CSET64_CHARACTER", i, i + 1)
    pad = len(data) - len(stripped)
    # The Syntax Engine accepts padding only where it completes a 3-character group.
    if pad and (not stripped or pad > 2 or len(data) % 3):
        return _err("INVALID_CSET64_PADDING", len(stripped), len(data))
    return None


def csetnumeric(data: str) -> LintError | None:
    """Digits only."""
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    return None


def _digits_of_len(data: str, n: int, short: str, long: str) -> LintError | None:
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    if len(data) < n:
        return _err(short, 0, len(data))
    if len(data) > n:
        return _err(long, 0, len(data))
    return None


def _date(data: str, year_digits: int, zero_day: bool) -> LintError | None:
    n = year_digits + 4
    if e := _digits_of_len(data, n, "DATE_TOO_SHORT", "DATE_TOO_LONG"):
        return e
    year = int(data[:year_digits])
    if year_digits == 2:
        year += 2000  # only the leap-year rule depends on the century; 2000 is a leap year
    month = int(data[year_digits : year_digits + 2])
    day = int(data[year_digits + 2 :])
    if not 1 <= month <= 12:
        return _err("ILLEGAL_MONTH", year_digits, year_digits + 2)
    if (day == 0 and not zero_day) or day > calendar.monthrange(year, month)[1]:
        return _err("ILLEGAL_DAY", year_digits + 2, n)
    return None


def yymmdd(data: str) -> LintError | None:
    """A date YYMMDD."""
    return _date(data, 2, False)


def yymmd0(data: str) -> LintError | None:
    """A date YYMMDD where day 00 means the end of the month."""
    return _date(data, 2, True)


def yyyymmdd(data: str) -> LintError | None:
    """A date YYYYMMDD."""
    return _date(data, 4, False)


def yyyymmd0(data: str) -> LintError | None:
    """A date YYYYMMDD where day 00 is allowed."""
    return _date(data, 4, True)


def _bounded(name: str, limit: int) -> Linter:
    def check(data: str) -> LintError | None:
        if e := _digits_of_len(data, 2, f"{name}_TOO_SHORT", f"{name}_TOO_LONG"):
            return e
        if int(data) > limit:
            return _err(f"ILLEGAL_{name}", 0, 2)
        return None

    return check


hh = _bounded("HOUR", 23)
mi = _bounded("MINUTE", 59)
ss = _bounded("SECOND", 59)


def hhmi(data: str) -> LintError | None:
    """A time HHMI."""
    e = _digits_of_len(data, 4, "HOUR_WITH_MINUTE_TOO_SHORT", "HOUR_WITH_MINUTE_TOO_LONG")
    if e:
        return e
    if int(data[:2]) > 23:
        return _err("ILLEGAL_HOUR", 0, 2)
    if int(data[2:]) > 59:
        return _err("ILLEGAL_MINUTE", 2, 4)
    return None


def _one_of(allowed: str, code: str) -> Linter:
    def check(data: str) -> LintError | None:
        if len(data) != 1 or data not in allowed:
            return _err(code, 0, len(data))
        return None

    return check


yesno = _one_of("01", "NOT_ZERO_OR_ONE")


def zero(data: str) -> LintError | None:
    """Only zeros."""
    if not data or data.strip("0"):
        return _err("NOT_ZERO", 0, len(data))
    return None


winding = _one_of("019", "INVALID_WINDING_DIRECTION")
iso5218 = _one_of("0129", "INVALID_BIOLOGICAL_SEX_CODE")


def hyphen(data: str) -> LintError | None:
    """Only hyphens."""
    if not data or set(data) != {"-"}:
        return _err("NOT_HYPHEN", 0, len(data))
    return None


def nonzero(data: str) -> LintError | None:
    """A number other than zero."""
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    if not data.strip("0"):
        return _err("ILLEGAL_ZERO_VALUE", 0, len(data))
    return None


def nozeroprefix(data: str) -> LintError | None:
    """A number without a leading zero (a lone zero is fine)."""
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    if len(data) > 1 and data[0] == "0":
        return _err("ILLEGAL_ZERO_PREFIX", 0, 1)
    return None


def hasnondigit(data: str) -> LintError | None:
    """At least one character that is not a digit."""
    if _first_non_digit(data) is None:
        return _err("REQUIRES_NON_DIGIT_CHARACTER", 0, len(data))
    return None


def importeridx(data: str) -> LintError | None:
    """One importer index character: a digit, letter, ``-`` or ``_``."""
    if len(data) != 1:
        return _err("IMPORTER_IDX_MUST_BE_ONE_CHARACTER", 0, len(data))
    if data not in CSET64:
        return _err("INVALID_IMPORT_IDX_CHARACTER", 0, 1)
    return None


def pcenc(data: str) -> LintError | None:
    """Valid percent-encoding: every ``%`` starts two hex digits."""
    for m in re.finditer("%", data):
        i = m.start()
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", data[i + 1 : i + 3]):
            return _err("INVALID_PERCENT_SEQUENCE", i, min(i + 3, len(data)))
    return None


def pieceoftotal(data: str) -> LintError | None:
    """Piece number / total count, each half the length, piece ≤ total, neither zero."""
    if (i := _first_non_digit(data)) is not None:
        return _err("NON_DIGIT_CHARACTER", i, i + 1)
    if len(data) % 2:
        return _err("INVALID_LENGTH_FOR_PIECE_OF_TOTAL", 0, len(data))
    half = len(data) // 2
    piece, total = int(data[:half]), int(data[half:])
    if piece == 0:
        return _err("ZERO_PIECE_NUMBER", 0, half)
    if total == 0:
        return _err("ZERO_TOTAL_PIECES", half, len(data))
    if piece > total:
        return _err("PIECE_NUMBER_EXCEEDS_TOTAL", 0, len(data))
    return None


def posinseqslash(data: str) -> LintError | None:
    """Position in a sequence written ``pos/end``, both positive, pos ≤ end."""
    if data.count("/") != 1:
        return _err("POSITION_IN_SEQUENCE_MALFORMED", 0, len(data))
    pos, end = data.split("/")
    for part, start in ((pos, 0), (end, len(pos) + 1)):
        if not part or not part.isdigit() or not part.isascii():
            return _err("POSITION_IN_SEQUENCE_MALFORMED", 0, len(data))
        if part[0] == "0":
            return _err("ILLEGAL_ZERO_PREFIX", start, start + len(part))
    if int(pos) > int(end):
        return _err("POSITION_EXCEEDS_END", 0, len(data))
    return None


def _coordinate(limit: int, code: str) -> Linter:
    length_code = code.removeprefix("INVALID_") + "_INVALID_LENGTH"

    def check(data: str) -> LintError | None:
        if e := _digits_of_len(data, 10, length_code, length_code):
            return e
        if int(data) > limit:
            return _err(code, 0, 10)
        return None

    return check


latitude = _coordinate(1_800_000_000, "INVALID_LATITUDE")
longitude = _coordinate(3_600_000_000, "INVALID_LONGITUDE")


def iban(data: str) -> LintError | None:
    """An IBAN: country letters, check digits, alphanumerics, mod-97 = 1 (ISO 13616)."""
    if len(data) < 5:
        return _err("IBAN_TOO_SHORT", 0, len(data))
    if len(data) > 34:
        return _err("IBAN_TOO_LONG", 0, len(data))
    for i, c in enumerate(data):
        if not (c.isascii() and (c.isdigit() or c.isupper())):
            return _err("INVALID_IBAN_CHARACTER", i, i + 1)
    from supplymesh.trace.ident.iso_codes import ISO3166_ALPHA2

    # XK (Kosovo) issues IBANs without an ISO 3166 code. Per-country IBAN lengths (the SWIFT
    # registry) are not checked: we do not carry that table.
    if data[:2] not in ISO3166_ALPHA2 | {"XK"}:
        return _err("ILLEGAL_IBAN_COUNTRY_CODE", 0, 2)
    moved = data[4:] + data[:4]
    if int("".join(str(int(c, 36)) for c in moved)) % 97 != 1:
        return _err("INCORRECT_IBAN_CHECKSUM", 2, 4)
    return None


def _code_list(name: str, code: str) -> Linter:
    def check(data: str) -> LintError | None:
        from supplymesh.trace.ident import iso_codes

        allowed: frozenset[str] = getattr(iso_codes, name)
        if data not in allowed and not (code == "NOT_ISO3166_OR_999" and data == "999"):
            return _err(code, 0, len(data))
        return None

    return check


iso3166 = _code_list("ISO3166_NUMERIC", "NOT_ISO3166")
iso3166999 = _code_list("ISO3166_NUMERIC", "NOT_ISO3166_OR_999")
iso3166alpha2 = _code_list("ISO3166_ALPHA2", "NOT_ISO3166_ALPHA2")
iso4217 = _code_list("ISO4217_NUMERIC", "NOT_ISO4217")


def mediatype(data: str) -> LintError | None:
    """AIDC media type (AI 7241): two digits, 01–10 or the 80–99 range for company use."""
    if len(data) != 2 or not data.isdigit() or not (1 <= int(data) <= 10 or int(data) >= 80):
        return _err("INVALID_MEDIA_TYPE", 0, len(data))
    return None


LINTERS: dict[str, Linter] = {
    "mediatype": mediatype,
    "iso3166": iso3166,
    "iso3166999": iso3166999,
    "iso3166alpha2": iso3166alpha2,
    "iso4217": iso4217,
    "csum": csum,
    "csumalpha": csumalpha,
    "gcppos1": gcppos1,
    "gcppos2": gcppos2,
    "cset82": cset82,
    "cset39": cset39,
    "cset64": cset64,
    "csetnumeric": csetnumeric,
    "yymmdd": yymmdd,
    "yymmd0": yymmd0,
    "yyyymmdd": yyyymmdd,
    "yyyymmd0": yyyymmd0,
    "hh": hh,
    "mi": mi,
    "ss": ss,
    "hhmi": hhmi,
    "yesno": yesno,
    "zero": zero,
    "winding": winding,
    "iso5218": iso5218,
    "hyphen": hyphen,
    "nonzero": nonzero,
    "nozeroprefix": nozeroprefix,
    "hasnondigit": hasnondigit,
    "importeridx": importeridx,
    "pcenc": pcenc,
    "pieceoftotal": pieceoftotal,
    "posinseqslash": posinseqslash,
    "latitude": latitude,
    "longitude": longitude,
    "iban": iban,
}


def lint(name: str, data: str) -> LintError | None:
    """Run linter `name` on `data`; unsupported linters pass (see `UNSUPPORTED`)."""
    if name in ("couponcode", "couponposoffer"):
        from supplymesh.trace.ident import coupon  # imports this module: load it late

        return coupon.couponcode(data) if name == "couponcode" else coupon.couponposoffer(data)
    linter = LINTERS.get(name)
    return linter(data) if linter else None
