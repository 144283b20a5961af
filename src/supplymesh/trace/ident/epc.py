"""EPC pure-identity URNs (GS1 EPC Tag Data Standard 2.x) to GS1 Digital Link and back.

Component text is carried over verbatim (URN escapes such as ``%2F`` are not decoded), as the
OpenEPCIS translator does, so that an EPCIS identifier maps to the same string both ways;
`urn_to_ais` decodes them for the AI view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from supplymesh.trace.ident.digital_link import DEFAULT_STEM
from supplymesh.trace.ident.linters import CSET82, gs1_check_digit
from supplymesh.trace.ident.model import InvalidCode

_URN = re.compile(r"^urn:epc:id:([a-z]+):(.*)$")
_SERIAL_CHARS = CSET82 | {"%"}


@dataclass(frozen=True)
class EpcScheme:
    """How one EPC scheme lays its components into AIs.

    `numeric` is the digit count of company prefix + reference (+ indicator/extension digit),
    None when the reference is alphanumeric and variable; `serial_ai` names the AI of the last
    component where it has its own AI.
    """

    name: str
    key_ai: str
    parts: int
    numeric: int | None
    check_digit: bool
    serial_ai: str | None = None
    serial_in_key: bool = False
    serial_max: int = 20
    serial_numeric: bool = False


SCHEMES: dict[str, EpcScheme] = {
    s.name: s
    for s in (
        EpcScheme("sgtin", "01", 3, 13, True, serial_ai="21"),
        EpcScheme("sscc", "00", 2, 17, True),
        EpcScheme("sgln", "414", 3, 12, True, serial_ai="254"),
        EpcScheme("grai", "8003", 3, 12, True, serial_in_key=True, serial_max=16),
        EpcScheme("giai", "8004", 2, None, False),
        EpcScheme("gsrn", "8018", 2, 17, True),
        EpcScheme("gsrnp", "8017", 2, 17, True),
        EpcScheme("gdti", "253", 3, 12, True, serial_in_key=True, serial_max=17),
        EpcScheme(
            "cpi", "8010", 3, None, False, serial_ai="8011", serial_max=12, serial_numeric=True
        ),
        EpcScheme(
            "sgcn", "255", 3, 12, True, serial_in_key=True, serial_max=12, serial_numeric=True
        ),
        EpcScheme("ginc", "401", 2, None, False),
        EpcScheme("gsin", "402", 2, 16, True),
        EpcScheme("itip", "8006", 5, 13, True, serial_ai="21"),
        EpcScheme("upui", "01", 3, 13, True, serial_ai="235", serial_max=28),
        EpcScheme("pgln", "417", 2, 12, True),
    )
}


def _check_serial(scheme: EpcScheme, serial: str, *, allow_empty: bool = False) -> None:
    if not serial and not allow_empty:
        raise InvalidCode(f"{scheme.name}: empty serial component")
    if any(c not in _SERIAL_CHARS for c in serial):
        raise InvalidCode(f"{scheme.name}: illegal character in {serial!r}")
    if scheme.serial_numeric and not serial.isdigit() and serial:
        raise InvalidCode(f"{scheme.name}: serial {serial!r} must be numeric")
    if len(unquote(serial)) > scheme.serial_max:
        raise InvalidCode(f"{scheme.name}: serial {serial!r} is too long")


def urn_to_key_values(urn: str) -> tuple[EpcScheme, list[tuple[str, str]]]:
    """The scheme and its (AI, value) pairs for an EPC pure-identity URN, values verbatim."""
    m = _URN.match(urn)
    if m is None:
        raise InvalidCode(f"not an EPC pure-identity URN: {urn!r}")
    scheme = SCHEMES.get(m.group(1))
    if scheme is None:
        raise InvalidCode(f"EPC scheme {m.group(1)!r} has no GS1 Digital Link equivalent")
    parts = m.group(2).split(".", scheme.parts - 1)
    if len(parts) != scheme.parts:
        raise InvalidCode(f"{scheme.name} URN needs {scheme.parts} components: {urn!r}")
    gcp, ref = parts[0], parts[1]
    if not gcp.isdigit() or not 6 <= len(gcp) <= 12:
        raise InvalidCode(f"company prefix {gcp!r} must be 6 to 12 digits")
    if scheme.numeric is not None and (
        not (ref.isdigit() or ref == "") or len(gcp) + len(ref) != scheme.numeric
    ):
        raise InvalidCode(f"{scheme.name}: {gcp}.{ref} must be {scheme.numeric} digits")
    if scheme.name in ("sgtin", "upui", "itip") or scheme.name == "sscc":
        payload = ref[:1] + gcp + ref[1:]
    elif scheme.name == "grai":
        payload = "0" + gcp + ref
    else:
        payload = gcp + ref
    if scheme.numeric is None:
        if not ref or any(c not in _SERIAL_CHARS for c in ref):
            raise InvalidCode(f"{scheme.name}: bad reference component {ref!r}")
        if len(unquote(payload)) > 30:
            raise InvalidCode(f"{scheme.name}: {payload!r} is longer than 30 characters")
    key = payload + (
        str(gs1_check_digit(payload[-(scheme.numeric or 0) :])) if scheme.check_digit else ""
    )
    if scheme.name == "grai":
        key = payload + str(gs1_check_digit(payload))
    pairs: list[tuple[str, str]] = []
    if scheme.name == "itip":
        piece, total, serial = parts[2], parts[3], parts[4]
        if len(piece) != 2 or len(total) != 2 or not (piece + total).isdigit():
            raise InvalidCode("itip: piece and total must be two digits each")
        _check_serial(scheme, serial)
        pairs = [("8006", key + piece + total), ("21", serial)]
    elif scheme.parts == 3:
        serial = parts[2]
        if scheme.name == "sgln":
            _check_serial(scheme, serial)
            pairs = [("414", key)] + ([("254", serial)] if serial != "0" else [])
        elif scheme.serial_in_key:
            _check_serial(scheme, serial, allow_empty=scheme.name != "grai")
            if scheme.name == "grai" and not serial:
                raise InvalidCode("grai: empty serial component")
            pairs = [(scheme.key_ai, key + serial)]
        else:
            _check_serial(scheme, serial)
            assert scheme.serial_ai is not None
            pairs = [(scheme.key_ai, key), (scheme.serial_ai, serial)]
    else:
        pairs = [(scheme.key_ai, key)]
    return scheme, pairs


def urn_to_dl(urn: str, stem: str = DEFAULT_STEM) -> str:
    """The GS1 Digital Link URI of an EPC pure-identity URN (components verbatim)."""
    _, pairs = urn_to_key_values(urn)
    return stem.rstrip("/") + "".join(f"/{ai}/{value}" for ai, value in pairs)


def urn_to_ais(urn: str) -> tuple[tuple[str, str], ...]:
    """The AIs of an EPC URN with URN escapes decoded."""
    _, pairs = urn_to_key_values(urn)
    return tuple((ai, unquote(value)) for ai, value in pairs)


_DL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("sgtin", r"/01/(\d{14})/21/(.+)$"),
        ("upui", r"/01/(\d{14})/235/(.+)$"),
        ("sscc", r"/00/(\d{18})$"),
        ("sgln", r"/414/(\d{13})(?:/254/(.+))?$"),
        ("grai", r"/8003/0(\d{13})(.+)$"),
        ("giai", r"/8004/(.+)$"),
        ("gsrn", r"/8018/(\d{18})$"),
        ("gsrnp", r"/8017/(\d{18})$"),
        ("gdti", r"/253/(\d{13})(.*)$"),
        ("cpi", r"/8010/(.+)/8011/(\d+)$"),
        ("sgcn", r"/255/(\d{13})(\d{0,12})$"),
        ("ginc", r"/401/(.+)$"),
        ("gsin", r"/402/(\d{17})$"),
        ("itip", r"/8006/(\d{18})/21/(.+)$"),
        ("pgln", r"/417/(\d{13})$"),
    )
)


def dl_to_urn(uri: str, gcp_length: int) -> str:
    """The EPC pure-identity URN of a DL URI, given the company prefix length (6–12).

    Like the OpenEPCIS translator this rearranges, it does not re-check check digits (the URN
    drops them); `ident parse` of the DL URI does.
    """
    m0 = re.match(r"^https?://[^/]+(/.*)$", uri)
    if m0 is None:
        raise InvalidCode(f"not an http(s) URI: {uri!r}")
    if not 6 <= gcp_length <= 12:
        raise InvalidCode(f"GS1 company prefix length {gcp_length} is not 6 to 12")
    path = m0.group(1)
    for name, pattern in _DL_PATTERNS:
        m = pattern.search(path)
        if m is None:
            continue
        key, rest = m.group(1), m.group(2) if m.lastindex and m.lastindex > 1 else None
        n = gcp_length
        if name in ("sgtin", "upui", "itip", "sscc"):
            digits = key[:14] if name == "itip" else key
            head = f"{digits[1 : 1 + n]}.{digits[0]}{digits[1 + n : -1]}"
            if name == "itip":
                head += f".{key[14:16]}.{key[16:18]}"
            return f"urn:epc:id:{name}:{head}" + (f".{rest}" if name != "sscc" else "")
        if name in ("giai", "ginc", "cpi"):
            if len(key) <= n or not key[:n].isdigit():
                raise InvalidCode(f"{name}: {key!r} too short for a {n}-digit company prefix")
            urn = f"urn:epc:id:{name}:{key[:n]}.{key[n:]}"
            return urn + (f".{rest}" if name == "cpi" else "")
        body = key[:-1]
        if name == "sgln":
            return f"urn:epc:id:sgln:{body[:n]}.{body[n:]}.{rest or 0}"
        if name in ("grai", "gdti", "sgcn"):
            if name == "grai" and not rest:
                raise InvalidCode("grai: no serial component")
            return f"urn:epc:id:{name}:{body[:n]}.{body[n:]}.{rest}"
        return f"urn:epc:id:{name}:{body[:n]}.{body[n:]}"
    raise InvalidCode(f"no EPC scheme for DL URI {uri!r}")
