"""Tenant scoping in one place.

Every ORM query made through a `TenantSession` gets the scoping criteria of each registered
class whose table it names (anywhere: joins, subqueries, CTEs) added to it
(``with_loader_criteria``), and every flush checks that the caller may write each object it
touches. Endpoints and repositories never filter by enterprise
themselves, so no query can forget. A session opened without a `TenantContext` refuses to
run ORM statements at all (fail closed); maintenance code opens one with
`TenantContext.system()`.

Visibility of another enterprise's rows comes only from explicit sharing grants (or from a
document naming the caller as its counterparty); every such row loaded is reported to the
session so the unit of work can audit the read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, ForeignKey, Table, event, false, or_
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    declared_attr,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.sql import visitors

from supplymesh.platform.errors import PermissionDenied

WRITE_ROLES = frozenset({"admin", "planner", "operator"})
ADMIN_ROLES = frozenset({"admin"})
USER_ROLES = ("admin", "planner", "operator", "viewer")


@dataclass(frozen=True)
class Grants:
    """What other enterprises share with the caller, per resource kind.

    `ids[kind]` holds object ids granted one by one; `whole[kind]` the enterprises that granted
    every object of that kind.
    """

    ids: dict[str, frozenset[int]] = field(default_factory=dict)
    whole: dict[str, frozenset[int]] = field(default_factory=dict)

    def ids_for(self, kind: str) -> frozenset[int]:
        return self.ids.get(kind, frozenset())

    def whole_for(self, kind: str) -> frozenset[int]:
        return self.whole.get(kind, frozenset())


@dataclass(frozen=True)
class TenantContext:
    """Who is acting: the enterprise every query is scoped to, the user and role."""

    enterprise_id: int
    user_id: int | None = None
    role: str = "viewer"
    grants: Grants = field(default_factory=Grants)
    partner_ids: frozenset[int] = frozenset()
    is_system: bool = False

    @classmethod
    def system(cls) -> TenantContext:
        """Unscoped context for migrations, the demo generator and admin commands."""
        return cls(enterprise_id=0, role="admin", is_system=True)

    @property
    def can_write(self) -> bool:
        return self.is_system or self.role in WRITE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.is_system or self.role in ADMIN_ROLES


class TenantOwned:
    """Mixin: a row that belongs to one enterprise.

    `grant_kind` names the sharing-grant kind that makes rows visible to others and
    `grant_column` the column the grant's resource id refers to; `extra_grants` lists more
    (kind, column) pairs (stock is shared per site or per item).
    """

    grant_kind: ClassVar[str | None] = None
    grant_column: ClassVar[str] = "id"
    extra_grants: ClassVar[tuple[tuple[str, str], ...]] = ()

    @declared_attr
    def enterprise_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("enterprises.id"), index=True, nullable=False)


class PartyScoped(TenantOwned):
    """Mixin: a document owned by one enterprise and addressed to another (its partner).

    Both parties read it; by default only the owner writes (contexts may register a rule that
    lets the partner write certain fields through their own state machine).
    """

    @declared_attr
    def partner_enterprise_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("enterprises.id"), index=True, nullable=True)


ReadRule = Callable[[type[Any], TenantContext], ColumnElement[bool]]
WriteRule = Callable[[Any, TenantContext], bool]


def owned_or_granted(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """Own rows, plus rows shared by a grant of the class's kind."""
    own: ColumnElement[bool] = cls.enterprise_id == ctx.enterprise_id
    pairs = list(getattr(cls, "extra_grants", ()))
    if getattr(cls, "grant_kind", None) is not None:
        pairs.insert(0, (cls.grant_kind, cls.grant_column))
    clauses = [own]
    for kind, column in pairs:
        ids = ctx.grants.ids_for(kind)
        if ids:
            # Granted ids name rows of the column's table, so they are unique across owners.
            clauses.append(getattr(cls, column).in_(sorted(ids)))
        whole = ctx.grants.whole_for(kind)
        if whole:
            clauses.append(cls.enterprise_id.in_(sorted(whole)))
    return or_(*clauses) if len(clauses) > 1 else own


def owned_or_addressed(cls: type[Any], ctx: TenantContext) -> ColumnElement[bool]:
    """Own documents and documents whose partner is the caller."""
    return or_(
        cls.enterprise_id == ctx.enterprise_id, cls.partner_enterprise_id == ctx.enterprise_id
    )


def owner_writes(obj: Any, ctx: TenantContext) -> bool:
    return bool(obj.enterprise_id == ctx.enterprise_id)


def owner_admin_writes(obj: Any, ctx: TenantContext) -> bool:
    """Only the owner's admins change it (users, credentials, what is shared with whom)."""
    return bool(obj.enterprise_id == ctx.enterprise_id and ctx.is_admin)


@dataclass(frozen=True)
class ScopeRule:
    read: ReadRule
    write: WriteRule


_RULES: dict[type[Any], ScopeRule] = {}


def register(
    cls: type[Any], read: ReadRule | None = None, write: WriteRule | None = None
) -> type[Any]:
    """Scope `cls` by `read` and `write` (defaults chosen from its mixin)."""
    default_read = owned_or_addressed if issubclass(cls, PartyScoped) else owned_or_granted
    _RULES[cls] = ScopeRule(read or default_read, write or owner_writes)
    return cls


def scoped(cls: type[Any]) -> type[Any]:
    """Class decorator: register a `TenantOwned` class with its default rules."""
    return register(cls)


def admin_scoped(cls: type[Any]) -> type[Any]:
    """Class decorator: default read rule; only the owner's admins write."""
    return register(cls, write=owner_admin_writes)


def rule_for(cls: type[Any]) -> ScopeRule | None:
    for klass in cls.__mro__:
        if klass in _RULES:
            return _RULES[klass]
    return None


def registered_classes() -> Iterable[type[Any]]:
    return tuple(_RULES)


class TenantSession(Session):
    """A session that knows its tenant (in ``info['tenant']``) and scopes everything to it."""

    @property
    def tenant(self) -> TenantContext:
        ctx = self.info.get("tenant")
        if not isinstance(ctx, TenantContext):
            raise PermissionDenied("no tenant context: this session may not query tenant data")
        return ctx


_BY_TABLE: dict[str, list[tuple[type[Any], ScopeRule]]] = {}


def _rules_for_tables(tables: set[str]) -> list[tuple[type[Any], ScopeRule]]:
    """The scope rules of the registered classes mapped to `tables`.

    Adding every registered class's criteria to every statement made each query pay for
    sixty-odd options (cache keys, compilation); only the tables a statement names can leak.
    """
    if sum(map(len, _BY_TABLE.values())) != len(_RULES):
        _BY_TABLE.clear()
        for cls, rule in _RULES.items():
            _BY_TABLE.setdefault(cls.__table__.name, []).append((cls, rule))
    return [pair for name in tables for pair in _BY_TABLE.get(name, ())]


def _tables_in(statement: Any) -> set[str]:
    """Every table a statement reads or writes, in subqueries, CTEs, EXISTS and aliases too.

    The models declare no relationships, so no table can join a query except through the
    statement itself (no eager loads added at compile time); a test guards that.
    """
    return {element.name for element in visitors.iterate(statement) if isinstance(element, Table)}


@event.listens_for(TenantSession, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    session = state.session
    ctx = session.info.get("tenant")
    if not isinstance(ctx, TenantContext):
        raise PermissionDenied("no tenant context: this session may not query tenant data")
    if ctx.is_system or state.is_column_load:
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    options = []
    for cls, rule in _rules_for_tables(_tables_in(state.statement)):
        if state.is_select:
            criteria = rule.read(cls, ctx)
        else:
            # Bulk UPDATE/DELETE statements touch only the caller's own rows.
            criteria = cls.enterprise_id == ctx.enterprise_id if ctx.can_write else false()
        options.append(with_loader_criteria(cls, criteria, include_aliases=True))
    state.statement = state.statement.options(*options)


@event.listens_for(TenantSession, "before_flush")
def _check_writes(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    ctx = session.info.get("tenant")
    if not isinstance(ctx, TenantContext):
        raise PermissionDenied("no tenant context: this session may not write tenant data")
    for obj in chain(session.new, session.dirty, session.deleted):
        rule = rule_for(type(obj))
        if rule is None:
            continue
        if (
            obj in session.new
            and isinstance(obj, TenantOwned)
            and getattr(obj, "enterprise_id", None) is None
        ):
            obj.enterprise_id = ctx.enterprise_id
        if ctx.is_system:
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if not ctx.can_write:
            raise PermissionDenied(f"role {ctx.role!r} may not change data")
        if not rule.write(obj, ctx):
            owner = getattr(obj, "enterprise_id", None)
            raise PermissionDenied(
                f"{type(obj).__name__} belongs to another enterprise and may not be changed"
                if owner != ctx.enterprise_id
                else f"role {ctx.role!r} may not change {type(obj).__name__}"
            )


def shared_row_loaded(obj: Any, ctx: TenantContext) -> bool:
    """True when a loaded row belongs to another enterprise (a read to audit)."""
    owner = getattr(obj, "enterprise_id", None)
    return not ctx.is_system and owner is not None and owner != ctx.enterprise_id


__all__ = [
    "Grants",
    "PartyScoped",
    "TenantContext",
    "TenantOwned",
    "TenantSession",
    "owned_or_addressed",
    "owned_or_granted",
    "register",
    "rule_for",
    "scoped",
]
