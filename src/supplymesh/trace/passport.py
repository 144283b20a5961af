"""The product passport behind a scanned GS1 Digital Link: what it is, where it has been, and
whether each step is provably in its owner's ledger.

Issuing a Digital Link code is the owner publishing that item: so anyone who scans it sees the
item's public attributes and the owner's own EPCIS events for that instance or lot. A signed-in
enterprise sees, besides, the partner-only attributes when it is the owner's partner, and the
events of other enterprises its grants let it read (through its own unit of work).

Verification trusts no stored hash. For each event the ledger entry is rebuilt from the event
as stored, hashed as an RFC 9162 leaf, checked against the recorded leaf and its entry, and
proved into the owner's latest signed tree head, whose Ed25519 signature and witness
co-signatures are checked with the public keys on record. The tree is rebuilt from the leaf
rows on each request rather than taken from the process's cache, so a row changed behind the
platform's back shows up at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import ColumnElement, or_, select

from supplymesh.network.model import Enterprise, Item, Site
from supplymesh.platform.errors import NotFound
from supplymesh.platform.tenancy import TenantContext, TenantSession
from supplymesh.platform.uow import Database
from supplymesh.trace import flows
from supplymesh.trace.epcis.store import PreparedEvent, iso_utc
from supplymesh.trace.ident.digital_link import parse_dl_uri
from supplymesh.trace.ident.model import InvalidCode
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.merkle import MerkleTree, ProofError, leaf_hash, verify_inclusion
from supplymesh.trace.ledger.model import LedgerError, canonical_json
from supplymesh.trace.ledger.store import head_value
from supplymesh.trace.model import (
    EpcisEvent,
    EpcisEventEpc,
    IssuedCode,
    LedgerKey,
    LedgerLeaf,
    LedgerTreeHead,
    LedgerWitness,
)

Status = Literal["verified", "not_in_ledger", "proof_fails"]
MAX_EVENTS = 500


class UnknownCode(NotFound):
    """A well-formed code that nobody on the platform issued or lists as an item."""


@dataclass(frozen=True)
class ScannedCode:
    """A Digital Link scanned on our host: its GTIN and the lot and serial when present."""

    uri: str
    gtin: str
    lot: str | None
    serial: str | None
    ais: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, uri: str) -> ScannedCode:
        """Parse a DL URI; `InvalidCode` names what is wrong (a passport needs AI 01)."""
        pairs = parse_dl_uri(uri)
        found = dict(pairs)
        if "01" not in found:
            raise InvalidCode(f"a product passport needs a GTIN (AI 01); got {pairs[0][0]}")
        return cls(uri, found["01"], found.get("10"), found.get("21"), tuple(pairs))

    def epcs(self) -> list[str]:
        """The EPC URNs events may name this code by (every company prefix length)."""
        out: list[str] = []
        if self.serial is not None:
            out += flows.candidate_serials(self.gtin, self.serial)
        if self.lot is not None:
            out += flows.candidate_classes(self.gtin, self.lot)
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "gtin": self.gtin,
            "lot": self.lot,
            "serial": self.serial,
            "ais": [list(p) for p in self.ais],
        }


@dataclass(frozen=True)
class Verdict:
    """Whether one event is provably in its owner's ledger; `reason` is a short code."""

    status: Status
    reason: str | None = None
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True)
class Party:
    """An enterprise as the passport names it."""

    id: int
    code: str
    name: str
    name_en: str | None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "code": self.code, "name": self.name, "name_en": self.name_en}


@dataclass(frozen=True)
class Place:
    """Where an event happened: the location URN and the site it names, when known."""

    id: str | None
    site_code: str | None = None
    name: str | None = None
    name_en: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "site_code": self.site_code,
            "name": self.name,
            "name_en": self.name_en,
            "city": self.city,
        }


@dataclass(frozen=True)
class Step:
    """One event of the history."""

    event_id: str | None
    event_type: str
    biz_step: str | None
    disposition: str | None
    time: str
    place: Place
    who: Party
    ledger_index: int | None
    verdict: Verdict

    def to_json(self) -> dict[str, object]:
        return {
            "eventID": self.event_id,
            "type": self.event_type,
            "bizStep": self.biz_step,
            "disposition": self.disposition,
            "eventTime": self.time,
            "place": self.place.to_json(),
            "who": self.who.to_json(),
            "ledgerIndex": self.ledger_index,
            "verification": self.verdict.to_json(),
        }


@dataclass(frozen=True)
class LedgerCheck:
    """The latest signed tree head of one log, and whether its signatures verify."""

    enterprise_id: int
    tree_size: int | None
    root_hash: str | None
    signature_ok: bool
    witnesses: tuple[tuple[int, bool], ...]
    problem: Verdict | None

    def to_json(self) -> dict[str, object]:
        return {
            "enterprise_id": self.enterprise_id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "signature_ok": self.signature_ok,
            "witnesses": [{"enterprise_id": e, "ok": ok} for e, ok in self.witnesses],
        }


@dataclass(frozen=True)
class Passport:
    """Everything the scan page shows."""

    code: ScannedCode
    owner: Party
    item_name: str
    item_name_en: str | None
    public: dict[str, str]
    partner: dict[str, str] | None
    history: tuple[Step, ...]
    ledgers: tuple[LedgerCheck, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        out = {"verified": 0, "not_in_ledger": 0, "proof_fails": 0}
        for s in self.history:
            out[s.verdict.status] += 1
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "linkType": "gs1:pip",
            "code": self.code.to_json(),
            "item": {
                "name": self.item_name,
                "name_en": self.item_name_en,
                "owner": self.owner.to_json(),
                "public": self.public,
                "partner": self.partner,
            },
            "history": [s.to_json() for s in self.history],
            "ledgers": [c.to_json() for c in self.ledgers],
            "counts": self.counts(),
        }


# --- what it is -------------------------------------------------------------------------------


def _gtin_forms(gtin: str) -> list[str]:
    # items may store GTIN-8/12/13 without the leading zeros of the GTIN-14 form
    return sorted({gtin, gtin.lstrip("0").zfill(8), gtin[1:], gtin[2:], gtin[6:]})


def _owner_item(session: TenantSession, code: ScannedCode) -> Item:
    issuer = session.scalar(
        select(IssuedCode.enterprise_id)
        .where(IssuedCode.scope.like(f"gtin:{code.gtin}:%"))
        .order_by(IssuedCode.id)
        .limit(1)
    )
    stmt = select(Item).where(Item.gtin.in_(_gtin_forms(code.gtin)))
    if issuer is not None:
        stmt = stmt.where(Item.enterprise_id == issuer)
    item = session.scalar(stmt.order_by(Item.id).limit(1))
    if item is None:
        raise UnknownCode("GTIN", code.gtin)
    return item


def _party(session: TenantSession, enterprise_id: int, cache: dict[int, Party]) -> Party:
    if enterprise_id not in cache:
        ent = session.get(Enterprise, enterprise_id)
        cache[enterprise_id] = (
            Party(ent.id, ent.code, ent.name, ent.name_en)
            if ent is not None
            else Party(enterprise_id, str(enterprise_id), str(enterprise_id), None)
        )
    return cache[enterprise_id]


def _attributes(item: Item) -> tuple[dict[str, str], dict[str, str]]:
    """Public and partner-only attributes, as the resolver's records carry them."""
    public = {"name": item.name, "base_unit": item.base_unit}
    public |= {k: v for k, v in (("name_en", item.name_en), ("category", item.category)) if v}
    partner = {"sku": item.sku}
    if item.price is not None:
        partner |= {"price": str(item.price), "currency": item.currency}
    if item.weight_kg is not None:
        partner["weight_kg"] = str(item.weight_kg)
    return public, partner


# --- where it has been ------------------------------------------------------------------------


def _matching(code: ScannedCode) -> ColumnElement[bool]:
    epcs = code.epcs()
    if epcs:
        return EpcisEventEpc.epc.in_(epcs)
    likes = []
    for n in range(6, 13):  # the GTIN alone: every instance and lot of it
        part = flows.epc_part(code.gtin, n)
        likes += [
            EpcisEventEpc.epc.like(f"urn:epc:id:sgtin:{part}.%"),
            EpcisEventEpc.epc.like(f"urn:epc:class:lgtin:{part}.%"),
            EpcisEventEpc.epc == f"urn:epc:idpat:sgtin:{part}.*",
        ]
    return or_(*likes)


def _event_ids(session: TenantSession, code: ScannedCode, owner: int | None) -> set[int]:
    stmt = select(EpcisEvent.id).where(
        EpcisEvent.id.in_(select(EpcisEventEpc.event_pk).where(_matching(code)))
    )
    if owner is not None:
        stmt = stmt.where(EpcisEvent.enterprise_id == owner)
    return set(session.scalars(stmt.limit(MAX_EVENTS)))


def place_of(session: TenantSession, location: str | None, cache: dict[str, Place]) -> Place:
    """The site a location URN names (read past tenancy: a GLN is public), cached."""
    if location is None:
        return Place(None)
    if location not in cache:
        found = flows.site_of_location(location)
        site = None
        if found is not None and found[0] == "gln12":
            site = session.scalar(
                select(Site).where(Site.gln.like(f"{found[1]}_")).order_by(Site.id).limit(1)
            )
        elif found is not None and found[1].isdigit():
            site = session.get(Site, int(found[1]))
        cache[location] = (
            Place(location)
            if site is None
            else Place(
                location, site.code, site.name, site.name_en, site.city, site.latitude,
                site.longitude,
            )
        )  # fmt: skip
    return cache[location]


# --- verification -----------------------------------------------------------------------------


@dataclass
class _Log:
    check: LedgerCheck
    tree: MerkleTree | None = None
    leaves: dict[int, LedgerLeaf] = field(default_factory=dict)


def _verify_head(session: TenantSession, enterprise_id: int) -> tuple[LedgerCheck, int | None]:
    row = session.scalar(
        select(LedgerTreeHead)
        .where(LedgerTreeHead.enterprise_id == enterprise_id)
        .order_by(LedgerTreeHead.tree_size.desc(), LedgerTreeHead.timestamp_ms.desc())
        .limit(1)
    )
    if row is None:
        none = Verdict("not_in_ledger", "no_signed_head", "the owner has signed no tree head yet")
        return LedgerCheck(enterprise_id, None, None, False, (), none), None
    head = head_value(row)
    key = session.scalar(select(LedgerKey).where(LedgerKey.enterprise_id == enterprise_id))
    ok = key is not None and signing.verify(
        key.public_pem.encode(), head.signed_bytes(), head.signature
    )
    problem = (
        None
        if ok
        else Verdict(
            "proof_fails",
            "bad_head_signature",
            f"tree head of size {row.tree_size} does not verify under the owner's Ed25519 key",
        )
    )
    witnesses = []
    for w in session.scalars(select(LedgerWitness).where(LedgerWitness.head_pk == row.id)):
        wkey = session.scalar(select(LedgerKey).where(LedgerKey.key_id == w.key_id))
        good = wkey is not None and signing.verify(
            wkey.public_pem.encode(), head.signed_bytes(), w.signature
        )
        witnesses.append((w.enterprise_id, good))
        if not good and problem is None:
            problem = Verdict(
                "proof_fails",
                "bad_witness",
                f"the co-signature of enterprise {w.enterprise_id} on tree head "
                f"{row.tree_size} does not verify",
            )
    check = LedgerCheck(enterprise_id, row.tree_size, row.root_hash, ok, tuple(witnesses), problem)
    return check, row.tree_size


def _open_log(session: TenantSession, enterprise_id: int, indexes: Iterable[int]) -> _Log:
    check, size = _verify_head(session, enterprise_id)
    log = _Log(check)
    if size is None or check.problem is not None:
        return log
    hashes = session.scalars(
        select(LedgerLeaf.leaf_hash)
        .where(LedgerLeaf.enterprise_id == enterprise_id, LedgerLeaf.leaf_index < size)
        .order_by(LedgerLeaf.leaf_index)
    ).all()
    if len(hashes) != size:
        problem = Verdict(
            "proof_fails",
            "leaves_missing",
            f"the log holds {len(hashes)} leaves below its signed size {size}",
        )
        log.check = LedgerCheck(
            enterprise_id, size, check.root_hash, True, check.witnesses, problem
        )
        return log
    log.tree = MerkleTree(bytes.fromhex(h) for h in hashes)
    wanted = sorted(i for i in set(indexes) if i < size)
    for leaf in session.scalars(
        select(LedgerLeaf).where(
            LedgerLeaf.enterprise_id == enterprise_id, LedgerLeaf.leaf_index.in_(wanted)
        )
    ):
        log.leaves[leaf.leaf_index] = leaf
    return log


def verify_event(row: EpcisEvent, log: _Log) -> Verdict:
    """The verdict on one event against its owner's log (see the module docstring)."""
    check, index = log.check, row.ledger_index
    if index is None:
        return Verdict("not_in_ledger", "no_entry", "the event was stored without a ledger entry")
    if check.problem is not None:
        return check.problem
    assert check.tree_size is not None and check.root_hash is not None and log.tree is not None
    if index >= check.tree_size:
        return Verdict(
            "not_in_ledger",
            "after_head",
            f"entry {index} is not yet under a signed tree head (size {check.tree_size})",
        )
    leaf = log.leaves.get(index)
    if leaf is None:
        return Verdict("proof_fails", "entry_missing", f"ledger entry {index} is missing")
    try:
        recorded_entry = leaf_hash(canonical_json(leaf.entry)).hex()
    except LedgerError:
        recorded_entry = ""
    if recorded_entry != leaf.leaf_hash:
        return Verdict(
            "proof_fails", "entry_altered", f"ledger entry {index} no longer matches its leaf hash"
        )
    expected = leaf_hash(
        canonical_json(PreparedEvent.of(row.document).ledger_entry(row.record_time))
    )
    if expected.hex() != leaf.leaf_hash:
        return Verdict(
            "proof_fails",
            "event_differs",
            f"the stored event differs from what ledger entry {index} recorded",
        )
    try:
        path = log.tree.inclusion_proof(index, check.tree_size)
        verify_inclusion(index, check.tree_size, expected, path, bytes.fromhex(check.root_hash))
    except (ProofError, ValueError) as exc:
        return Verdict("proof_fails", "proof_mismatch", f"inclusion proof of entry {index}: {exc}")
    return Verdict(
        "verified",
        None,
        f"entry {index} is in the signed tree of size {check.tree_size}"
        + (f", witnessed by {len(check.witnesses)}" if check.witnesses else ""),
    )


# --- the use case -----------------------------------------------------------------------------


def build(db: Database, code: ScannedCode, viewer: TenantContext | None = None) -> Passport:
    """The passport of `code` as `viewer` (None: an anonymous scan) may see it."""
    parties: dict[int, Party] = {}
    places: dict[str, Place] = {}
    with db.system() as system:
        session = system.session
        item = _owner_item(session, code)
        ids = _event_ids(session, code, item.enterprise_id)
    if viewer is not None:
        with db.unit_of_work(viewer) as uow:
            ids |= _event_ids(uow.session, code, None)
    insider = viewer is not None and (
        viewer.enterprise_id == item.enterprise_id or item.enterprise_id in viewer.partner_ids
    )
    public, partner = _attributes(item)
    with db.system() as system:
        session = system.session
        rows = sorted(
            session.scalars(select(EpcisEvent).where(EpcisEvent.id.in_(sorted(ids)))).all(),
            key=lambda r: (r.event_time, r.id),
        )
        logs: dict[int, _Log] = {}
        for owner in sorted({r.enterprise_id for r in rows}):
            indexes = [r.ledger_index for r in rows if r.enterprise_id == owner]
            logs[owner] = _open_log(session, owner, (i for i in indexes if i is not None))
        history = tuple(
            Step(
                r.event_id,
                r.event_type,
                r.biz_step,
                r.disposition,
                iso_utc(r.event_time),
                place_of(session, r.biz_location or r.read_point, places),
                _party(session, r.enterprise_id, parties),
                r.ledger_index,
                verify_event(r, logs[r.enterprise_id]),
            )
            for r in rows
        )
        owner_party = _party(session, item.enterprise_id, parties)
    return Passport(
        code,
        owner_party,
        item.name,
        item.name_en,
        public,
        partner if insider else None,
        history,
        tuple(log.check for log in logs.values()),
    )
