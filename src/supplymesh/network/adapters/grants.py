"""Load what other enterprises share with a caller, for its `TenantContext`."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select

from supplymesh.network.model import Partnership, SharingGrant
from supplymesh.platform.tenancy import Grants, TenantSession


def load_grants(session: TenantSession, enterprise_id: int) -> tuple[Grants, frozenset[int]]:
    """Grants to `enterprise_id` and the enterprises it has a relation with."""
    ids: dict[str, set[int]] = defaultdict(set)
    whole: dict[str, set[int]] = defaultdict(set)
    partners: set[int] = set()
    grants = session.scalars(
        select(SharingGrant).where(
            or_(
                SharingGrant.partner_enterprise_id == enterprise_id,
                SharingGrant.enterprise_id == enterprise_id,
            )
        )
    )
    for grant in grants:
        if grant.partner_enterprise_id == enterprise_id:
            partners.add(grant.enterprise_id)
            if grant.resource_id is None:
                whole[grant.kind].add(grant.enterprise_id)
            else:
                ids[grant.kind].add(grant.resource_id)
        elif grant.partner_enterprise_id is not None:
            partners.add(grant.partner_enterprise_id)
    for rel in session.scalars(
        select(Partnership).where(
            or_(
                Partnership.enterprise_id == enterprise_id,
                Partnership.partner_enterprise_id == enterprise_id,
            )
        )
    ):
        other = (
            rel.partner_enterprise_id if rel.enterprise_id == enterprise_id else rel.enterprise_id
        )
        if other is not None:
            partners.add(other)
    partners.discard(enterprise_id)
    return (
        Grants(
            ids={k: frozenset(v) for k, v in ids.items()},
            whole={k: frozenset(v) for k, v in whole.items()},
        ),
        frozenset(partners),
    )
