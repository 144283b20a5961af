"""Issuing codes from serial ranges that are never reused, and printing them as QR labels.

A range is one `SerialCounter` row per scope (a GTIN's serials or lots, an SSCC/GIAI/GSRN
company prefix, a Handle prefix). Issuing bumps it with ``UPDATE … RETURNING`` before the
codes are written, in the same transaction: concurrent issuers get disjoint ranges, and the
unique (scope, serial) and (code) constraints would refuse a collision anyway. Every code is
re-parsed by the identifier schemes before it is stored, so check digits and AI rules hold.
Labels are QR codes (segno) carrying the GS1 Digital Link URI, or the Handle for Handle codes.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum
from html import escape

import segno
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from supplymesh.platform.errors import Conflict
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.ident.digital_link import DEFAULT_STEM
from supplymesh.trace.ident.linters import gs1_check_digit
from supplymesh.trace.ident.services import parse_code
from supplymesh.trace.model import IssuedCode, SerialCounter, TraceError

MAX_BATCH = 1000
MAX_SERIAL = 10**18  # counters are BIGINT; no range gets near it one batch at a time


class CodeKind(StrEnum):
    """What a code identifies."""

    ITEM = "item"  # one item instance: GTIN + serial (AI 21)
    LOT = "lot"  # a batch: GTIN + lot (AI 10)
    CASE = "case"  # a logistic unit: SSCC (AI 00)
    PALLET = "pallet"  # a logistic unit: SSCC (AI 00)
    MACHINE = "machine"  # an asset: GIAI (AI 8004)
    SERVICE = "service"  # a service relation: GSRN (AI 8018)


@dataclass(frozen=True)
class IssueRequest:
    """Issue `count` codes of `kind`; GS1 kinds need a GTIN or company prefix, else a Handle
    prefix gives ``prefix/kind.serial`` codes."""

    kind: CodeKind
    count: int = 1
    gtin: str | None = None
    company_prefix: str | None = None
    extension_digit: int = 0
    handle_prefix: str | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_BATCH:
            raise TraceError(f"count {self.count} outside 1..{MAX_BATCH}")
        if not 0 <= self.extension_digit <= 9:
            raise TraceError(f"extension digit {self.extension_digit} is not 0..9")


@dataclass(frozen=True)
class _Range:
    scope: str
    max_serial: int
    scheme: str

    def element_string(self, req: IssueRequest, serial: int) -> str:
        kind, gcp = req.kind, req.company_prefix or ""
        if self.scheme == "handle":
            return f"{req.handle_prefix}/{kind.value}.{serial}"
        if kind is CodeKind.ITEM:
            return f"(01){req.gtin}(21){serial}"
        if kind is CodeKind.LOT:
            return f"(01){req.gtin}(10){serial}"
        if kind in (CodeKind.CASE, CodeKind.PALLET):
            body = f"{req.extension_digit}{gcp}{serial:0{16 - len(gcp)}d}"
            return f"(00){body}{gs1_check_digit(body)}"
        if kind is CodeKind.MACHINE:
            return f"(8004){gcp}{serial}"
        body = f"{gcp}{serial:0{17 - len(gcp)}d}"
        return f"(8018){body}{gs1_check_digit(body)}"


def _range(req: IssueRequest) -> _Range:
    """The serial range a request draws from, after checking its key."""
    if req.handle_prefix is not None:
        parsed = parse_code(f"{req.handle_prefix}/x")
        if parsed.scheme != "handle" or not parsed.valid:
            raise TraceError(f"not a Handle prefix: {req.handle_prefix!r}")
        return _Range(f"handle:{req.handle_prefix}:{req.kind.value}", 10**15, "handle")
    if req.kind in (CodeKind.ITEM, CodeKind.LOT):
        gtin = req.gtin or ""
        if not (len(gtin) == 14 and gtin.isdigit() and parse_code(f"(01){gtin}").valid):
            raise TraceError(f"GTIN {gtin!r} is not 14 digits with a valid check digit")
        part = "serial" if req.kind is CodeKind.ITEM else "lot"
        return _Range(f"gtin:{gtin}:{part}", MAX_SERIAL, "gs1")
    gcp = req.company_prefix or ""
    if not (gcp.isdigit() and 6 <= len(gcp) <= 12):
        raise TraceError(f"company prefix {gcp!r} is not 6-12 digits")
    if req.kind in (CodeKind.CASE, CodeKind.PALLET):
        return _Range(f"sscc:{req.extension_digit}{gcp}", 10 ** (16 - len(gcp)) - 1, "gs1")
    if req.kind is CodeKind.MACHINE:
        return _Range(f"giai:{gcp}", min(MAX_SERIAL, 10 ** (30 - len(gcp)) - 1), "gs1")
    return _Range(f"gsrn:{gcp}", 10 ** (17 - len(gcp)) - 1, "gs1")


def _reserve(uow: UnitOfWork, scope: str, count: int) -> int:
    """Take `count` serials of `scope`; return the first. Creates the range on first use."""

    def bump() -> int | None:
        stmt = (
            update(SerialCounter)
            .where(SerialCounter.scope == scope)
            .values(next_serial=SerialCounter.next_serial + count)
            .returning(SerialCounter.next_serial)
            .execution_options(synchronize_session=False)
        )
        return uow.session.execute(stmt).scalar_one_or_none()

    after = bump()
    if after is None:
        try:
            with uow.session.begin_nested():
                uow.session.add(SerialCounter(scope=scope, next_serial=1))
        except IntegrityError:
            pass  # created meanwhile by another issuer, or owned by another enterprise
        after = bump()
        if after is None:
            raise Conflict(f"serial range {scope} belongs to another enterprise")
    return after - count


def issue(uow: UnitOfWork, req: IssueRequest, stem: str | None = None) -> list[IssuedCode]:
    """Issue the next `count` codes of the request's range to the caller's enterprise.

    `stem` is the host the labels' Digital Link URIs point at: ours, so a scan opens the
    product passport (GS1's own resolver, ``https://id.gs1.org``, when not given).
    """
    rng = _range(req)
    first = _reserve(uow, rng.scope, req.count)
    if first + req.count - 1 > rng.max_serial:
        raise TraceError(f"serial range {rng.scope} is exhausted at {rng.max_serial}")
    codes: list[IssuedCode] = []
    for serial in range(first, first + req.count):
        text = rng.element_string(req, serial)
        parsed = parse_code(text).require_valid()
        codes.append(
            IssuedCode(
                scope=rng.scope,
                serial=serial,
                kind=req.kind.value,
                scheme=rng.scheme,
                code=parsed.bracketed or text,
                uri=_on_stem(parsed.digital_link, stem) or text,
                subject=req.subject,
            )
        )
    uow.session.add_all(codes)
    uow.flush()
    return codes


def _on_stem(uri: str | None, stem: str | None) -> str | None:
    if uri is None or stem is None or not uri.startswith(DEFAULT_STEM + "/"):
        return uri
    return stem.rstrip("/") + uri.removeprefix(DEFAULT_STEM)


def issued(uow: UnitOfWork, ids: list[int]) -> list[IssuedCode]:
    """Issued codes the caller may see, in the order asked."""
    rows = {c.id: c for c in uow.session.scalars(select(IssuedCode).where(IssuedCode.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows]


# --- labels -----------------------------------------------------------------------------------


def qr(code: IssuedCode) -> segno.QRCode:
    """The QR symbol of a code (error correction M, as GS1's QR guideline recommends)."""
    return segno.make(code.uri, error="m", micro=False)


def label_svg(code: IssuedCode, scale: int = 4) -> str:
    """One label: the QR code and the human-readable code under it, the URI as the title."""
    symbol = qr(code).svg_inline(scale=scale, border=4, omitsize=False)
    size = qr(code).symbol_size(scale=scale, border=4)[0]
    lines = [code.code, *([code.subject] if code.subject else [])]
    height = size + 14 * len(lines) + 6
    texts = "".join(
        f'<text x="{size // 2}" y="{size + 14 * (i + 1)}" text-anchor="middle" '
        f'font-family="monospace" font-size="10">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" '
        f'viewBox="0 0 {size} {height}"><title>{escape(code.uri)}</title>'
        f"{symbol}{texts}</svg>"
    )


def _png_text_chunk(key: str, value: str) -> bytes:
    data = key.encode("latin-1") + b"\x00" + value.encode("latin-1", "replace")
    body = b"tEXt" + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def label_png(code: IssuedCode, scale: int = 8) -> bytes:
    """The QR code as PNG, with the URI and code in ``tEXt`` chunks for whoever files it."""
    buf = io.BytesIO()
    qr(code).save(buf, kind="png", scale=scale, border=4)
    png = buf.getvalue()
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, length, type, IHDR data, CRC
    chunks = _png_text_chunk("URI", code.uri) + _png_text_chunk("Title", code.code)
    return png[:ihdr_end] + chunks + png[ihdr_end:]


def sheet_html(codes: list[IssuedCode], columns: int = 3, title: str = "Labels") -> str:
    """A printable A4 page of labels: QR code and human-readable text under each."""
    cells = "".join(
        f'<div class="label">{qr(c).svg_inline(scale=3, border=2)}'
        f'<div class="code">{escape(c.code)}</div>'
        + (f'<div class="subject">{escape(c.subject)}</div>' if c.subject else "")
        + "</div>"
        for c in codes
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>"
        "@page{size:A4;margin:10mm}body{margin:0;font-family:sans-serif}"
        f".sheet{{display:grid;grid-template-columns:repeat({columns},1fr);gap:4mm}}"
        ".label{break-inside:avoid;text-align:center;border:1px dashed #bbb;padding:2mm}"
        ".code{font-family:monospace;font-size:9pt;word-break:break-all}"
        ".subject{font-size:8pt}</style></head>"
        f'<body><div class="sheet">{cells}</div></body></html>'
    )
