"""Validate EPCIS 2.0 documents, JSON-LD or XML, against GS1's schemas and the contract's rules.

Valid = GS1's JSON schema with format checks (or the XSD for XML), plus: bare-word vocabulary
values (bizStep, disposition, business transaction / source / destination types, error
reasons) must be CBV 2.0 terms, anything else must be an absolute URI; EPCIS 1.x documents are
rejected as "not 2.0". Relaxations are listed in `schemas._relax`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from supplymesh.trace.epcis import schemas
from supplymesh.trace.epcis.model import ValidationReport

EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
DOCUMENT_TYPES = frozenset({"EPCISDocument", "EPCISQueryDocument"}) | EVENT_TYPES
NS_EPCIS_1 = "urn:epcglobal:epcis:xsd:1"
NS_EPCIS = "urn:epcglobal:epcis:xsd:2"
NS_QUERY = "urn:epcglobal:epcis-query:xsd:2"
NS_MASTERDATA = "urn:epcglobal:epcis-masterdata:xsd:2"
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_XML_VOCAB = {
    "bizStep": "bizStep",
    "disposition": "disposition",
    "set": "disposition",
    "unset": "disposition",
    "reason": "error-reason",
}
_XML_TYPED = {
    "bizTransaction": "bizTransaction-type",
    "source": "source-dest-type",
    "destination": "source-dest-type",
}


def _not_2_0(version: object) -> bool:
    return str(version).strip().startswith("1.")


def _where(path: Any) -> str:
    return "/".join(str(p) for p in path) or "(document)"


def _short(message: str, limit: int = 240) -> str:
    # anyOf failures quote the whole event; the path already says where.
    return message if len(message) <= limit else message[:limit] + "…"


def validate_json(doc: object, source: str = "<json>") -> ValidationReport:
    """Validate a parsed JSON-LD document, event or query definition."""
    if not isinstance(doc, dict):
        return ValidationReport(source, "json", "?", ("not a JSON object",))
    kind = str(doc.get("type", ""))
    if "schemaVersion" in doc and _not_2_0(doc["schemaVersion"]):
        msg = f"EPCIS {doc['schemaVersion']} document: not 2.0"
        return ValidationReport(source, "json", kind or "?", (msg,))
    if not kind:
        context = json.dumps(doc.get("@context", ""))
        if (
            "query-schema" in context
            or "eventType" in doc
            or any(k.startswith(("EQ_", "GE_", "LT_", "MATCH_")) for k in doc)
        ):
            errors = [
                f"{_where(e.absolute_path)}: {_short(e.message)}"
                for e in schemas.query_validator().iter_errors(doc)
            ]
            return ValidationReport(source, "json", "query", tuple(errors))
        return ValidationReport(source, "json", "?", ("no 'type': not an EPCIS document",))
    if kind not in DOCUMENT_TYPES:
        return ValidationReport(source, "json", kind, (f"unknown document type {kind!r}",))
    errors = sorted(
        (
            f"{_where(e.absolute_path)}: {_short(e.message)}"
            for e in schemas.json_validator().iter_errors(doc)
        ),
    )
    return ValidationReport(source, "json", kind, tuple(errors))


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _wrap_event(text: str) -> str:
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    return (
        f'<epcis:EPCISDocument xmlns:epcis="{NS_EPCIS}" schemaVersion="2.0" '
        'creationDate="2000-01-01T00:00:00Z"><EPCISBody><EventList>'
        f"{body}</EventList></EPCISBody></epcis:EPCISDocument>"
    )


def _cbv_errors(root: Any) -> list[str]:
    terms = schemas.cbv_terms()
    errors: list[str] = []

    def check(value: str, vocab: str, what: str) -> None:
        value = value.strip()
        if value and not _ABSOLUTE_URI.match(value) and value not in terms[vocab]:
            errors.append(f"{what}: {value!r} is neither a CBV 2.0 term nor an absolute URI")

    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        _, name = _local(el.tag)
        if name in _XML_VOCAB and el.text:
            check(el.text, _XML_VOCAB[name], name)
        if name in _XML_TYPED and el.get("type") is not None:
            check(el.get("type"), _XML_TYPED[name], f"{name}/@type")
    return errors


def validate_xml(data: bytes | str, source: str = "<xml>") -> ValidationReport:
    """Validate an EPCIS 2.0 XML document (capture, query or master data) or a bare event."""
    import xmlschema

    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        # defuse="always": no DTDs or entities in capture documents, so none are expanded.
        resource = xmlschema.XMLResource(text, defuse="always")
    except (xmlschema.XMLResourceError, SyntaxError, ValueError) as exc:
        return ValidationReport(source, "xml", "?", (f"not well-formed XML: {exc}",))
    root = resource.root
    ns, name = _local(root.tag)
    if ns == NS_EPCIS_1 or _not_2_0(root.get("schemaVersion", "2.0")):
        version = root.get("schemaVersion", "1.x")
        return ValidationReport(source, "xml", name, (f"EPCIS {version} document: not 2.0",))
    if name in EVENT_TYPES:
        text = _wrap_event(text)  # a bare event is checked as the one event of a document
        resource = xmlschema.XMLResource(text, defuse="always")
        kind_schema = "epcis"
    elif ns == NS_QUERY:
        kind_schema = "query"
    elif ns == NS_MASTERDATA:
        kind_schema = "masterdata"
    elif ns == NS_EPCIS:
        kind_schema = "epcis"
    else:
        return ValidationReport(source, "xml", name, (f"not an EPCIS 2.0 root: {root.tag}",))
    schema = schemas.xml_schema(kind_schema)
    errors = [
        f"{e.path or '(document)'}: {e.reason or e.message}" for e in schema.iter_errors(resource)
    ]
    errors += _cbv_errors(resource.root)
    return ValidationReport(source, "xml", name, tuple(errors))


def validate_file(path: Path) -> ValidationReport:
    """Validate one file; XML when it starts with ``<``, JSON otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return ValidationReport(str(path), "?", "?", (f"cannot read: {exc}",))
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return validate_xml(raw, str(path))
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return ValidationReport(str(path), "json", "?", (f"not valid JSON: {exc}",))
    return validate_json(doc, str(path))
