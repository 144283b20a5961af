"""Trace routes: EPCIS capture and query, the enterprise's ledger, issued codes and labels.

Thin: parse, call a use case, commit once, present. Capture is synchronous: a document is
stored (or rejected whole) before the answer, so the answer is 201 with what was stored
rather than EPCIS's asynchronous 202 capture job.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from supplymesh.api.deps import UowDep, get_container
from supplymesh.platform.errors import NotFound, invalid
from supplymesh.platform.types import MAX_INT
from supplymesh.trace import passport, recall
from supplymesh.trace.epcis import capture as epcis_capture
from supplymesh.trace.epcis import query as epcis_query
from supplymesh.trace.ident import issuing
from supplymesh.trace.ledger import store as ledger
from supplymesh.trace.model import IssuedCode, LedgerTreeHead

router = APIRouter(prefix="/api/v1", tags=["trace"])
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Size = Annotated[int, Query(ge=0, le=MAX_INT)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


# --- EPCIS ------------------------------------------------------------------------------------


_DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/ld+json": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
            "application/xml": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/epcis/capture", status_code=201, tags=["epcis"], openapi_extra=_DOCUMENT_BODY)
def capture(
    request: Request, uow: UowDep, body: Annotated[bytes, Depends(_raw_body)]
) -> dict[str, object]:
    """Capture an EPCISDocument (JSON-LD or XML); an invalid one is rejected whole (422)."""
    result = epcis_capture.capture(uow, body, request.headers.get("content-type", ""))
    uow.commit()
    return result.to_json()


@router.get("/epcis/events", tags=["epcis"])
def events(request: Request, uow: UowDep) -> JSONResponse:
    """SimpleEventQuery over your events; the next page is in the ``Link`` header."""
    query = epcis_query.parse(request.query_params.multi_items())
    page = epcis_query.run(uow, query)
    headers = {}
    if page.next_token:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "nextPageToken"]
        qs = urlencode([*params, ("nextPageToken", page.next_token)])
        headers["Link"] = f'<{request.url.path}?{qs}>; rel="next"'
        headers["GS1-Next-Page-Token"] = page.next_token
    return JSONResponse(
        epcis_query.query_document(page), headers=headers, media_type="application/ld+json"
    )


# --- trace and recall -------------------------------------------------------------------------

EpcParam = Annotated[str, Query(min_length=1, max_length=300)]
DepthParam = Annotated[int, Query(ge=0, le=recall.MAX_DEPTH)]


@router.get("/trace/forward", tags=["epcis"])
def trace_forward(
    uow: UowDep, epc: EpcParam, max_depth: DepthParam = recall.DEFAULT_DEPTH
) -> dict[str, object]:
    """Where an EPC or lot went: everything made from it or packed with it, and where."""
    return recall.walk(uow, epc, "forward", max_depth).to_json()


@router.get("/trace/backward", tags=["epcis"])
def trace_backward(
    uow: UowDep, epc: EpcParam, max_depth: DepthParam = recall.DEFAULT_DEPTH
) -> dict[str, object]:
    """What a unit is made of, down to supplier lots, and the sites on the way."""
    return recall.walk(uow, epc, "backward", max_depth).to_json()


@router.get("/trace/passport", tags=["epcis"])
def product_passport(
    request: Request,
    uow: UowDep,
    code: Annotated[str, Query(min_length=1, max_length=1000, description="a GS1 Digital Link")],
) -> dict[str, object]:
    """The product passport of a Digital Link as you may see it (link type ``gs1:pip``)."""
    scanned = passport.ScannedCode.parse(code)
    return passport.build(get_container(request).db, scanned, uow.ctx).to_json()


# --- ledger -----------------------------------------------------------------------------------


class KeyCreate(BaseModel):
    """A passphrase (the key is kept here, encrypted with it) or an agent's public key."""

    passphrase: str | None = Field(default=None, min_length=8, max_length=200)
    public_key_pem: str | None = Field(default=None, max_length=2000)


class HeadSign(BaseModel):
    """Sign now with the passphrase, or hand in a head your agent signed."""

    passphrase: str | None = Field(default=None, max_length=200)
    tree_size: int | None = Field(default=None, ge=0, le=MAX_INT)
    timestamp_ms: int | None = Field(default=None, ge=0, le=MAX_INT)
    signature: str | None = Field(default=None, max_length=100)


class WitnessCreate(BaseModel):
    """A head of another enterprise's log that you saw, co-signed with your key."""

    enterprise_id: Id
    tree_size: int = Field(ge=0, le=MAX_INT)
    root_hash: str = Field(pattern="^[0-9a-f]{64}$")
    timestamp_ms: int = Field(ge=0, le=MAX_INT)
    passphrase: str = Field(max_length=200)
    consistency_proof: list[str] = Field(default_factory=list, max_length=64)


def _head_json(uow: UowDep, row: LedgerTreeHead) -> dict[str, Any]:
    cosigs = ledger.witnesses_of(uow, row.id)
    return {
        **ledger.head_value(row).to_json(),
        "enterprise_id": row.enterprise_id,
        "key_id": row.key_id,
        "witnesses": [
            {"enterprise_id": c.enterprise_id, "key_id": c.key_id, "signature": c.signature}
            for c in cosigs
        ],
    }


@router.post("/ledger/keys", status_code=201, tags=["ledger"])
def create_key(payload: KeyCreate, uow: UowDep) -> dict[str, object]:
    """Give your log its signing key (once): encrypted with your passphrase, or your agent's."""
    key = ledger.create_key(uow, payload.passphrase, payload.public_key_pem)
    uow.commit()
    return {"key_id": key.key_id, "public_key": key.public_pem, "on_agent": key.on_agent}


@router.get("/ledger/heads/to-sign", tags=["ledger"])
def head_to_sign(uow: UowDep) -> dict[str, object]:
    """The unsigned current head, and the exact bytes your agent signs."""
    head = ledger.head_to_sign(uow)
    return {**head.to_json(), "signed_bytes": head.signed_bytes().decode()}


@router.post("/ledger/heads", status_code=201, tags=["ledger"])
def sign_head(payload: HeadSign, uow: UowDep) -> dict[str, object]:
    """Sign your log's current head (passphrase), or store one your agent signed."""
    if payload.signature is not None:
        if payload.tree_size is None or payload.timestamp_ms is None:
            raise invalid("tree_size", "an agent-signed head needs tree_size and timestamp_ms")
        row = ledger.submit_signed_head(
            uow, payload.tree_size, payload.timestamp_ms, payload.signature
        )
    else:
        row = ledger.sign_head(uow, payload.passphrase or "")
    uow.commit()
    return _head_json(uow, row)


@router.get("/ledger/heads/latest", tags=["ledger"])
def latest_head(
    uow: UowDep, enterprise_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None
) -> dict[str, object]:
    """The newest signed head of your log (or of another enterprise's, for witnesses)."""
    eid = enterprise_id or uow.ctx.enterprise_id
    row = ledger.latest_head(uow, eid)
    if row is None:
        raise NotFound("signed tree head of enterprise", eid)
    return _head_json(uow, row)


@router.get("/ledger/proofs/inclusion", tags=["ledger"])
def inclusion(
    uow: UowDep,
    index: Size,
    tree_size: Size,
    enterprise_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> dict[str, object]:
    """RFC 9162 inclusion proof of leaf `index` in the tree of `tree_size` leaves."""
    p = ledger.inclusion_proof(uow, enterprise_id or uow.ctx.enterprise_id, index, tree_size)
    return {
        "index": p.index,
        "tree_size": p.tree_size,
        "leaf_hash": p.leaf_hash,
        "root_hash": p.root_hash,
        "proof": list(p.path),
    }


@router.get("/ledger/proofs/consistency", tags=["ledger"])
def consistency(
    uow: UowDep,
    first: Size,
    second: Size,
    enterprise_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> dict[str, object]:
    """RFC 9162 consistency proof that tree `first` is a prefix of tree `second`."""
    p = ledger.consistency_proof(uow, enterprise_id or uow.ctx.enterprise_id, first, second)
    return {
        "first": p.first,
        "second": p.second,
        "first_root": p.first_root,
        "second_root": p.second_root,
        "proof": list(p.path),
    }


@router.post("/ledger/witness", status_code=201, tags=["ledger"])
def witness(payload: WitnessCreate, uow: UowDep) -> dict[str, object]:
    """Co-sign a head of a partner's log you have seen (checked against the last you saw)."""
    cosig = ledger.witness(
        uow,
        payload.enterprise_id,
        payload.tree_size,
        payload.root_hash,
        payload.timestamp_ms,
        payload.passphrase,
        payload.consistency_proof,
    )
    uow.commit()
    return {"key_id": cosig.key_id, "signature": cosig.signature, "head_id": cosig.head_pk}


# --- codes ------------------------------------------------------------------------------------


class CodeIssue(BaseModel):
    """What to issue: see `issuing.IssueRequest`."""

    kind: issuing.CodeKind
    count: int = Field(default=1, ge=1, le=issuing.MAX_BATCH)
    gtin: str | None = Field(default=None, max_length=14)
    company_prefix: str | None = Field(default=None, max_length=12)
    extension_digit: int = Field(default=0, ge=0, le=9)
    handle_prefix: str | None = Field(default=None, max_length=60)
    subject: str | None = Field(default=None, max_length=200)


def _code_json(c: IssuedCode) -> dict[str, object]:
    return {
        "id": c.id,
        "kind": c.kind,
        "scheme": c.scheme,
        "scope": c.scope,
        "serial": c.serial,
        "code": c.code,
        "uri": c.uri,
        "subject": c.subject,
    }


@router.post("/codes/issue", status_code=201, tags=["codes"])
def issue_codes(payload: CodeIssue, uow: UowDep, request: Request) -> dict[str, object]:
    """Issue the next codes of a serial range (never reused); labels point at our scan page."""
    codes = issuing.issue(
        uow, issuing.IssueRequest(**payload.model_dump()), stem=str(request.base_url)
    )
    uow.commit()
    return {"items": [_code_json(c) for c in codes]}


def _one(uow: UowDep, code_id: int) -> IssuedCode:
    found = issuing.issued(uow, [code_id])
    if not found:
        raise NotFound("issued code", code_id)
    return found[0]


@router.get("/codes/sheet", response_class=HTMLResponse, tags=["codes"])
def sheet(
    uow: UowDep,
    ids: Annotated[str, Query(max_length=4000, pattern=r"^[0-9]{1,18}(,[0-9]{1,18})*$")],
    columns: Annotated[int, Query(ge=1, le=6)] = 3,
) -> HTMLResponse:
    """A printable A4 sheet of labels for the codes `ids` (comma-separated)."""
    wanted = [int(i) for i in ids.split(",")]
    if len(wanted) > 200:
        raise invalid("ids", f"{len(wanted)} codes: at most 200 labels per sheet")
    codes = issuing.issued(uow, wanted)
    missing = sorted(set(wanted) - {c.id for c in codes})
    if missing:
        raise NotFound("issued code", missing[0])
    return HTMLResponse(issuing.sheet_html(codes, columns))


@router.get("/codes/{code_id}/label.svg", tags=["codes"])
def label_svg(code_id: Annotated[int, Path(ge=1, le=MAX_INT)], uow: UowDep) -> Response:
    """The label of one code as SVG (QR code and text)."""
    return Response(issuing.label_svg(_one(uow, code_id)), media_type="image/svg+xml")


@router.get("/codes/{code_id}/label.png", tags=["codes"])
def label_png(code_id: Annotated[int, Path(ge=1, le=MAX_INT)], uow: UowDep) -> Response:
    """The QR code of one code as PNG."""
    return Response(issuing.label_png(_one(uow, code_id)), media_type="image/png")
