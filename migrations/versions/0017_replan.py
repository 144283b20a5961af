"""replan: forecast runs and values, replenishment proposals

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("service_level", sa.Float(), nullable=False),
        sa.Column("history_start", sa.Date(), nullable=True),
        sa.Column("history_end", sa.Date(), nullable=True),
        sa.Column("executor", sa.String(length=20), nullable=False),
        sa.Column("series_count", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_forecast_runs_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forecast_runs_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "forecast_values",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("p10", sa.BigInteger(), nullable=False),
        sa.Column("p50", sa.BigInteger(), nullable=False),
        sa.Column("p90", sa.BigInteger(), nullable=False),
        sa.Column("p_service", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_forecast_values_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_forecast_values_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecast_values_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_forecast_values_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_values")),
    )
    with op.batch_alter_table("forecast_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forecast_values_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_forecast_values_run_series", ["run_id", "item_id", "site_id"], unique=False
        )

    op.create_table(
        "replenishment_proposals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "forecast_run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lane_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "supplier_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "from_site_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("need_date", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(length=40), nullable=False),
        sa.Column("reorder_point", sa.BigInteger(), nullable=False),
        sa.Column("order_up_to", sa.BigInteger(), nullable=False),
        sa.Column("review_period_days", sa.Integer(), nullable=False),
        sa.Column("moq", sa.BigInteger(), nullable=False),
        sa.Column("pack_size", sa.BigInteger(), nullable=False),
        sa.Column("simulated_fill_rate", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_replenishment_proposals_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["forecast_run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_replenishment_proposals_forecast_run_id_forecast_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["from_site_id"],
            ["sites.id"],
            name=op.f("fk_replenishment_proposals_from_site_id_sites"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_replenishment_proposals_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["lane_id"], ["lanes.id"], name=op.f("fk_replenishment_proposals_lane_id_lanes")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_replenishment_proposals_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_replenishment_proposals_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_replenishment_proposals_supplier_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replenishment_proposals")),
    )
    with op.batch_alter_table("replenishment_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_replenishment_proposals_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_replenishment_proposals_forecast_run_id"),
            ["forecast_run_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_replenishment_proposals_item_id"), ["item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_replenishment_proposals_site_id"), ["site_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("replenishment_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replenishment_proposals_site_id"))
        batch_op.drop_index(batch_op.f("ix_replenishment_proposals_item_id"))
        batch_op.drop_index(batch_op.f("ix_replenishment_proposals_forecast_run_id"))
        batch_op.drop_index(batch_op.f("ix_replenishment_proposals_enterprise_id"))

    op.drop_table("replenishment_proposals")
    with op.batch_alter_table("forecast_values", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_values_run_series")
        batch_op.drop_index(batch_op.f("ix_forecast_values_enterprise_id"))

    op.drop_table("forecast_values")
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forecast_runs_enterprise_id"))

    op.drop_table("forecast_runs")
