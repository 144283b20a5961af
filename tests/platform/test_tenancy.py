"""Tenant scoping: one place filters every query and checks every write."""

from __future__ import annotations

import pytest
from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import aliased

from supplymesh.network.model import SharingGrant, Site
from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.errors import PermissionDenied
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database


def _two_enterprises(db: Database) -> tuple[int, int]:
    a, _ = register_enterprise(
        db, NewEnterprise("AAA", "A Co", ["manufacturer"], "a.admin", "password-a")
    )
    b, _ = register_enterprise(
        db, NewEnterprise("BBB", "B Co", ["supplier"], "b.admin", "password-b")
    )
    return a.id, b.id


def _add_site(db: Database, ent: int, code: str) -> int:
    with db.unit_of_work(db.context_for(ent, None, "admin")) as uow:
        site = Site(code=code, name=code, kind="plant")
        uow.add(site)
        uow.commit()
        return site.id


def test_queries_see_only_own_rows(db: Database) -> None:
    a, b = _two_enterprises(db)
    _add_site(db, a, "A1")
    b_site = _add_site(db, b, "B1")
    with db.unit_of_work(db.context_for(a, None, "viewer")) as uow:
        codes = [s.code for s in uow.session.scalars(select(Site))]
        assert codes == ["A1"]
        assert uow.session.get(Site, b_site) is None


def test_tables_named_only_in_subqueries_ctes_and_aliases_are_scoped(db: Database) -> None:
    a, b = _two_enterprises(db)
    _add_site(db, a, "A1")
    b_site = _add_site(db, b, "B1")
    other = aliased(Site)
    cte = select(Site.id).cte("visible")
    with db.unit_of_work(db.context_for(a, None, "viewer")) as uow:
        run = uow.session.scalar
        assert run(select(func.count()).select_from(select(Site).subquery())) == 1
        assert run(select(func.count()).select_from(cte)) == 1
        assert run(select(func.count(other.id))) == 1
        assert run(select(exists().where(Site.id == b_site))) is False


def test_models_declare_no_relationships() -> None:
    """Scoping looks only at the tables a statement names; eager loads would bypass that."""
    from supplymesh.bootstrap import load_models

    base = load_models()
    assert [m.class_.__name__ for m in base.registry.mappers if m.relationships] == []


def test_new_rows_are_stamped_with_the_callers_enterprise(db: Database) -> None:
    a, _ = _two_enterprises(db)
    site_id = _add_site(db, a, "A1")
    with db.system() as uow:
        site = uow.session.get(Site, site_id)
        assert site is not None and site.enterprise_id == a


def test_grant_makes_one_site_visible_and_audits_the_read(db: Database) -> None:
    from supplymesh.platform.audit import AuditEntry

    a, b = _two_enterprises(db)
    shared = _add_site(db, b, "B1")
    _add_site(db, b, "B2")
    with db.unit_of_work(db.context_for(b, None, "admin")) as uow:
        uow.add(SharingGrant(partner_enterprise_id=a, kind="site", resource_id=shared))
        uow.commit()
    with db.unit_of_work(db.context_for(a, 7, "viewer")) as uow:
        codes = sorted(s.code for s in uow.session.scalars(select(Site)))
        assert codes == ["B1"]
    with db.system() as uow:
        reads = list(
            uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "read_shared"))
        )
        assert [(r.entity, r.entity_id, r.owner_enterprise_id, r.enterprise_id) for r in reads] == [
            ("Site", shared, b, a)
        ]


def test_cannot_change_a_granted_row(db: Database) -> None:
    a, b = _two_enterprises(db)
    shared = _add_site(db, b, "B1")
    with db.unit_of_work(db.context_for(b, None, "admin")) as uow:
        uow.add(SharingGrant(partner_enterprise_id=a, kind="site", resource_id=shared))
        uow.commit()
    with db.unit_of_work(db.context_for(a, None, "admin")) as uow:
        site = uow.session.get(Site, shared)
        assert site is not None
        site.name = "hijacked"
        with pytest.raises(PermissionDenied):
            uow.commit()


def test_bulk_update_touches_only_own_rows(db: Database) -> None:
    a, b = _two_enterprises(db)
    _add_site(db, a, "A1")
    b_site = _add_site(db, b, "B1")
    with db.unit_of_work(db.context_for(a, None, "admin")) as uow:
        uow.session.execute(update(Site).values(name="renamed"))
        uow.commit()
    with db.system() as uow:
        site = uow.session.get(Site, b_site)
        assert site is not None and site.name == "B1"


def test_viewer_may_not_write(db: Database) -> None:
    a, _ = _two_enterprises(db)
    with db.unit_of_work(db.context_for(a, None, "viewer")) as uow:
        uow.add(Site(code="X", name="X", kind="dc"))
        with pytest.raises(PermissionDenied):
            uow.commit()


def test_session_without_tenant_refuses_queries(db: Database) -> None:
    with db.factory() as session, pytest.raises(PermissionDenied):
        session.scalars(select(Site)).all()


def test_system_context_sees_everything(db: Database) -> None:
    a, b = _two_enterprises(db)
    _add_site(db, a, "A1")
    _add_site(db, b, "B1")
    with db.unit_of_work(TenantContext.system()) as uow:
        assert len(list(uow.session.scalars(select(Site)))) == 2


def test_only_admins_share_data(db: Database) -> None:
    a, b = _two_enterprises(db)
    with db.unit_of_work(db.context_for(b, None, "planner")) as uow:
        uow.add(SharingGrant(partner_enterprise_id=a, kind="site", resource_id=None))
        with pytest.raises(PermissionDenied, match="role 'planner' may not change SharingGrant"):
            uow.commit()
    with db.unit_of_work(db.context_for(b, None, "planner")) as uow:
        uow.add(Site(code="B9", name="B9", kind="dc"))
        uow.commit()  # planners do change master data
