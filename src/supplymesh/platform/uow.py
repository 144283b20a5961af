"""Unit of work: one tenant, one transaction per command.

A use case opens a `UnitOfWork` for the caller's `TenantContext`, works on its session,
and commits once; leaving the block without commit rolls everything back, so nothing is
half-written. After a commit the event bus delivers the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from supplymesh.platform.audit import write_shared_reads
from supplymesh.platform.errors import Conflict
from supplymesh.platform.events import EventBus
from supplymesh.platform.tenancy import Grants, TenantContext, TenantSession

GrantsLoader = Callable[[TenantSession, int], tuple[Grants, frozenset[int]]]


class Database:
    """The engine, its session factory, the event bus, and how to load a tenant's grants."""

    def __init__(
        self, engine: Engine, bus: EventBus | None = None, grants_loader: GrantsLoader | None = None
    ) -> None:
        self.engine = engine
        self.factory: sessionmaker[TenantSession] = sessionmaker(
            bind=engine, class_=TenantSession, expire_on_commit=False
        )
        self.bus = bus or EventBus()
        self.grants_loader = grants_loader

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def context_for(self, enterprise_id: int, user_id: int | None, role: str) -> TenantContext:
        """Build the tenant context of a caller, loading what others share with it."""
        grants, partners = Grants(), frozenset[int]()
        if self.grants_loader is not None:
            with self.factory(info={"tenant": TenantContext.system()}) as session:
                grants, partners = self.grants_loader(session, enterprise_id)
        return TenantContext(enterprise_id, user_id, role, grants, partners)

    def unit_of_work(self, ctx: TenantContext) -> UnitOfWork:
        return UnitOfWork(self, ctx)

    def system(self) -> UnitOfWork:
        return UnitOfWork(self, TenantContext.system())


class UnitOfWork:
    """A session scoped to one tenant; commit once, roll back on any exit without commit."""

    session: TenantSession

    def __init__(self, db: Database, ctx: TenantContext) -> None:
        self.db = db
        self.ctx = ctx

    def __enter__(self) -> Self:
        self.session = self.db.factory(info={"tenant": self.ctx})
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded objects, so what a
        # use case returns stays readable after the block.
        reads = self.session.info.pop("shared_reads", set())
        try:
            if exc_type is not None:
                self.session.rollback()
        finally:
            self.session.close()
        if exc_type is None and reads:
            write_shared_reads(self.db.factory, self.ctx, reads)
        if self._committed and self.session.info.get("outbox_written"):
            self.db.bus.dispatch_pending(self.db.factory)

    def flush(self) -> None:
        """Flush pending changes, translating constraint failures into `Conflict`."""
        try:
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(_integrity_message(exc)) from exc
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict("the object was changed by someone else; reload and retry") from exc

    def commit(self) -> None:
        self.flush()
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(_integrity_message(exc)) from exc
        except StaleDataError as exc:
            self.session.rollback()
            raise Conflict("the object was changed by someone else; reload and retry") from exc
        self._committed = True

    def add(self, obj: Any) -> None:
        self.session.add(obj)


def _integrity_message(exc: IntegrityError) -> str:
    text = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
    if "UNIQUE" in text or "unique" in text or "duplicate key" in text:
        return f"already exists: {text}"
    if "FOREIGN KEY" in text or "foreign key" in text:
        return f"refers to something that does not exist: {text}"
    return f"constraint violated: {text}"
