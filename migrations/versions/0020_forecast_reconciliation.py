"""forecast reconciliation: the run's method and the forecasts of the tiers above item × site

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reconciliation", sa.String(length=40), nullable=True))

    op.create_table(
        "forecast_aggregates",
        sa.Column("id", _ID, nullable=False),
        sa.Column("run_id", _ID, nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("node", sa.String(length=200), nullable=False),
        sa.Column("item_id", _ID, nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("p10", sa.BigInteger(), nullable=False),
        sa.Column("p50", sa.BigInteger(), nullable=False),
        sa.Column("p90", sa.BigInteger(), nullable=False),
        sa.Column("p_service", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("enterprise_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_forecast_aggregates_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_forecast_aggregates_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["forecast_runs.id"],
            name=op.f("fk_forecast_aggregates_run_id_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_aggregates")),
    )
    with op.batch_alter_table("forecast_aggregates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_forecast_aggregates_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index("ix_forecast_aggregates_run_level", ["run_id", "level"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("forecast_aggregates", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_aggregates_run_level")
        batch_op.drop_index(batch_op.f("ix_forecast_aggregates_enterprise_id"))
    op.drop_table("forecast_aggregates")
    with op.batch_alter_table("forecast_runs", schema=None) as batch_op:
        batch_op.drop_column("reconciliation")
