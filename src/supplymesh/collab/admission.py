"""Supplier admission (准入): invite by link, self-registration, approval, profile.

A buyer's admin creates an invitation; the supplier opens the link and registers its own
enterprise and first admin (its unified social credit code checked for form); that creates a
*pending* partnership that the buyer approves, suspends, reinstates or blocks. Registration is
one transaction: the enterprise, its admin, its empty profile, the partnership and the spent
invitation appear together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from supplymesh.collab.model import InvitationStatus, SupplierInvitation, SupplierProfile
from supplymesh.network.model import PARTNERSHIP_TRANSITIONS, Enterprise, Partnership
from supplymesh.network.services import NewEnterprise, add_enterprise
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import (
    Conflict,
    FieldError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
)
from supplymesh.platform.uow import Database, UnitOfWork

RELATIONS = ("supplier", "subcontractor")
#: action → (the status it starts from, or None for any; the status it leads to)
ACTIONS: dict[str, tuple[str | None, str]] = {
    "approve": ("pending", "active"),
    "suspend": (None, "suspended"),
    "reinstate": ("suspended", "active"),
    "block": (None, "blocked"),
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    uow: UnitOfWork,
    relation: str = "supplier",
    email: str | None = None,
    note: str | None = None,
    valid_days: int = 14,
) -> tuple[SupplierInvitation, str]:
    """A one-time registration token for a new supplier (shown once, stored as a digest)."""
    if relation not in RELATIONS:
        raise ValidationFailed([FieldError("relation", f"must be one of {', '.join(RELATIONS)}")])
    if not 1 <= valid_days <= 90:
        raise ValidationFailed([FieldError("valid_days", "must be between 1 and 90")])
    token = secrets.token_urlsafe(24)
    inv = SupplierInvitation(
        token_digest=_digest(token),
        relation=relation,
        email=email,
        note=note,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    uow.add(inv)
    uow.flush()
    return inv, token


def revoke(uow: UnitOfWork, invitation_id: int) -> SupplierInvitation:
    inv = uow.session.get(SupplierInvitation, invitation_id)
    if inv is None:
        raise NotFound("SupplierInvitation", invitation_id)
    if inv.status != InvitationStatus.OPEN:
        raise Conflict(f"invitation {invitation_id} is already {inv.status}")
    inv.status = InvitationStatus.REVOKED.value
    uow.flush()
    return inv


@dataclass(frozen=True)
class InvitationInfo:
    buyer_code: str
    buyer_name: str
    buyer_name_en: str | None
    relation: str
    expires_at: str


def _open_invitation(uow: UnitOfWork, token: str) -> SupplierInvitation:
    inv = uow.session.scalar(
        select(SupplierInvitation).where(SupplierInvitation.token_digest == _digest(token))
    )
    if inv is None or inv.status != InvitationStatus.OPEN or inv.expires_at <= utcnow():
        raise NotFound("invitation", "(this link is unknown, used, revoked or expired)")
    return inv


def look_up(db: Database, token: str) -> InvitationInfo:
    """Who invites the holder of `token` (shown on the registration page)."""
    with db.system() as uow:
        inv = _open_invitation(uow, token)
        buyer = uow.session.get(Enterprise, inv.enterprise_id)
        assert buyer is not None
        return InvitationInfo(
            buyer.code, buyer.name, buyer.name_en, inv.relation, inv.expires_at.isoformat()
        )


@dataclass(frozen=True)
class Registration:
    enterprise_id: int
    enterprise_code: str
    admin_username: str
    partnership_id: int
    status: str


def register(db: Database, token: str, spec: NewEnterprise) -> Registration:
    """Register the invited supplier; its partnership with the buyer waits for approval."""
    if not spec.uscc:
        raise ValidationFailed(
            [FieldError("uscc", "a supplier registers with its 统一社会信用代码")]
        )
    with db.system() as uow:
        inv = _open_invitation(uow, token)
        ent, admin = add_enterprise(uow, spec)
        link = Partnership(
            enterprise_id=inv.enterprise_id,
            partner_enterprise_id=ent.id,
            relation=inv.relation,
            status="pending",
        )
        uow.add(link)
        uow.add(SupplierProfile(enterprise_id=ent.id, contact_email=inv.email))
        inv.status = InvitationStatus.ACCEPTED.value
        inv.accepted_enterprise_id = ent.id
        uow.commit()
        return Registration(ent.id, ent.code, admin.username, link.id, link.status)


def allowed_actions(status: str) -> tuple[str, ...]:
    """The admission decisions possible on a partnership in `status`."""
    possible = PARTNERSHIP_TRANSITIONS.get(status, ())
    return tuple(
        action
        for action, (start, target) in ACTIONS.items()
        if start in (None, status) and target in possible
    )


def decide(uow: UnitOfWork, partnership_id: int, action: str) -> Partnership:
    """The buyer's admission decision on a partner (approve, suspend, reinstate, block)."""
    if action not in ACTIONS:
        raise NotFound("admission action", action)
    link = uow.session.get(Partnership, partnership_id)
    if link is None:
        raise NotFound("Partnership", partnership_id)
    start, target = ACTIONS[action]
    if start is not None and link.status != start:
        allowed = list(PARTNERSHIP_TRANSITIONS.get(link.status, ()))
        raise IllegalTransition(f"partnership ({action})", link.status, target, allowed)
    link.transition(target)
    uow.flush()
    return link


def own_profile(uow: UnitOfWork) -> SupplierProfile:
    """The caller's supplier profile (created empty on first use)."""
    profile = uow.session.scalar(
        select(SupplierProfile).where(SupplierProfile.enterprise_id == uow.ctx.enterprise_id)
    )
    if profile is None:
        profile = SupplierProfile(enterprise_id=uow.ctx.enterprise_id)
        uow.add(profile)
        uow.flush()
    return profile


LIST_FIELDS = ("certificates", "capacities", "categories")


def update_profile(uow: UnitOfWork, fields: dict[str, Any]) -> SupplierProfile:
    """Replace the given fields; a list given as null is emptied."""
    profile = own_profile(uow)
    for name, value in fields.items():
        setattr(profile, name, [] if value is None and name in LIST_FIELDS else value)
    uow.flush()
    return profile


def partner_profile(uow: UnitOfWork, enterprise_id: int) -> SupplierProfile:
    """A partner's profile (invisible, hence 404, to enterprises it is not partnered with)."""
    profile = uow.session.scalar(
        select(SupplierProfile).where(SupplierProfile.enterprise_id == enterprise_id)
    )
    if profile is None:
        raise NotFound("SupplierProfile", enterprise_id)
    return profile
