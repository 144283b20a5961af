"""Finding the sites, items and enterprises a command names, by id or by business code.

Everything is looked up through the caller's scoped session, so an object the caller may not
see is simply not found; writes additionally need the site to be the caller's own.
"""

from __future__ import annotations

from typing import TypeVar

from supplymesh.network.model import Enterprise, Item, Site
from supplymesh.platform.crud import Reference, resolve_code
from supplymesh.platform.errors import (
    FieldError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    invalid,
)
from supplymesh.platform.uow import UnitOfWork

T = TypeVar("T")


def _load(
    uow: UnitOfWork,
    model: type[T],
    field: str,
    code_attr: str,
    given_id: int | None,
    code: str | None,
) -> T | None:
    ref = Reference(field, model, code_attr)
    if code not in (None, ""):
        resolved = resolve_code(uow, ref, str(code))
        if given_id is not None and given_id != resolved:
            raise invalid(field, f"{field} and {ref.code_field} name different objects")
        given_id = resolved
    if given_id is None:
        return None
    obj = uow.session.get(model, given_id)
    if obj is None:
        raise NotFound(model.__name__, given_id)
    return obj


def _required(obj: T | None, field: str) -> T:
    if obj is None:
        code_field = field.removesuffix("_id") + "_code"
        raise invalid(field, f"give {field} or {code_field}")
    return obj


def site(
    uow: UnitOfWork, site_id: int | None, code: str | None, field: str = "site_id"
) -> Site | None:
    """The visible site named by id or code, or None when neither is given."""
    return _load(uow, Site, field, "code", site_id, code)


def own_site(
    uow: UnitOfWork, site_id: int | None, code: str | None, field: str = "site_id"
) -> Site:
    """A site of the caller's own: stock is only ever moved where the caller is the owner."""
    found = _required(site(uow, site_id, code, field), field)
    require_own_site(uow, found)
    return found


def require_own_site(uow: UnitOfWork, found: Site) -> None:
    """Refuse a site shared by another enterprise (it is readable, not writable)."""
    if not uow.ctx.is_system and found.enterprise_id != uow.ctx.enterprise_id:
        raise PermissionDenied(
            f"site {found.code} belongs to another enterprise; "
            "stock and orders can only be written at your own sites"
        )


def item(uow: UnitOfWork, item_id: int | None, code: str | None, field: str = "item_id") -> Item:
    """The visible item named by id or SKU (required)."""
    return _required(_load(uow, Item, field, "sku", item_id, code), field)


def enterprise(
    uow: UnitOfWork, enterprise_id: int | None, code: str | None, field: str
) -> Enterprise | None:
    """A visible enterprise (the caller's partners), or None when neither id nor code is given."""
    return _load(uow, Enterprise, field, "code", enterprise_id, code)


def prefixed(exc: ValidationFailed, prefix: str) -> ValidationFailed:
    """The same errors with their fields placed under `prefix` (``lines.2.item_id``)."""
    return ValidationFailed(
        [FieldError(f"{prefix}.{e.field}", e.message, e.line) for e in exc.errors]
    )
