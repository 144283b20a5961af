"""Supplier admission: invitations, self-registration, decisions, supplier profiles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from supplymesh.api.deps import ContainerDep, UowDep
from supplymesh.collab import admission, sharing
from supplymesh.collab.model import SupplierInvitation
from supplymesh.network.schemas import PartnershipPublic
from supplymesh.network.services import NewEnterprise
from supplymesh.platform.schemas import Input
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1", tags=["supplier admission"])
public_router = APIRouter(prefix="/api/v1/auth", tags=["supplier admission"])
Id = Annotated[int, Path(ge=1, le=MAX_INT)]


class InvitationCreate(Input):
    relation: Literal["supplier", "subcontractor"] = "supplier"
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    note: str | None = Field(default=None, max_length=500)
    valid_days: int = Field(default=14, ge=1, le=90)


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    relation: str
    email: str | None
    note: str | None
    status: str
    expires_at: datetime
    accepted_enterprise_id: int | None


class InvitationCreated(InvitationPublic):
    token: str = Field(description="shown once; the supplier registers with it")
    register_path: str


@router.post("/supplier-invitations", response_model=InvitationCreated, status_code=201)
def create_invitation(payload: InvitationCreate, uow: UowDep) -> InvitationCreated:
    """Invite a supplier to register itself (admins only)."""
    inv, token = admission.invite(
        uow, payload.relation, payload.email, payload.note, payload.valid_days
    )
    uow.commit()
    return InvitationCreated(
        **InvitationPublic.model_validate(inv).model_dump(),
        token=token,
        register_path=f"/register?invite={token}",
    )


@router.get("/supplier-invitations", response_model=list[InvitationPublic])
def list_invitations(uow: UowDep) -> list[InvitationPublic]:
    rows = uow.session.scalars(select(SupplierInvitation).order_by(SupplierInvitation.id.desc()))
    return [InvitationPublic.model_validate(r) for r in rows]


@router.delete("/supplier-invitations/{invitation_id}", response_model=InvitationPublic)
def revoke_invitation(invitation_id: Id, uow: UowDep) -> InvitationPublic:
    inv = admission.revoke(uow, invitation_id)
    uow.commit()
    return InvitationPublic.model_validate(inv)


class InvitationInfo(BaseModel):
    buyer_code: str
    buyer_name: str
    buyer_name_en: str | None
    relation: str
    expires_at: str


@public_router.get("/invitations/{token}", response_model=InvitationInfo)
def look_up_invitation(token: str, container: ContainerDep) -> InvitationInfo:
    """Who invites the holder of this link (no login: the token is the credential)."""
    info = admission.look_up(container.db, token)
    return InvitationInfo(**info.__dict__)


SupplierRole = Literal["supplier", "manufacturer", "logistics"]


def _supplier_only() -> list[SupplierRole]:
    return ["supplier"]


class SupplierRegistration(Input):
    invitation_token: str = Field(min_length=8, max_length=100)
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_\-]{1,31}$")
    name: str = Field(min_length=2, max_length=200)
    name_en: str | None = None
    uscc: str = Field(description="统一社会信用代码, 18 characters")
    city: str | None = None
    roles: list[SupplierRole] = Field(default_factory=_supplier_only)
    admin_username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@\-]+$")
    admin_password: str = Field(min_length=8, max_length=200)
    admin_display_name: str | None = None

    def to_spec(self) -> NewEnterprise:
        """The enterprise and first admin to create (the token is checked separately)."""
        return NewEnterprise(
            code=self.code,
            name=self.name,
            name_en=self.name_en,
            uscc=self.uscc,
            city=self.city,
            roles=list(self.roles),
            admin_username=self.admin_username,
            admin_password=self.admin_password,
            admin_display_name=self.admin_display_name,
        )


class RegistrationResult(BaseModel):
    enterprise_id: int
    enterprise_code: str
    admin_username: str
    partnership_id: int
    status: str


@public_router.post("/register", response_model=RegistrationResult, status_code=201)
def register_supplier(payload: SupplierRegistration, container: ContainerDep) -> RegistrationResult:
    """Register the invited supplier and its first admin; the buyer then approves it."""
    result = admission.register(container.db, payload.invitation_token, payload.to_spec())
    return RegistrationResult(**result.__dict__)


@router.post("/partnerships/{partnership_id}/{action}", response_model=PartnershipPublic)
def decide(
    partnership_id: Id,
    action: Literal["approve", "suspend", "reinstate", "block"],
    uow: UowDep,
) -> PartnershipPublic:
    """Admission decision on a partner; an illegal one answers 409 with the allowed ones."""
    link = admission.decide(uow, partnership_id, action)
    uow.commit()
    return PartnershipPublic.model_validate(link)


class Certificate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    number: str | None = None
    issuer: str | None = None
    valid_until: date | None = None


class Capacity(BaseModel):
    category: str = Field(min_length=1, max_length=80)
    quantity_per_month: int = Field(ge=0, le=MAX_INT)
    unit: str = "EA"


class ProfileUpdate(Input):
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    certificates: list[Certificate] | None = None
    capacities: list[Capacity] | None = None
    categories: list[str] | None = None


class ProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    enterprise_id: int
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    certificates: list[Certificate]
    capacities: list[Capacity]
    categories: list[str]
    updated_at: datetime
    version: int


@router.get("/supplier-profile", response_model=ProfilePublic)
def my_profile(uow: UowDep) -> ProfilePublic:
    profile = admission.own_profile(uow)
    uow.commit()
    return ProfilePublic.model_validate(profile)


@router.put("/supplier-profile", response_model=ProfilePublic)
def update_my_profile(payload: ProfileUpdate, uow: UowDep) -> ProfilePublic:
    """Certificates, capacities and the categories the caller can supply."""
    fields = payload.model_dump(mode="json", exclude_unset=True)
    profile = admission.update_profile(uow, fields)
    uow.commit()
    return ProfilePublic.model_validate(profile)


@router.get("/supplier-profiles/{enterprise_id}", response_model=ProfilePublic)
def partner_profile(enterprise_id: Id, uow: UowDep) -> ProfilePublic:
    return ProfilePublic.model_validate(admission.partner_profile(uow, enterprise_id))


class SupplierSharing(Input):
    partner_enterprise_id: int = Field(ge=1, le=MAX_INT)


class SharedItems(BaseModel):
    partner_enterprise_id: int
    item_ids: list[int]


@router.post("/inventory-sharing/supplied-items", response_model=SharedItems)
def share_supplied_items(payload: SupplierSharing, uow: UowDep) -> SharedItems:
    """Let a supplier see the caller's stock and consumption of the items it supplies."""
    items = sharing.share_supplied_items(uow, payload.partner_enterprise_id)
    uow.commit()
    return SharedItems(partner_enterprise_id=payload.partner_enterprise_id, item_ids=items)
