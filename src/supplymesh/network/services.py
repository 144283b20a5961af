"""Use cases of the network context: enterprises, users, logins, API keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from supplymesh.network.model import (
    ApiKey,
    Enterprise,
    EnterpriseRole,
    Partnership,
    SharingGrant,
    User,
)
from supplymesh.platform import audit
from supplymesh.platform.auth import (
    LoginAttempt,
    Principal,
    api_key_matches,
    check_password_strength,
    check_throttle,
    hash_password,
    issue_token,
    new_api_key,
    read_token,
    verify_password,
)
from supplymesh.platform.crud import set_enterprise_lookup
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import (
    AuthenticationFailed,
    Conflict,
    FieldError,
    PermissionDenied,
    ValidationFailed,
)
from supplymesh.platform.settings import Settings
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database, UnitOfWork

USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a well-formed unified social credit code (GB 32100-2015), or None."""
    if not USCC_PATTERN.match(code):
        return "must be 18 characters: digits and capital letters except I, O, S, V, Z"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    expected = _USCC_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"check character should be {expected!r}"
    return None


@dataclass(frozen=True)
class NewEnterprise:
    code: str
    name: str
    roles: list[str]
    admin_username: str
    admin_password: str
    name_en: str | None = None
    uscc: str | None = None
    city: str | None = None
    admin_display_name: str | None = None


def register_enterprise(db: Database, spec: NewEnterprise) -> tuple[Enterprise, User]:
    """Create an enterprise and its first admin in one transaction."""
    with db.system() as uow:
        ent, admin = add_enterprise(uow, spec)
        uow.commit()
    return ent, admin


def add_enterprise(uow: UnitOfWork, spec: NewEnterprise) -> tuple[Enterprise, User]:
    """Add an enterprise and its first admin in the caller's (system) unit of work."""
    errors: list[FieldError] = []
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9_\-]{1,31}", spec.code):
        errors.append(FieldError("code", "2-32 capital letters, digits, - or _"))
    bad_roles = [r for r in spec.roles if r not in {e.value for e in EnterpriseRole}]
    if bad_roles or not spec.roles:
        choices = ", ".join(e.value for e in EnterpriseRole)
        roles_problem = f"unknown or missing roles {bad_roles}; choose from {choices}"
        errors.append(FieldError("roles", roles_problem))
    if spec.uscc and (problem := uscc_problem(spec.uscc)):
        errors.append(FieldError("uscc", problem))
    if problem := check_password_strength(spec.admin_password):
        errors.append(FieldError("admin_password", problem))
    if errors:
        raise ValidationFailed(errors)
    if uow.session.scalar(select(Enterprise).where(Enterprise.code == spec.code)):
        raise Conflict(f"enterprise code {spec.code!r} is taken")
    if spec.uscc and uow.session.scalar(select(Enterprise).where(Enterprise.uscc == spec.uscc)):
        raise Conflict(f"an enterprise with USCC {spec.uscc} is already registered")
    if uow.session.scalar(select(User).where(User.username == spec.admin_username)):
        raise Conflict(f"username {spec.admin_username!r} is taken")
    ent = Enterprise(
        code=spec.code,
        name=spec.name,
        name_en=spec.name_en,
        roles=spec.roles,
        uscc=spec.uscc,
        city=spec.city,
    )
    uow.add(ent)
    uow.flush()
    admin = User(
        enterprise_id=ent.id,
        username=spec.admin_username,
        display_name=spec.admin_display_name or spec.admin_username,
        role="admin",
        password_hash=hash_password(spec.admin_password),
    )
    uow.add(admin)
    uow.flush()
    return ent, admin


def create_user(
    uow: UnitOfWork,
    username: str,
    display_name: str,
    password: str,
    role: str,
    email: str | None = None,
    locale: str = "zh-CN",
) -> User:
    """Add a user to the caller's enterprise (admins only)."""
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin may add users")
    if problem := check_password_strength(password):
        raise ValidationFailed([FieldError("password", problem)])
    existing = uow.session.scalar(select(User.id).where(User.username == username))
    if existing is not None:
        raise Conflict(f"username {username!r} is taken")
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        role=role,
        locale=locale,
        password_hash=hash_password(password),
    )
    uow.add(user)
    uow.flush()
    return user


def keep_an_admin(uow: UnitOfWork, user: User, change: dict[str, object] | None) -> None:
    """Refuse to delete, deactivate or demote the enterprise's last active admin."""
    if user.role != "admin" or not user.active:
        return
    demoted = (
        change is None or change.get("active") is False or change.get("role", "admin") != "admin"
    )
    if not demoted:
        return
    admins = uow.session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.active)
    )
    if (admins or 0) <= 1:
        raise Conflict(f"{user.username} is the last active admin of the enterprise")


def login(
    db: Database, settings: Settings, username: str, password: str, client: str
) -> tuple[str, Principal]:
    """Check a password and issue an access token; throttles repeated failures."""
    with db.system() as uow:
        check_throttle(
            uow.session, username, settings.login_max_failures, settings.login_window_minutes
        )
        user = uow.session.scalar(select(User).where(User.username == username))
        ok = user is not None and user.active and verify_password(user.password_hash, password)
        if user is None:
            verify_password(_DUMMY_HASH, password)  # same work whether or not the user exists
        uow.add(LoginAttempt(username=username, client=client[:64], at=utcnow(), success=ok))
        ctx = TenantContext(user.enterprise_id, user.id, user.role) if ok and user else None
        audit.record(
            uow.session,
            [
                audit.audit_row(
                    "login" if ok else "login_failed",
                    ctx,
                    "User",
                    user.id if user else None,
                    user.enterprise_id if user else None,
                    {"username": username, "client": client[:64]},
                )
            ],
        )
        uow.commit()
    if not ok or user is None:
        raise AuthenticationFailed("wrong username or password")
    principal = Principal(user.enterprise_id, user.id, user.role, user.username)
    return issue_token(principal, settings.signing_key(), settings.access_token_minutes), principal


_DUMMY_HASH = hash_password("not-a-real-password-just-equal-work")


def principal_from_token(db: Database, settings: Settings, token: str) -> Principal:
    """The caller behind a token, re-checked against the user's current state."""
    claimed = read_token(token, settings.signing_key())
    with db.system() as uow:
        user = uow.session.get(User, claimed.user_id)
        if user is None or not user.active or user.enterprise_id != claimed.enterprise_id:
            raise AuthenticationFailed("the account behind this token is no longer active")
        return Principal(user.enterprise_id, user.id, user.role, user.username)


def principal_from_api_key(db: Database, secret: str) -> Principal:
    """The enterprise and role behind an API key; revoked or unknown keys fail."""
    with db.system() as uow:
        key = uow.session.scalar(select(ApiKey).where(ApiKey.prefix == secret[:12]))
        if key is None or key.revoked_at is not None or not api_key_matches(secret, key.digest):
            raise AuthenticationFailed("invalid or revoked API key")
        return Principal(
            key.enterprise_id, None, key.role, f"api-key:{key.name}", api_key_id=key.id
        )


def create_api_key(uow: UnitOfWork, name: str, role: str) -> tuple[ApiKey, str]:
    """A new API key for the caller's enterprise; the secret is returned once, never stored."""
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin may create API keys")
    secret, prefix, digest = new_api_key()
    key = ApiKey(name=name, prefix=prefix, digest=digest, role=role)
    uow.add(key)
    uow.flush()
    return key, secret


def revoke_api_key(uow: UnitOfWork, key_id: int) -> None:
    if not uow.ctx.is_admin:
        raise PermissionDenied("only an admin may revoke API keys")
    key = uow.session.get(ApiKey, key_id)
    if key is None:
        from supplymesh.platform.errors import NotFound

        raise NotFound("ApiKey", key_id)
    key.revoked_at = utcnow()
    uow.flush()


def grant(
    uow: UnitOfWork, partner_enterprise_id: int, kind: str, resource_id: int | None
) -> SharingGrant:
    """Share one object (or every object) of `kind` with a partner enterprise."""
    if partner_enterprise_id == uow.ctx.enterprise_id:
        raise ValidationFailed([FieldError("partner_enterprise_id", "cannot share with yourself")])
    g = SharingGrant(
        partner_enterprise_id=partner_enterprise_id, kind=kind, resource_id=resource_id
    )
    uow.add(g)
    uow.flush()
    return g


def link_partners(uow: UnitOfWork, partner_enterprise_id: int, relation: str) -> Partnership:
    p = Partnership(partner_enterprise_id=partner_enterprise_id, relation=relation)
    uow.add(p)
    uow.flush()
    return p


def _lookup_enterprise(uow: UnitOfWork, code: str) -> int | None:
    ent = uow.session.scalar(select(Enterprise).where(Enterprise.code == code))
    return None if ent is None else ent.id


set_enterprise_lookup(_lookup_enterprise)
