"""Document numbers (PO-000042, RFQ-000007…) from one counter row per enterprise and series.

Scanning for the highest existing number let two concurrent creations pick the same one; the
unique constraint then refused the second with a 409 and the client had to retry. The counter
row is bumped with ``UPDATE … RETURNING``, which locks the row on PostgreSQL until the
transaction ends (and SQLite serialises writers anyway), so concurrent creators queue for a
number instead of colliding. A rolled-back transaction gives its number back with the row.

The first use of a series seeds the row from the highest number already in use, so a database
created before the counters existed (or numbers typed in by hand) never collide either; a number
someone chose by hand later is skipped when the counter reaches it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import BigInteger, String, UniqueConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from supplymesh.platform.db import Base, BigId
from supplymesh.platform.tenancy import TenantOwned, scoped
from supplymesh.platform.uow import UnitOfWork

#: The highest number of a series in use now; asked once, when the series' row is created.
HighestInUse = Callable[[], int]
#: Whether a formatted number is already taken (by hand-chosen numbers, say).
Taken = Callable[[str], bool]


@scoped
class DocumentCounter(TenantOwned, Base):
    """The last number handed out in one series (e.g. ``PO``) of one enterprise."""

    __tablename__ = "document_counters"
    __table_args__ = (UniqueConstraint("enterprise_id", "series"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series: Mapped[str] = mapped_column(String(40))
    last: Mapped[int] = mapped_column(BigInteger, default=0)


def _bump(uow: UnitOfWork, series: str) -> int | None:
    stmt = (
        update(DocumentCounter)
        .where(
            DocumentCounter.enterprise_id == uow.ctx.enterprise_id,
            DocumentCounter.series == series,
        )
        .values(last=DocumentCounter.last + 1)
        .returning(DocumentCounter.last)
        .execution_options(synchronize_session=False)
    )
    return uow.session.execute(stmt).scalar_one_or_none()


def next_value(uow: UnitOfWork, series: str, highest_in_use: HighestInUse) -> int:
    """The caller's next value of `series`, never handed out before."""
    value = _bump(uow, series)
    if value is None:
        start = highest_in_use()
        try:
            with uow.session.begin_nested():
                uow.add(
                    DocumentCounter(enterprise_id=uow.ctx.enterprise_id, series=series, last=start)
                )
        except IntegrityError:
            pass  # another transaction created the row first: bump that one
        value = _bump(uow, series)
        assert value is not None, f"counter {series} missing right after its creation"
    return value


def next_number(
    uow: UnitOfWork,
    prefix: str,
    highest_in_use: HighestInUse,
    taken: Taken | None = None,
    width: int = 6,
) -> str:
    """``PREFIX-000001`` style: the next value of series `prefix`, skipping taken numbers."""
    while True:
        number = f"{prefix}-{next_value(uow, prefix, highest_in_use):0{width}d}"
        if taken is None or not taken(number):
            return number


def highest_suffix(numbers: list[str], prefix: str) -> int:
    """The largest integer after ``PREFIX-`` among `numbers` (0 when none parses)."""
    cut = len(prefix) + 1
    return max((int(n[cut:]) for n in numbers if n[cut:].isdigit()), default=0)
