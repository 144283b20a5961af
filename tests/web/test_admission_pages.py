"""Supplier admission in the browser: register by link, approve, invite, profiles."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from supplymesh.collab import admission
from supplymesh.collab.model import InvitationStatus, SupplierInvitation, SupplierProfile
from supplymesh.network.model import PARTNERSHIP_TRANSITIONS, Enterprise, Partnership
from supplymesh.network.services import create_user
from supplymesh.platform.uow import Database
from supplymesh.web import i18n
from supplymesh.web.pages import supplier_profile
from tests.web.seed import PASSWORD_A, PASSWORD_B, Network, seed
from tests.web.test_pages import signed_in

USCC = "91350100M000100Y43"
SUPPLIER_PASSWORD = "newsup-pass-1"


@pytest.fixture
def network(db: Database) -> Network:
    return seed(db)


def invite(db: Database, buyer_id: int, relation: str = "supplier") -> str:
    """A registration token from the buyer's admin, through the buyer's unit of work."""
    with db.unit_of_work(db.context_for(buyer_id, None, "admin")) as uow:
        _inv, token = admission.invite(uow, relation, "sales@newsup.cn")
        uow.commit()
    return token


def csrf_in(page: Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the page has no CSRF field"
    return match.group(1)


def register(client: TestClient, token: str, **over: str) -> Response:
    """Fill in the public registration form the way a browser would."""
    page = client.get("/register", params={"invite": token})
    assert page.status_code == 200, page.text
    form = {
        "csrf_token": csrf_in(page),
        "invite": token,
        "code": "newsup",
        "name": "新供应商有限公司",
        "name_en": "New Supply",
        "uscc": USCC,
        "city": "福州",
        "admin_username": "newsup.admin",
        "admin_display_name": "王经理",
        "admin_password": SUPPLIER_PASSWORD,
        "admin_password_confirm": SUPPLIER_PASSWORD,
    }
    form.update(over)
    return client.post("/register", data=form)


def post_form(client: TestClient, page_path: str, action: str, **data: str | list[str]) -> Response:
    """Post a form of `page_path` with the CSRF token that page carries."""
    token = csrf_in(client.get(page_path))
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def partnership_of(db: Database, supplier_code: str) -> Partnership:
    with db.system() as uow:
        ent = uow.session.scalars(select(Enterprise).where(Enterprise.code == supplier_code)).one()
        return uow.session.scalars(
            select(Partnership).where(Partnership.partner_enterprise_id == ent.id)
        ).one()


def count_enterprises(db: Database) -> int:
    with db.system() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Enterprise)) or 0)


def test_invited_supplier_registers_and_the_buyer_approves(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    token = invite(db, network.a, "subcontractor")
    visitor = client_factory()
    page = visitor.get("/register", params={"invite": token})
    assert "甲制造有限公司" in page.text and "AAA" in page.text and "外协厂" in page.text
    done = register(visitor, token)
    assert done.status_code == 200, done.text
    assert 'data-status="pending"' in done.text and "等待 甲制造有限公司 审批" in done.text
    assert 'href="/login"' in done.text
    link = partnership_of(db, "NEWSUP")  # the code was typed in lower case
    assert link.status == "pending" and link.relation == "subcontractor"

    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    listing = buyer.get("/suppliers")
    assert listing.status_code == 200
    row = re.search(rf'data-partnership="{link.id}".*?</tr>', listing.text, re.S)
    assert row, listing.text
    assert 'data-status="pending"' in row.group(0)
    assert re.findall(r'data-action="(\w+)"', row.group(0)) == ["approve", "block"]
    approved = post_form(buyer, "/suppliers", f"/suppliers/{link.id}/approve")
    assert approved.status_code == 303
    after = buyer.get(approved.headers["location"]).text
    assert "已批准准入" in after
    row = re.search(rf'data-partnership="{link.id}".*?</tr>', after, re.S)
    assert row and 'data-status="active"' in row.group(0) and "已准入" in row.group(0)
    assert re.findall(r'data-action="(\w+)"', row.group(0)) == ["suspend", "block"]
    assert partnership_of(db, "NEWSUP").status == "active"

    again = post_form(buyer, "/suppliers", f"/suppliers/{link.id}/approve")
    assert again.status_code == 409
    assert "当前状态为“已准入”" in again.text and "已暂停" in again.text

    supplier = signed_in(client_factory, "newsup.admin", SUPPLIER_PASSWORD)
    theirs = supplier.get("/suppliers").text
    assert 'id="customers"' in theirs and "AAA" in theirs and 'data-action="' not in theirs


def test_a_bad_uscc_is_named_on_the_form_and_nothing_is_written(
    client: TestClient, db: Database, network: Network
) -> None:
    token = invite(db, network.a)
    before = count_enterprises(db)
    bad = register(client, token, uscc="91350100M000100Y44")
    assert bad.status_code == 422
    field = re.search(r'data-field="uscc".*?</label>', bad.text, re.S)
    assert field and "field-error" in field.group(0) and "统一社会信用代码无效" in field.group(0)
    assert 'value="NEWSUP"' in bad.text and 'value="新供应商有限公司"' in bad.text
    assert SUPPLIER_PASSWORD not in bad.text  # a password is never sent back
    mismatch = register(client, token, admin_password_confirm="something-else")
    assert mismatch.status_code == 422 and "两次输入的密码不一致" in mismatch.text
    taken = register(client, token, admin_username="a.admin")
    assert taken.status_code == 409 and "该用户名已被占用" in taken.text
    assert count_enterprises(db) == before
    assert register(client, token).status_code == 200  # the link still works


def test_a_used_revoked_or_unknown_link_says_so(
    client: TestClient, db: Database, network: Network
) -> None:
    token = invite(db, network.a)
    assert register(client, token).status_code == 200
    used = client.get("/register", params={"invite": token})
    assert (
        used.status_code == 404 and "邀请链接无效" in used.text and 'name="code"' not in used.text
    )
    replay = client.post(
        "/register",
        data={"csrf_token": client.cookies.get("sm_csrf") or "", "invite": token, "code": "X2"},
    )
    assert replay.status_code == 404 and "已被使用" in replay.text
    assert client.get("/register", params={"invite": "no-such-token"}).status_code == 404
    assert client.get("/register").status_code == 404
    revoked = invite(db, network.a)
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        for inv in uow.session.scalars(select(SupplierInvitation)):
            if inv.status == InvitationStatus.OPEN:
                admission.revoke(uow, inv.id)
        uow.commit()
    assert client.get("/register", params={"invite": revoked}).status_code == 404


def test_the_registration_form_needs_its_csrf_token(
    client: TestClient, db: Database, network: Network
) -> None:
    token = invite(db, network.a)
    client.get("/register", params={"invite": token})
    refused = client.post("/register", data={"invite": token, "code": "NEWSUP"})
    assert refused.status_code == 403 and "表单已过期" in refused.text


def test_only_the_buyers_admins_decide_and_invite(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    with db.unit_of_work(db.context_for(network.a, None, "admin")) as uow:
        create_user(uow, "a.viewer", "只读用户", "viewer-pass-1", "viewer")
        uow.commit()
    assert register(client_factory(), invite(db, network.a)).status_code == 200
    link = partnership_of(db, "NEWSUP")

    viewer = signed_in(client_factory, "a.viewer", "viewer-pass-1")
    listing = viewer.get("/suppliers").text
    assert 'data-status="pending"' in listing and 'data-action="' not in listing
    refused = post_form(viewer, "/suppliers", f"/suppliers/{link.id}/approve")
    assert refused.status_code == 403 and "只有本企业的管理员" in refused.text
    assert 'data-status="pending"' in refused.text
    invited = post_form(viewer, "/suppliers/invitations", "/suppliers/invitations")
    assert invited.status_code == 403 and "/register?invite=" not in invited.text
    profile = viewer.get("/supplier-profile")  # a viewer cannot even create the empty one
    assert profile.status_code == 200 and "您的角色只能查看档案" in profile.text

    supplier = signed_in(client_factory, "newsup.admin", SUPPLIER_PASSWORD)
    own_approval = post_form(supplier, "/suppliers", f"/suppliers/{link.id}/approve")
    assert own_approval.status_code == 403
    assert partnership_of(db, "NEWSUP").status == "pending"
    unknown = post_form(supplier, "/suppliers", f"/suppliers/{link.id}/promote")
    assert unknown.status_code == 404


def test_an_invitation_link_is_shown_once_and_can_be_revoked(
    client_factory: Callable[[], TestClient], network: Network
) -> None:
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    bad = post_form(buyer, "/suppliers/invitations", "/suppliers/invitations", valid_days="0")
    assert bad.status_code == 422 and "应为 1–90 之间的整数" in bad.text
    created = post_form(
        buyer,
        "/suppliers/invitations",
        "/suppliers/invitations",
        relation="supplier",
        email="sales@newsup.cn",
        note="注塑件",
        valid_days="7",
    )
    assert created.status_code == 200
    match = re.search(r'value="(http://testserver/register\?invite=([\w-]+))"', created.text)
    assert match, created.text
    token = match.group(2)
    assert 'data-copy="invitation-url"' in created.text
    visitor = client_factory()
    assert visitor.get(match.group(1).removeprefix("http://testserver")).status_code == 200
    listing = buyer.get("/suppliers/invitations").text
    assert token not in listing and "sales@newsup.cn" in listing and "待注册" in listing
    invitation_id = re.search(r'data-invitation="(\d+)"', listing)
    assert invitation_id
    revoked = post_form(
        buyer, "/suppliers/invitations", f"/suppliers/invitations/{invitation_id.group(1)}/revoke"
    )
    assert revoked.status_code == 303
    assert "已撤销" in buyer.get(revoked.headers["location"]).text
    assert visitor.get("/register", params={"invite": token}).status_code == 404
    twice = post_form(
        buyer, "/suppliers/invitations", f"/suppliers/invitations/{invitation_id.group(1)}/revoke"
    )
    assert twice.status_code == 409


def test_the_supplier_edits_its_profile_and_its_buyer_reads_it(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    assert register(client_factory(), invite(db, network.a)).status_code == 200
    supplier = signed_in(client_factory, "newsup.admin", SUPPLIER_PASSWORD)
    page = supplier.get("/supplier-profile")
    assert page.status_code == 200
    assert page.text.count('name="cert_name"') == supplier_profile.MIN_ROWS
    assert 'value="sales@newsup.cn"' in page.text  # from the invitation
    blank = [""] * (supplier_profile.MIN_ROWS - 1)
    form: dict[str, str | list[str]] = {
        "contact_name": "王经理",
        "contact_phone": "0591-1234567",
        "contact_email": "sales@newsup.cn",
        "categories": "注塑件\n模具，  冲压件",
        "cert_name": ["", "ISO 9001", *blank[1:]],
        "cert_number": ["", "CN-9001-77", *blank[1:]],
        "cert_issuer": ["", "CQC", *blank[1:]],
        "cert_valid_until": ["", "2028-06-30", *blank[1:]],
        "cap_category": ["注塑件", *blank],
        "cap_quantity_per_month": ["120000", *blank],
        "cap_unit": ["", *blank],
    }
    saved = post_form(supplier, "/supplier-profile", "/supplier-profile", **form)
    assert saved.status_code == 303, saved.text
    again = supplier.get(saved.headers["location"]).text
    assert "档案已保存" in again
    assert 'value="ISO 9001"' in again and 'value="2028-06-30"' in again
    assert 'value="120000"' in again and 'value="EA"' in again
    assert "注塑件\n模具\n冲压件</textarea>" in again
    bad = post_form(
        supplier,
        "/supplier-profile",
        "/supplier-profile",
        cap_category="模具",
        cap_quantity_per_month="-1",
    )
    assert bad.status_code == 422 and "产能第 1 行：“月产能”无效" in bad.text
    with db.system() as uow:
        profile = uow.session.scalars(select(SupplierProfile)).one()
        assert profile.capacities == [
            {"category": "注塑件", "quantity_per_month": 120000, "unit": "EA"}
        ]
        supplier_id = profile.enterprise_id

    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    seen = buyer.get(f"/suppliers/{supplier_id}/profile")
    assert seen.status_code == 200
    assert "ISO 9001" in seen.text and "120,000" in seen.text and "冲压件" in seen.text


def test_a_profile_is_not_found_for_enterprises_that_are_not_partners(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    assert register(client_factory(), invite(db, network.a)).status_code == 200
    supplier_id = partnership_of(db, "NEWSUP").partner_enterprise_id
    stranger = signed_in(client_factory, "b.admin", PASSWORD_B)
    hidden = stranger.get(f"/suppliers/{supplier_id}/profile")
    assert hidden.status_code == 404 and "没有这份供应商档案" in hidden.text
    assert "新供应商" not in hidden.text
    assert stranger.get("/suppliers/999999/profile").status_code == 404


def test_the_pages_need_a_session_and_speak_english(
    client_factory: Callable[[], TestClient], db: Database, network: Network
) -> None:
    anonymous = client_factory()
    for path in ("/suppliers", "/suppliers/invitations", "/supplier-profile"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    english = client_factory()
    english.cookies.set("lang", "en")
    page = english.get("/register", params={"invite": invite(db, network.a)})
    assert "A Manufacturing" in page.text  # the English page names the buyer in English
    assert "invites your enterprise to register as its supplier" in page.text
    buyer = signed_in(client_factory, "a.admin", PASSWORD_A)
    buyer.cookies.set("lang", "en")
    assert "Invite a supplier" in buyer.get("/suppliers").text
    assert "Create invitation link" in buyer.get("/suppliers/invitations").text


def test_every_label_the_admission_pages_build_is_translated() -> None:
    keys = {f"partnership_status.{s}" for s in PARTNERSHIP_TRANSITIONS}
    keys |= {f"suppliers.{kind}.{a}" for a in admission.ACTIONS for kind in ("action", "done")}
    keys |= {f"relation.{r}" for r in admission.RELATIONS}
    keys |= {f"invitation_status.{s.value}" for s in InvitationStatus} | {
        "invitation_status.expired",
        "invitations.done.revoked",
    }
    keys |= {f"profile.certificates.{f}" for f in supplier_profile.CERTIFICATE_FIELDS}
    keys |= {f"profile.capacities.{f}" for f in supplier_profile.CAPACITY_FIELDS}
    keys |= {f"register.error.{f}" for f in ("code", "name", "uscc", "admin_password")}
    keys |= {f"invitations.error.{f}" for f in ("relation", "email", "note", "valid_days")}
    for lang in i18n.SUPPORTED:
        missing = sorted(keys - set(i18n.catalogue(lang)))
        assert not missing, f"{lang}: {missing}"
