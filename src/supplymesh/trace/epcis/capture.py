"""Capture: read an EPCIS 2.0 document (JSON-LD or XML), validate it whole, then store it.

XML is validated against GS1's XSD first and then converted to the JSON-LD form (the one
form we store and answer queries in), following the XML/JSON mapping of EPCIS 2.0 section
12: list wrappers become arrays, typed list items (business transactions, sources,
destinations) objects with ``type``, sensor attributes properties, and elements of other
namespaces ``prefix:name`` keys with their namespaces added to the ``@context``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.uow import UnitOfWork
from supplymesh.trace.epcis.services import EVENT_TYPES, validate_json, validate_xml
from supplymesh.trace.epcis.store import EPCIS_CONTEXT_URL, CaptureResult, iso_utc, store_events

_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source"}
_TYPED_LISTS["destinationList"] = "destination"
_NUMERIC_ATTRS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_WRAPPERS = frozenset({"extension", "baseExtension"})


def _rejected(errors: tuple[str, ...] | list[str], summary: str) -> ValidationFailed:
    fields = []
    for err in errors:
        where, sep, message = err.partition(": ")
        fields.append(FieldError(where if sep else "document", message if sep else err))
    return ValidationFailed(fields, summary)


# --- XML to JSON ------------------------------------------------------------------------------


def _put(obj: dict[str, Any], key: str, value: object) -> None:
    """Set a property; a repeated element becomes a JSON array, in document order."""
    if key in obj:
        prior = obj[key]
        obj[key] = [*(prior if isinstance(prior, list) else [prior]), value]
    else:
        obj[key] = value


class _Converter:
    """Turn one validated XML capture document into its JSON-LD form."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.prefix_of: dict[str, str] = {}
        for prefix, uri in namespaces.items():  # document order: the first prefix of a URI wins
            if prefix:
                self.prefix_of.setdefault(uri, prefix)
        self.used: dict[str, str] = {}

    def key(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag
        uri, _, local = tag[1:].partition("}")
        prefix = self.prefix_of.get(uri) or f"ns{len(self.prefix_of)}"
        self.prefix_of.setdefault(uri, prefix)
        self.used[prefix] = uri
        return f"{prefix}:{local}"

    @staticmethod
    def number(text: str) -> int | float | str:
        value = float(text)
        if not math.isfinite(value):
            return text  # JSON has no INF or NaN: keep the XML text
        return int(value) if value.is_integer() and "." not in text and "e" not in text else value

    def typed(self, el: Any) -> object:
        text = (el.text or "").strip()
        xsi = el.get(_XSI_TYPE, "").rpartition(":")[2]
        if xsi == "boolean":
            return text in ("true", "1")
        if xsi in ("integer", "int", "long", "short", "decimal", "float", "double"):
            try:
                return self.number(text)
            except ValueError:
                return text
        return text

    def extension(self, el: Any) -> object:
        """A user extension element: an object of its children, or its typed text."""
        children = [c for c in el if isinstance(c.tag, str)]
        attrs = {self.key(k): v for k, v in el.attrib.items() if k != _XSI_TYPE}
        if not children and not attrs:
            return self.typed(el)
        obj: dict[str, Any] = attrs  # attributes of an extension element are its properties
        for c in children:
            _put(obj, self.key(c.tag), self.extension(c))
        return obj

    def attrs(self, el: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in el.attrib.items():
            key = self.key(name)
            if key in _NUMERIC_ATTRS:
                out[key] = self.number(value)
            elif key == "booleanValue":
                out[key] = value in ("true", "1")
            else:
                out[key] = value
        return out

    def sensor_element(self, el: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for c in el:
            if not isinstance(c.tag, str):
                continue
            if c.tag == "sensorMetadata":
                obj["sensorMetadata"] = self.attrs(c)
            elif c.tag == "sensorReport":
                obj.setdefault("sensorReport", []).append(self.attrs(c))
            else:
                _put(obj, self.key(c.tag), self.extension(c))
        return obj

    def field(self, name: str, el: Any) -> object:
        children = [c for c in el if isinstance(c.tag, str)]
        if name in _EPC_LISTS or name == "correctiveEventIDs":
            return [(c.text or "").strip() for c in children]
        if name in _QUANTITY_LISTS:
            return [self.quantity(c) for c in children]
        if name in _TYPED_LISTS:
            item = _TYPED_LISTS[name]
            return [
                {**({"type": c.get("type")} if c.get("type") else {}), item: (c.text or "").strip()}
                for c in children
            ]
        if name == "sensorElementList":
            return [self.sensor_element(c) for c in children]
        if name == "persistentDisposition":
            out: dict[str, list[str]] = {}
            for c in children:
                out.setdefault(c.tag, []).append((c.text or "").strip())
            return out
        if name in ("readPoint", "bizLocation", "errorDeclaration", "ilmd"):
            return self.object(children)
        if not children:
            return (el.text or "").strip()
        return self.object(children)

    def quantity(self, el: Any) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for c in el:
            if isinstance(c.tag, str):
                text = (c.text or "").strip()
                obj[self.key(c.tag)] = self.number(text) if c.tag == "quantity" else text
        return obj

    def object(self, children: list[Any]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for c in children:
            if c.tag in _WRAPPERS:
                obj.update(self.object([g for g in c if isinstance(g.tag, str)]))
            elif c.tag.startswith("{"):
                _put(obj, self.key(c.tag), self.extension(c))
            elif c.tag == "certificationInfo" and "certificationInfo" in obj:
                prior = obj["certificationInfo"]
                obj["certificationInfo"] = [*(prior if isinstance(prior, list) else [prior])]
                obj["certificationInfo"].append((c.text or "").strip())
            else:
                obj[c.tag] = self.field(c.tag, c)
        return obj

    def event(self, el: Any) -> dict[str, Any]:
        _, _, local = el.tag.rpartition("}")
        return {"type": local, **self.object([c for c in el if isinstance(c.tag, str)])}


def xml_to_json(data: bytes | str) -> dict[str, Any]:
    """The JSON-LD form of an (already validated) EPCIS 2.0 XML capture document."""
    import xmlschema

    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    resource = xmlschema.XMLResource(text, defuse="always")
    conv = _Converter(dict(resource.get_namespaces(root_only=False)))
    root = resource.root
    _, _, local = root.tag.rpartition("}")
    if local in EVENT_TYPES:
        events, root_attrs = [conv.event(root)], {}
    else:
        events = [
            conv.event(ev)
            for body in root
            if body.tag == "EPCISBody"
            for lst in body
            if lst.tag == "EventList"
            for ev in lst
            if isinstance(ev.tag, str)
        ]
        root_attrs = {k: v for k, v in root.attrib.items() if not k.startswith("{")}
    extra = [{p: uri for p, uri in sorted(conv.used.items())}] if conv.used else []
    return {
        "@context": [EPCIS_CONTEXT_URL, *extra],
        "type": "EPCISDocument",
        "schemaVersion": str(root_attrs.get("schemaVersion", "2.0")),
        "creationDate": root_attrs.get("creationDate") or iso_utc(utcnow()),
        "epcisBody": {"eventList": events},
    }


# --- capture ----------------------------------------------------------------------------------


def read_document(body: bytes, content_type: str = "") -> dict[str, Any]:
    """Parse and validate a capture body; raise `ValidationFailed` listing every error."""
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if "xml" in content_type.lower() or stripped[:1] == b"<":
        report = validate_xml(body, "capture")
        if not report.valid:
            raise _rejected(report.errors, "EPCIS document rejected")
        if report.kind != "EPCISDocument" and report.kind not in EVENT_TYPES:
            raise _rejected([f"(document): a {report.kind} cannot be captured"], "not captured")
        return xml_to_json(body)
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _rejected([f"(document): not valid JSON: {exc}"], "EPCIS document rejected") from exc
    report = validate_json(doc, "capture")
    if not report.valid:
        raise _rejected(report.errors, "EPCIS document rejected")
    if report.kind in EVENT_TYPES:
        assert isinstance(doc, dict)
        context = doc.pop("@context", EPCIS_CONTEXT_URL)
        return {"@context": context, "type": "EPCISDocument", "epcisBody": {"eventList": [doc]}}
    if report.kind != "EPCISDocument":
        raise _rejected([f"(document): a {report.kind} cannot be captured"], "not captured")
    assert isinstance(doc, dict)
    return doc


def capture(uow: UnitOfWork, body: bytes, content_type: str = "") -> CaptureResult:
    """Validate the whole document, then store its new events and log them in the ledger.

    Nothing is written when any event is invalid; events already captured (same eventID, or
    the same content when there is none) are counted as duplicates, not stored twice.
    """
    doc = read_document(body, content_type)
    events = doc.get("epcisBody", {}).get("eventList", [])
    return store_events(uow, events, doc.get("@context"))
