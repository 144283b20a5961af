"""document counters (one row per enterprise and number series); cancelled order-line quantity

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_counters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("series", sa.String(length=40), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_document_counters_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_counters")),
        sa.UniqueConstraint(
            "enterprise_id", "series", name=op.f("uq_document_counters_enterprise_id_series")
        ),
    )
    with op.batch_alter_table("document_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_counters_enterprise_id"), ["enterprise_id"], unique=False
        )

    # Existing lines were never cancelled: 0 for them, then no default (the model sets it).
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_quantity", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.alter_column("cancelled_quantity", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_column("cancelled_quantity")
    with op.batch_alter_table("document_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_counters_enterprise_id"))
    op.drop_table("document_counters")
