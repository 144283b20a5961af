"""Logins: the OAuth2 password flow issues JWT access tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from supplymesh.api.deps import ContainerDep
from supplymesh.network.services import login

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    enterprise_id: int
    role: str
    expires_in: int


@router.post("/token", response_model=Token)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, container: ContainerDep
) -> Token:
    """Exchange a username and password for a bearer token (OAuth2 password flow)."""
    client = request.client.host if request.client else "unknown"
    token, principal = login(container.db, container.settings, form.username, form.password, client)
    return Token(
        access_token=token,
        enterprise_id=principal.enterprise_id,
        role=principal.role,
        expires_in=container.settings.access_token_minutes * 60,
    )
