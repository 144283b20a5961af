"""Loading GS1's EPCIS 2.0 schemas from the data folder, with the contract's relaxations.

The schemas are read at run time from ``$SUPPLYMESH_DATA_DIR/epcis`` (default
``../shared/data`` beside the project), not shipped: gs1/EPCIS carries no open-source licence,
only GS1's standards disclaimer, so we do not redistribute a copy. Loading is cached per
process (the XSDs take about a second to compile).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from supplymesh.trace.epcis.model import EpcisSchemaMissing

if TYPE_CHECKING:
    import xmlschema


class SchemaError(Protocol):
    """What we read from a jsonschema validation error (jsonschema ships no type stubs)."""

    message: str
    absolute_path: Sequence[str | int]


class Validator(Protocol):
    """The part of a jsonschema validator we use."""

    def iter_errors(self, instance: object) -> Iterator[SchemaError]:
        """Every error of `instance`."""
        ...


_SCHEMAS = Path("epcis") / "gs1-epcis" / "schemas"
CURIE_OR_TERM = r"^(?:[A-Za-z][A-Za-z0-9+.-]*:\S+|[A-Za-z_][A-Za-z0-9_.-]*)$"


def data_dir() -> Path:
    """`SUPPLYMESH_DATA_DIR`, else ``shared/data`` beside the project home (as the settings)."""
    env = os.environ.get("SUPPLYMESH_DATA_DIR")
    if env:
        return Path(env)
    home = os.environ.get("SUPPLYMESH_HOME")
    root = Path(home) if home else Path(__file__).resolve().parents[4]
    return root.parent / "shared" / "data"


def schema_dir() -> Path:
    """The folder of GS1's EPCIS schemas; raise `EpcisSchemaMissing` when it is absent."""
    path = data_dir() / _SCHEMAS
    if not (path / "EPCIS-JSON-Schema.json").is_file():
        raise EpcisSchemaMissing(
            f"EPCIS 2.0 schemas not found under {path} (set SUPPLYMESH_DATA_DIR)"
        )
    return path


def _relax(schema: dict[str, Any]) -> dict[str, Any]:
    """The contract's relaxations, applied to a copy of GS1's JSON schema."""
    s = copy.deepcopy(schema)
    d = s["definitions"]
    uri = {"type": "string", "format": "uri"}
    # Blank-node identifiers (``_:document1``) are legal JSON-LD node ids.
    d["id"] = {"anyOf": [uri, {"type": "string", "pattern": "^_:"}]}
    # schemaVersion may be a JSON number (2.0) as well as the string "2.0".
    d["version"] = {"anyOf": [d["version"], {"type": "number"}]}
    # Non-bare vocabulary values only need to be absolute URIs; bare words stay held to the
    # CBV 2.0 enumerations beside this alternative, since a bare word is no absolute URI.
    d["vocab-other-uri"] = uri
    # Sensor measurement types: any URI or CURIE (and a term the context's @vocab expands).
    d["measurementType"] = {
        "anyOf": [d["measurementType"], uri, {"type": "string", "pattern": CURIE_OR_TERM}]
    }
    # sensorReport ``type`` is optional.
    d["sensorReport"]["required"] = [
        r for r in d["sensorReport"].get("required", []) if r != "type"
    ]
    # JSON-LD may type any node (``"type": "epcis:SensorElement"``). GS1's own simple-context
    # examples also put persistentDisposition on an AggregationEvent and ILMD on an OBSERVE
    # ObjectEvent; every official example must validate, so both are admitted.
    _admit_extra_properties(d)
    _drop_ilmd_bans(s)
    return s


def _admit_extra_properties(node: object) -> None:
    """Add ``type`` everywhere and ``persistentDisposition`` to every event's property lists."""
    if isinstance(node, dict):
        names = node.get("propertyNames")
        for alt in names.get("anyOf", []) if isinstance(names, dict) else []:
            if "enum" in alt:
                extra = ["type"] + (["persistentDisposition"] if "bizStep" in alt["enum"] else [])
                alt["enum"] = [*alt["enum"], *(e for e in extra if e not in alt["enum"])]
        props = node.get("properties")
        if isinstance(props, dict) and "bizStep" in props and "persistentDisposition" not in props:
            props["persistentDisposition"] = {"$ref": "#/definitions/persistentDisposition"}
        for value in node.values():
            _admit_extra_properties(value)
    elif isinstance(node, list):
        for value in node:
            _admit_extra_properties(value)


def _drop_ilmd_bans(node: object) -> None:
    """Remove ``"ilmd": {"not": {}}`` (ILMD banned unless action is ADD) wherever it sits."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and props.get("ilmd") == {"not": {}}:
            del props["ilmd"]
        for value in node.values():
            _drop_ilmd_bans(value)
    elif isinstance(node, list):
        for value in node:
            _drop_ilmd_bans(value)


@cache
def json_validator() -> Validator:
    """Draft-7 validator of EPCIS 2.0 documents and events, with format checks."""
    from jsonschema import Draft7Validator  # type: ignore[import-untyped]

    raw = json.loads((schema_dir() / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    validator: Validator = Draft7Validator(
        _relax(raw), format_checker=Draft7Validator.FORMAT_CHECKER
    )
    return validator


@cache
def query_validator() -> Validator:
    """Draft-7 validator of EPCIS 2.0 JSON query definitions (REST binding schema)."""
    from jsonschema import Draft7Validator

    path = schema_dir() / "REST-Bindings" / "query-schema.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    validator: Validator = Draft7Validator(raw, format_checker=Draft7Validator.FORMAT_CHECKER)
    return validator


@cache
def cbv_terms() -> dict[str, frozenset[str]]:
    """The CBV 2.0 bare words per vocabulary, as GS1's JSON schema enumerates them."""
    raw = json.loads((schema_dir() / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    d = raw["definitions"]
    out: dict[str, frozenset[str]] = {}
    for name in (
        "bizStep",
        "disposition",
        "bizTransaction-type",
        "source-dest-type",
        "error-reason",
    ):
        words = next(a["enum"] for a in d[name]["anyOf"] if "enum" in a)
        out[name] = frozenset(words)
    return out


@cache
def xml_schema(kind: str) -> xmlschema.XMLSchema:
    """The XSD for ``epcis`` (capture documents), ``query`` or ``masterdata`` documents."""
    import xmlschema

    name = {
        "epcis": "EPCglobal-epcis-2_0.xsd",
        "query": "EPCglobal-epcis-query-2_0.xsd",
        "masterdata": "EPCglobal-epcis-masterdata-2_0.xsd",
    }[kind]
    return xmlschema.XMLSchema(str(schema_dir() / "XSD" / name))
