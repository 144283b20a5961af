"""Bulk import and export of master data and history (CSV or JSON)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from supplymesh.api.deps import UowDep
from supplymesh.api.routers.crud import present
from supplymesh.platform import crud, imports
from supplymesh.platform.errors import FieldError, NotFound, ValidationFailed
from supplymesh.resources import resource_by_name

router = APIRouter(prefix="/api/v1", tags=["imports"])


class ImportResult(BaseModel):
    kind: str
    rows: int
    created: int
    updated: int


def _format(request: Request, fmt: str | None) -> str:
    if fmt:
        return fmt
    ctype = request.headers.get("content-type", "")
    return "json" if "json" in ctype else "csv"


@router.post("/imports/{kind}", response_model=ImportResult)
async def import_file(
    kind: str,
    request: Request,
    uow: UowDep,
    format: Annotated[str | None, Query(pattern="^(csv|json)$")] = None,
) -> ImportResult:
    """Import a whole file in one transaction: one bad row and nothing is written.

    Send the file as the request body (``text/csv`` or ``application/json``) or as the
    ``file`` part of a multipart form.
    """
    resource = _resource(kind)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        async with request.form() as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ValidationFailed(
                    [FieldError("file", "attach the file as the 'file' form field")]
                )
            data = await upload.read()
            fmt = format or ("json" if (upload.filename or "").endswith(".json") else "csv")
    else:
        data = await request.body()
        fmt = _format(request, format)
    from anyio import to_thread

    def run() -> ImportResult:
        rows = imports.read_rows(data, fmt, resource)
        report = crud.import_rows(uow, resource, rows)
        uow.commit()
        return ImportResult(
            kind=kind, rows=len(rows), created=report.created, updated=report.updated
        )

    return await to_thread.run_sync(run)


@router.get("/imports/{kind}/template", response_class=Response)
def template(kind: str) -> Response:
    """An empty CSV with the columns an import of `kind` takes."""
    resource = _resource(kind)
    return Response(
        imports.template_csv(resource),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
    )


@router.get("/exports/{kind}", response_class=Response)
def export(
    kind: str, uow: UowDep, format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv"
) -> Response:
    """Everything of `kind` the caller can see, as CSV or JSON."""
    resource = _resource(kind)
    objects = [present(resource, o) for o in _all(uow, resource)]
    if format == "json":
        import json

        body = json.dumps([o.model_dump(mode="json") for o in objects], ensure_ascii=False)
        return Response(body, media_type="application/json")
    return Response(imports.export_csv(objects), media_type="text/csv; charset=utf-8")


def _all(uow: UowDep, resource: crud.Resource) -> list[object]:
    out: list[object] = []
    offset = 0
    while True:
        page = crud.list_objects(uow, resource, offset=offset, limit=5000)
        out.extend(page.items)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return out


def _resource(kind: str) -> crud.Resource:
    resource = resource_by_name(kind)
    if resource is None:
        raise NotFound("import kind", kind)
    return resource
