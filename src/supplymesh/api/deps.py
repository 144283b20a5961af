"""Request dependencies: the container, the caller, and a unit of work for the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from supplymesh.api.container import Container
from supplymesh.platform.auth import Principal
from supplymesh.platform.errors import AuthenticationFailed
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import UnitOfWork


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise AuthenticationFailed("authentication required")
    return principal


ContainerDep = Annotated[Container, Depends(get_container)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_context(container: ContainerDep, principal: PrincipalDep) -> TenantContext:
    return container.db.context_for(principal.enterprise_id, principal.user_id, principal.role)


ContextDep = Annotated[TenantContext, Depends(get_context)]


def get_uow(container: ContainerDep, ctx: ContextDep) -> Iterator[UnitOfWork]:
    """A unit of work for the caller; the route commits, leaving rolls back."""
    with container.db.unit_of_work(ctx) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(get_uow)]
