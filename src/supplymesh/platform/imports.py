"""Reading import files (CSV, JSON) into numbered rows, and writing templates and exports.

CSV headers equal the API field names; the header is line 1, so the first data row is
line 2. Files saved by Excel in China are often GB18030 rather than UTF-8: both are read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from supplymesh.platform.crud import Resource
from supplymesh.platform.errors import FieldError, ValidationFailed

Row = tuple[int, dict[str, Any]]


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationFailed([FieldError("file", "not UTF-8 or GB18030 text")]) from exc


def read_csv(text: str, resource: Resource) -> list[Row]:
    """Rows of a CSV file with a header line; unknown columns are reported, not ignored."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValidationFailed(
            [FieldError("header", "the file is empty; line 1 must name the columns", 1)]
        )
    allowed = set(template_fields(resource)) | set(resource.create.model_fields)
    unknown = [h for h in reader.fieldnames if h not in allowed]
    if unknown:
        raise ValidationFailed(
            [
                FieldError(
                    h, f"unknown column; expected some of {', '.join(template_fields(resource))}", 1
                )
                for h in unknown
            ]
        )
    rows: list[Row] = []
    for row in reader:
        if None in row:
            rows.append((reader.line_num, {"__extra__": row.pop(None)}))  # more cells than headers
            continue
        if not any((v or "").strip() for v in row.values()):
            continue
        rows.append(
            (reader.line_num, {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()})
        )
    return rows


def read_json(text: str) -> list[Row]:
    """Rows of a JSON array of objects (or ``{"rows": [...]}``); row N is numbered N."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed([FieldError("file", f"not JSON: {exc.msg}", exc.lineno)]) from exc
    if isinstance(doc, dict) and isinstance(doc.get("rows"), list):
        doc = doc["rows"]
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise ValidationFailed([FieldError("file", "expected a JSON array of objects")])
    return [(i, r) for i, r in enumerate(doc, start=1)]


def read_rows(data: bytes, fmt: str, resource: Resource) -> list[Row]:
    text = decode(data)
    if fmt == "csv":
        return read_csv(text, resource)
    if fmt == "json":
        return read_json(text)
    raise ValidationFailed([FieldError("format", f"unknown format {fmt!r}; use csv or json")])


def template_fields(resource: Resource) -> list[str]:
    """Column names of the import template: references by code, not by id."""
    ref_ids = {r.field: r.code_field for r in resource.references}
    fields: list[str] = []
    for name in resource.create.model_fields:
        if name in ref_ids.values():
            continue
        fields.append(ref_ids.get(name, name))
    return fields


def template_csv(resource: Resource) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(template_fields(resource))
    return buf.getvalue()


def export_csv(objects: Iterable[BaseModel]) -> str:
    """Objects (public schemas) as CSV, one column per field."""
    buf = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for obj in objects:
        row = obj.model_dump(mode="json")
        if writer is None:
            writer = csv.DictWriter(buf, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in row.items()
            }
        )
    return buf.getvalue()
