"""logistics: stored dock plans and station fences

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dock_plans",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("called", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_dock_plans_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dock_plans")),
    )
    with op.batch_alter_table("dock_plans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dock_plans_enterprise_id"), ["enterprise_id"], unique=False
        )
    op.create_table(
        "station_fences",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station", sa.String(length=60), nullable=False),
        sa.Column("site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_station_fences_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_station_fences_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_fences")),
        sa.UniqueConstraint(
            "enterprise_id", "station", name=op.f("uq_station_fences_enterprise_id_station")
        ),
    )
    with op.batch_alter_table("station_fences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_station_fences_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_station_fences_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("station_fences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_fences_site_id"))
        batch_op.drop_index(batch_op.f("ix_station_fences_enterprise_id"))

    op.drop_table("station_fences")
    with op.batch_alter_table("dock_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dock_plans_enterprise_id"))

    op.drop_table("dock_plans")
