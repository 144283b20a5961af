"""Network routes beyond plain CRUD: who am I, users, API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from supplymesh.api.deps import ContextDep, UowDep
from supplymesh.network import services
from supplymesh.network.model import ApiKey, Enterprise, User
from supplymesh.network.schemas import EnterprisePublic, UserPublic
from supplymesh.platform import crud
from supplymesh.platform.audit import AuditEntry
from supplymesh.platform.errors import NotFound, PermissionDenied
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["network"])


class Me(BaseModel):
    user: UserPublic | None
    enterprise: EnterprisePublic
    role: str
    partner_enterprise_ids: list[int]


@router.get("/me", response_model=Me)
def me(uow: UowDep, ctx: ContextDep) -> Me:
    """The caller, its enterprise and the partners whose shared data it may see."""
    ent = uow.session.get(Enterprise, ctx.enterprise_id)
    if ent is None:
        raise NotFound("Enterprise", ctx.enterprise_id)
    user = uow.session.get(User, ctx.user_id) if ctx.user_id else None
    return Me(
        user=UserPublic.model_validate(user) if user else None,
        enterprise=EnterprisePublic.model_validate(ent),
        role=ctx.role,
        partner_enterprise_ids=sorted(ctx.partner_ids),
    )


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    role: Literal["admin", "planner", "operator", "viewer"] = "operator"


class ApiKeyPublic(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    secret: str = Field(description="shown once; store it now")


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201, tags=["auth"])
def create_api_key(payload: ApiKeyCreate, uow: UowDep) -> ApiKeyCreated:
    key, secret = services.create_api_key(uow, payload.name, payload.role)
    uow.commit()
    return ApiKeyCreated(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        role=key.role,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        secret=secret,
    )


@router.get("/api-keys", response_model=list[ApiKeyPublic], tags=["auth"])
def list_api_keys(uow: UowDep) -> list[ApiKeyPublic]:
    keys = uow.session.scalars(select(ApiKey).order_by(ApiKey.id))
    return [
        ApiKeyPublic(
            id=k.id,
            name=k.name,
            prefix=k.prefix,
            role=k.role,
            created_at=k.created_at,
            revoked_at=k.revoked_at,
        )
        for k in keys
    ]


@router.delete("/api-keys/{key_id}", status_code=204, tags=["auth"])
def revoke_api_key(key_id: int, uow: UowDep) -> None:
    services.revoke_api_key(uow, key_id)
    uow.commit()


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    enterprise_id: int | None
    user_id: int | None
    action: str
    entity: str | None
    entity_id: int | None
    owner_enterprise_id: int | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryPublic]
    total: int
    offset: int
    limit: int


@router.get("/audit-log", response_model=AuditPage, tags=["audit"])
def audit_log(
    uow: UowDep,
    ctx: ContextDep,
    action: str | None = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    """What the caller's enterprise did, and who read or changed its data (admins only)."""
    if not ctx.is_admin:
        raise PermissionDenied("only an admin may read the audit log")
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    total = crud.count(uow, query)
    rows = uow.session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
    return AuditPage(
        items=[AuditEntryPublic.model_validate(r) for r in rows],
        total=total,
        offset=offset,
        limit=limit,
    )
