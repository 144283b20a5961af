"""Recording document moves, and carrying out a sign-off on the document owner's behalf.

A supplier's sign-off changes the buyer's own rows (its order, order lines, expected stock):
the buyer asked for that change, the supplier's consent completes it. The tenancy layer lets
only the owner write those rows, so the effect is applied in the same transaction under the
owner's scope (`acting_for_owner`), after the collaboration state machine has checked that
the supplier may make the move. The actor recorded stays the supplier's user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from supplymesh.collab.procurement_model import DocumentTransition, Stateful, WrongParty
from supplymesh.platform.errors import StaleVersion
from supplymesh.platform.tenancy import PartyScoped, TenantContext, TenantOwned
from supplymesh.platform.uow import UnitOfWork


def record_move(
    uow: UnitOfWork,
    document: TenantOwned,
    document_id: int,
    kind: str,
    from_state: str | None,
    to_state: str,
    order_id: int | None = None,
    rfq_id: int | None = None,
    note: str | None = None,
) -> DocumentTransition:
    """Keep one move of `document` (its owner and partner see it)."""
    partner = document.partner_enterprise_id if isinstance(document, PartyScoped) else None
    row = DocumentTransition(
        enterprise_id=document.enterprise_id,
        partner_enterprise_id=partner,
        document_kind=kind,
        document_id=document_id,
        order_id=order_id,
        rfq_id=rfq_id,
        from_state=from_state,
        to_state=to_state,
        actor_user_id=uow.ctx.user_id,
        actor_enterprise_id=uow.ctx.enterprise_id,
        note=note,
    )
    uow.add(row)
    return row


def move(
    uow: UnitOfWork,
    document: Stateful,
    to_state: str,
    table: dict[str, tuple[str, ...]],
    order_id: int | None = None,
    rfq_id: int | None = None,
    note: str | None = None,
) -> None:
    """Move `document` through `table` and record the move."""
    previous = document.move_to(to_state, table)
    assert isinstance(document, TenantOwned)
    uow.flush()
    record_move(
        uow,
        document,
        int(getattr(document, "id")),  # noqa: B009 - every document has an id once flushed
        document.document_kind,
        previous,
        to_state,
        order_id,
        rfq_id,
        note,
    )


def side_of(uow: UnitOfWork, buyer_id: int, supplier_id: int | None) -> str:
    """``buyer`` or ``supplier``: which side of the document the caller is on."""
    me = uow.ctx.enterprise_id
    if me == buyer_id:
        return "buyer"
    if me == supplier_id:
        return "supplier"
    raise WrongParty(f"enterprise {me} is not a party to this document")


def require_side(uow: UnitOfWork, wanted: str, buyer_id: int, supplier_id: int | None) -> None:
    """Refuse (403) a buyer move made by the supplier, or the other way round."""
    side = side_of(uow, buyer_id, supplier_id)
    if side != wanted:
        raise WrongParty(f"only the {wanted} makes this move; you are the {side}")


def require_version(kind: str, key: object, expected: int | None, actual: int) -> None:
    """Optimistic locking: a write based on an older version answers 409."""
    if expected is not None and expected != actual:
        raise StaleVersion(kind, key, expected, actual)


@contextmanager
def acting_for_owner(uow: UnitOfWork, owner_id: int) -> Iterator[UnitOfWork]:
    """Apply the owner's side of a sign-off in the caller's transaction, scoped to the owner."""
    session = uow.session
    caller = uow.ctx
    if caller.enterprise_id == owner_id or caller.is_system:
        yield uow
        return
    owner = TenantContext(owner_id, caller.user_id, "planner")
    delegate = UnitOfWork(uow.db, owner)
    delegate.session = session
    session.info["tenant"] = owner
    try:
        yield delegate
        delegate.flush()
    finally:
        session.info["tenant"] = caller
