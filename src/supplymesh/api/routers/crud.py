"""One router factory for every master-data resource (list, read, create, update, delete)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, create_model

from supplymesh.api.deps import UowDep
from supplymesh.platform import crud
from supplymesh.platform.crud import Resource
from supplymesh.platform.errors import FieldError, ValidationFailed
from supplymesh.platform.types import MAX_INT, to_decimal

RESERVED_QUERY = {"offset", "limit", "q"}
#: A path id: anything outside BIGINT cannot exist, so it is a 422, not a database error.
ObjectId = Annotated[int, Path(ge=1, le=MAX_INT)]


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
    """Query parameters other than paging, parsed to the column's type (bad values: 422)."""
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, value in request.query_params.items():
        if name in RESERVED_QUERY:
            continue
        column = getattr(resource.model, name, None)
        try:
            python_type = column.type.python_type if column is not None else str
        except (AttributeError, NotImplementedError):
            python_type = str
        try:
            out[name] = _parse(python_type, value)
        except ValueError:
            errors.append(FieldError(name, f"not a valid {python_type.__name__}: {value!r}"))
    if errors:
        raise ValidationFailed(errors)
    return out


def _parse(python_type: type, value: str) -> Any:
    if python_type is bool:
        if value.lower() not in ("1", "true", "yes", "0", "false", "no"):
            raise ValueError(value)
        return value.lower() in ("1", "true", "yes")
    if python_type is int:
        number = int(value)
        if abs(number) > MAX_INT:
            raise ValueError(value)
        return number
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        return to_decimal(value, 6)
    return value


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
        offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
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
    def read(object_id: ObjectId, uow: UowDep) -> BaseModel:
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
        object_id: ObjectId,
        payload: update_schema,  # type: ignore[valid-type]
        uow: UowDep,
        if_match: Annotated[str | None, Header()] = None,
    ) -> BaseModel:
        obj = crud.update_object(uow, resource, object_id, payload, _version(payload, if_match))
        uow.commit()
        return present(resource, obj)

    @router.delete("/{object_id}", status_code=204, summary=f"Delete one of {resource.name}")
    def delete(object_id: ObjectId, uow: UowDep) -> Response:
        crud.delete_object(uow, resource, object_id)
        uow.commit()
        return Response(status_code=204)

    return router
