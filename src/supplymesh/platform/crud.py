"""Generic use cases for master data: list, get, create, update, delete, import.

Each resource is described once (`Resource`): its table class, its input and output
schemas, its natural key and the references it holds to other objects. References can be
given by id (``site_id``) or by business code (``site_code``; ``ENTERPRISE/CODE`` for a
partner's object), which is what CSV files carry. Everything runs inside the caller's
`UnitOfWork`, so tenancy is enforced by the session, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from supplymesh.platform.errors import (
    Conflict,
    FieldError,
    NotFound,
    StaleVersion,
    ValidationFailed,
)
from supplymesh.platform.uow import UnitOfWork

EnterpriseLookup = Callable[[UnitOfWork, str], int | None]
_enterprise_lookup: EnterpriseLookup | None = None


def set_enterprise_lookup(lookup: EnterpriseLookup) -> None:
    """Let ``ENT/CODE`` references find enterprises (the network context provides this)."""
    global _enterprise_lookup
    _enterprise_lookup = lookup


@dataclass(frozen=True)
class Reference:
    """A foreign key that inputs may also give as a business code."""

    field: str
    model: type[Any]
    code_attr: str = "code"
    required: bool = True

    @property
    def code_field(self) -> str:
        return self.field.removesuffix("_id") + "_code"


@dataclass(frozen=True)
class Resource:
    """How one kind of master data is created, read, listed and imported."""

    name: str
    model: type[Any]
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    natural_key: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    filters: tuple[str, ...] = ()
    label: str = ""
    read_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.label or self.model.__name__


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    offset: int
    limit: int


def count(uow: UnitOfWork, query: Select[Any]) -> int:
    """How many rows `query` returns (before paging), in the caller's scope."""
    return int(uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _column(resource: Resource, name: str) -> InstrumentedAttribute[Any]:
    attr = getattr(resource.model, name, None)
    if not isinstance(attr, InstrumentedAttribute):
        raise ValidationFailed([FieldError(name, f"unknown field for {resource.name}")])
    return attr


def list_objects(
    uow: UnitOfWork,
    resource: Resource,
    filters: dict[str, Any] | None = None,
    offset: int = 0,
    limit: int = 50,
    search: str | None = None,
) -> Page:
    """One page of the resource, filtered by exact field values, newest id last."""
    query: Select[Any] = select(resource.model)
    for name, value in (filters or {}).items():
        if name not in resource.filters:
            raise ValidationFailed(
                [FieldError(name, f"cannot filter {resource.name} by this field")]
            )
        query = query.where(_column(resource, name) == value)
    if search:
        texts = [
            c for c in ("code", "sku", "name", "username", "number") if hasattr(resource.model, c)
        ]
        if texts:
            query = query.where(or_(*[_column(resource, c).ilike(f"%{search}%") for c in texts]))
    total = count(uow, query)
    rows = list(uow.session.scalars(query.order_by(resource.model.id).offset(offset).limit(limit)))
    return Page(rows, int(total), offset, limit)


def get_object(uow: UnitOfWork, resource: Resource, object_id: int) -> Any:
    """The object, or `NotFound` (also for another enterprise's private object)."""
    obj = uow.session.get(resource.model, object_id)
    if obj is None:
        raise NotFound(resource.kind, object_id)
    return obj


def resolve_code(uow: UnitOfWork, ref: Reference, code: str) -> int:
    """The id of the visible object with `code`; own objects win over partners'.

    ``ENT/CODE`` names a partner's object explicitly.
    """
    model = ref.model
    code_col = getattr(model, ref.code_attr)
    query = select(model).where(code_col == code)
    if "/" in code and hasattr(model, "enterprise_id") and _enterprise_lookup is not None:
        ent_code, _, own_code = code.partition("/")
        ent_id = _enterprise_lookup(uow, ent_code)
        if ent_id is not None:
            query = select(model).where(code_col == own_code, model.enterprise_id == ent_id)
    candidates = list(uow.session.scalars(query.limit(10)))
    if not candidates:
        raise ValidationFailed(
            [FieldError(ref.code_field, f"no {model.__name__} with {ref.code_attr} {code!r}")]
        )
    if len(candidates) == 1:
        return int(candidates[0].id)
    own = [c for c in candidates if getattr(c, "enterprise_id", None) == uow.ctx.enterprise_id]
    if len(own) == 1:
        return int(own[0].id)
    raise ValidationFailed(
        [FieldError(ref.code_field, f"{code!r} is ambiguous; write ENTERPRISE/{code}")]
    )


def _resolve_references(
    uow: UnitOfWork,
    resource: Resource,
    data: dict[str, Any],
    partial: bool,
    checked_ids: set[tuple[str, int]] | None = None,
) -> dict[str, Any]:
    errors: list[FieldError] = []
    out = dict(data)
    for ref in resource.references:
        code = out.pop(ref.code_field, None)
        given_id = out.get(ref.field)
        try:
            if code not in (None, ""):
                resolved = resolve_code(uow, ref, str(code))
                if given_id is not None and given_id != resolved:
                    errors.append(
                        FieldError(ref.field, f"{ref.field} and {ref.code_field} disagree")
                    )
                out[ref.field] = resolved
            elif given_id is not None:
                if checked_ids is not None and (ref.model.__name__, given_id) in checked_ids:
                    pass
                elif uow.session.get(ref.model, given_id) is None:
                    errors.append(
                        FieldError(ref.field, f"no {ref.model.__name__} with id {given_id}")
                    )
            elif ref.required and not partial:
                errors.append(FieldError(ref.field, f"give {ref.field} or {ref.code_field}"))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return out


Creator = Callable[[UnitOfWork, dict[str, Any]], Any]
#: Checks a change (`fields`) or a deletion (None) of an object before it is applied.
Guard = Callable[[UnitOfWork, Any, dict[str, Any] | None], None]


def create_object(uow: UnitOfWork, resource: Resource, payload: BaseModel) -> Any:
    """Create one object from a validated payload (flushes so the id is known)."""
    data = _resolve_references(
        uow, resource, payload.model_dump(exclude_unset=False), partial=False
    )
    return _create(uow, resource, data)


def _create(uow: UnitOfWork, resource: Resource, data: dict[str, Any]) -> Any:
    creator: Creator | None = resource.extra.get("create")
    if creator is not None:
        return creator(uow, data)
    obj = resource.model(**_model_fields(resource, data))
    uow.add(obj)
    uow.flush()
    return obj


def update_object(
    uow: UnitOfWork,
    resource: Resource,
    object_id: int,
    payload: BaseModel,
    expected_version: int | None,
) -> Any:
    """Apply the fields set in `payload`; a stale `expected_version` answers `StaleVersion`."""
    obj = get_object(uow, resource, object_id)
    current = getattr(obj, "version", None)
    if expected_version is not None and current is not None and expected_version != current:
        raise StaleVersion(resource.kind, object_id, expected_version, current)
    data = _resolve_references(uow, resource, payload.model_dump(exclude_unset=True), partial=True)
    data.pop("version", None)
    fields = _model_fields(resource, data)
    columns = resource.model.__table__.columns
    cleared = [n for n, v in fields.items() if v is None and not columns[n].nullable]
    if cleared:
        raise ValidationFailed([FieldError(n, "cannot be cleared (null)") for n in cleared])
    guard: Guard | None = resource.extra.get("guard")
    if guard is not None:
        guard(uow, obj, fields)
    for name, value in fields.items():
        setattr(obj, name, value)
    uow.flush()
    return obj


def delete_object(uow: UnitOfWork, resource: Resource, object_id: int) -> None:
    obj = get_object(uow, resource, object_id)
    guard: Guard | None = resource.extra.get("guard")
    if guard is not None:
        guard(uow, obj, None)
    uow.session.delete(obj)
    uow.flush()


def _model_fields(resource: Resource, data: dict[str, Any]) -> dict[str, Any]:
    columns = set(resource.model.__table__.columns.keys())
    return {
        k: v
        for k, v in data.items()
        if k in columns and k not in ("id", "enterprise_id", "version")
    }


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


def import_rows(
    uow: UnitOfWork, resource: Resource, rows: Sequence[tuple[int, dict[str, Any]]]
) -> ImportReport:
    """Validate every row, then upsert them all by natural key, or write nothing.

    `rows` pairs each row with its line number in the source file; every bad row is
    reported with its line, field and problem.
    """
    if resource.read_only:
        raise ValidationFailed([FieldError("kind", f"{resource.name} cannot be imported")])
    errors: list[FieldError] = []
    prepared: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[Any, ...], int] = {}
    codes: dict[tuple[str, str], int] = {}
    # References to rows of the same file (a store naming its DC) are linked after insert.
    self_refs = [r for r in resource.references if r.model is resource.model]
    in_file = {str(raw.get(r.code_attr)) for _line, raw in rows for r in self_refs}
    deferred: list[tuple[int, Reference, str]] = []
    for line, raw in rows:
        cleaned = {k: (None if v == "" else v) for k, v in raw.items() if k is not None}
        try:
            payload = resource.create.model_validate(cleaned)
        except ValidationError as exc:
            errors.extend(_pydantic_errors(exc, line))
            continue
        dumped = payload.model_dump()
        for ref in self_refs:
            code = dumped.get(ref.code_field)
            if code not in (None, "") and str(code) in in_file:
                deferred.append((len(prepared), ref, str(dumped.pop(ref.code_field))))
        try:
            data = _resolve_cached(uow, resource, dumped, codes)
        except ValidationFailed as exc:
            errors.extend(FieldError(e.field, e.message, line) for e in exc.errors)
            continue
        key = tuple(data.get(k) for k in resource.natural_key)
        if resource.natural_key and key in seen:
            errors.append(
                FieldError(",".join(resource.natural_key), f"duplicate of line {seen[key]}", line)
            )
            continue
        seen[key] = line
        prepared.append((line, data))
    if errors:
        raise ValidationFailed(
            errors, summary=f"{len({e.line for e in errors})} bad row(s), nothing imported"
        )
    existing: dict[tuple[Any, ...], Any] = {}
    if resource.natural_key and prepared:
        query = select(resource.model).where(resource.model.enterprise_id == uow.ctx.enterprise_id)
        for obj in uow.session.scalars(query):
            existing[tuple(getattr(obj, k) for k in resource.natural_key)] = obj
    created = updated = 0
    written: list[Any] = []
    for _line, data in prepared:
        key = tuple(data.get(k) for k in resource.natural_key)
        current = existing.get(key) if resource.natural_key else None
        if current is None:
            if resource.extra.get("create") is not None:
                current = _create(uow, resource, data)
            else:
                current = resource.model(**_model_fields(resource, data))
                uow.add(current)
            created += 1
        else:
            for name, value in _model_fields(resource, data).items():
                setattr(current, name, value)
            updated += 1
        written.append(current)
    try:
        uow.flush()
        if deferred:
            by_code = {str(getattr(o, r.code_attr)): o for o in written for r in self_refs}
            for index, ref, code in deferred:
                setattr(written[index], ref.field, by_code[code].id)
            uow.flush()
    except Conflict as exc:
        raise ValidationFailed(
            [FieldError("rows", exc.message)], summary="rejected by the database, nothing imported"
        ) from exc
    return ImportReport(created, updated)


def _resolve_cached(
    uow: UnitOfWork, resource: Resource, data: dict[str, Any], cache: dict[tuple[str, str], int]
) -> dict[str, Any]:
    """`_resolve_references` with a per-import cache of code lookups (imports repeat codes)."""
    for ref in resource.references:
        code = data.get(ref.code_field)
        if code not in (None, ""):
            hit = cache.get((ref.model.__name__, str(code)))
            if hit is None:
                hit = resolve_code(uow, ref, str(code))
                cache[(ref.model.__name__, str(code))] = hit
            data[ref.field] = hit
            data.pop(ref.code_field, None)
    return _resolve_references(
        uow, resource, data, partial=False, checked_ids={(m, i) for (m, _c), i in cache.items()}
    )


def _pydantic_errors(exc: ValidationError, line: int | None) -> Iterable[FieldError]:
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "row"
        missing = err["type"] == "missing" or (
            err.get("input", "") is None and err["type"].endswith("_type")
        )
        yield FieldError(loc, "is required" if missing else err["msg"], line)


def pydantic_errors(exc: ValidationError, line: int | None = None) -> list[FieldError]:
    return list(_pydantic_errors(exc, line))
