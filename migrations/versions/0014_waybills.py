"""waybills: e-waybills and their signed steps

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-28 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waybills",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("shipper_key_id", sa.String(length=64), nullable=False),
        sa.Column("carrier_key_id", sa.String(length=64), nullable=False),
        sa.Column("consignee_key_id", sa.String(length=64), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "carrier_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "consignee_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carrier_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybills_carrier_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["consignee_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybills_consignee_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybills_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybills")),
        sa.UniqueConstraint("number", name=op.f("uq_waybills_number")),
    )
    with op.batch_alter_table("waybills", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waybills_carrier_enterprise_id"), ["carrier_enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waybills_consignee_enterprise_id"),
            ["consignee_enterprise_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waybills_enterprise_id"), ["enterprise_id"], unique=False
        )

    op.create_table(
        "waybill_steps",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "waybill_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "shipper_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("step_hash", sa.String(length=64), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "carrier_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "consignee_enterprise_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["carrier_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybill_steps_carrier_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["consignee_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybill_steps_consignee_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybill_steps_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["shipper_enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_waybill_steps_shipper_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["waybill_pk"], ["waybills.id"], name=op.f("fk_waybill_steps_waybill_pk_waybills")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waybill_steps")),
        sa.UniqueConstraint("signature", name=op.f("uq_waybill_steps_signature")),
        sa.UniqueConstraint(
            "waybill_pk", "step_index", name=op.f("uq_waybill_steps_waybill_pk_step_index")
        ),
    )
    with op.batch_alter_table("waybill_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waybill_steps_carrier_enterprise_id"),
            ["carrier_enterprise_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_steps_consignee_enterprise_id"),
            ["consignee_enterprise_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_steps_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_steps_shipper_enterprise_id"),
            ["shipper_enterprise_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_waybill_steps_waybill_pk"), ["waybill_pk"], unique=False
        )


def downgrade() -> None:
    op.drop_table("waybill_steps")
    op.drop_table("waybills")
