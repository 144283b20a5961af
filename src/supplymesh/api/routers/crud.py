"""One router factory for every master-data resource (list, read, create, update, delete)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, create_model

from supplymesh.api.deps import UowDep
from supplymesh.platform import crud
from supplymesh.platform.crud import Resource

RESERVED_QUERY = {"offset", "limit", "q"}


def present(resource: Resource, obj: Any) -> BaseModel:
    """The public form of an object (some schemas add derived fields through `of`)."""
    of = getattr(resource.public, "of", None)
    if callable(of):
        result = of(obj)
        assert isinstance(result, BaseModel)
        return result
    return resource.public.model_validate(obj)


def page_model(resource: Resource) -> type[BaseModel]:
    return create_model(
        f"{resource.public.__name__}Page",
        items=(list[resource.public], ...),  # type: ignore[name-defined]
        total=(int, ...),
        offset=(int, ...),
        limit=(int, ...),
    )


def _filters(resource: Resource, request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in request.query_params.items():
        if name in RESERVED_QUERY:
            continue
        column = getattr(resource.model, name, None)
        python_type = (
            getattr(getattr(column, "type", None), "python_type", str)
            if column is not None
            else str
        )
        if python_type is bool:
            out[name] = value.lower() in ("1", "true", "yes")
        elif python_type is int and value.lstrip("-").isdigit():
            out[name] = int(value)
        else:
            out[name] = value
    return out


def _version(payload: BaseModel, if_match: str | None) -> int | None:
    version = getattr(payload, "version", None)
    if version is None and if_match:
        digits = if_match.strip('"W/ ')
        version = int(digits) if digits.isdigit() else None
    return version if isinstance(version, int) else None


def resource_router(resource: Resource) -> APIRouter:
    """Routes under ``/api/v1/{resource.name}``."""
    router = APIRouter(prefix=f"/api/v1/{resource.name}", tags=[resource.name])
    public = resource.public
    create_schema = resource.create
    update_schema = resource.update

    @router.get("", response_model=page_model(resource), summary=f"List {resource.name}")
    def list_(
        request: Request,
        uow: UowDep,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        q: str | None = None,
    ) -> dict[str, Any]:
        page = crud.list_objects(uow, resource, _filters(resource, request), offset, limit, q)
        return {
            "items": [present(resource, o) for o in page.items],
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
        }

    @router.get("/{object_id}", response_model=public, summary=f"Read one of {resource.name}")
    def read(object_id: int, uow: UowDep) -> BaseModel:
        return present(resource, crud.get_object(uow, resource, object_id))

    if resource.read_only:
        return router

    @router.post(
        "", response_model=public, status_code=201, summary=f"Create one of {resource.name}"
    )
    def create(payload: create_schema, uow: UowDep, response: Response) -> BaseModel:  # type: ignore[valid-type]
        obj = crud.create_object(uow, resource, payload)
        uow.commit()
        response.headers["Location"] = f"/api/v1/{resource.name}/{obj.id}"
        return present(resource, obj)

    @router.patch("/{object_id}", response_model=public, summary=f"Update one of {resource.name}")
    def update(
        object_id: int,
        payload: update_schema,  # type: ignore[valid-type]
        uow: UowDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> BaseModel:
        obj = crud.update_object(uow, resource, object_id, payload, _version(payload, if_match))
        uow.commit()
        return present(resource, obj)

    @router.delete("/{object_id}", status_code=204, summary=f"Delete one of {resource.name}")
    def delete(object_id: int, uow: UowDep) -> Response:
        crud.delete_object(uow, resource, object_id)
        uow.commit()
        return Response(status_code=204)

    return router
