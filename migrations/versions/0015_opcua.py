"""OPC UA mappings of devices

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "device_opcua_mappings",
        sa.Column("id", ID, nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("endpoint_url", sa.String(length=300), nullable=False),
        sa.Column("security_policy", sa.String(length=40), nullable=False),
        sa.Column("security_mode", sa.String(length=20), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("password", sa.String(length=200), nullable=True),
        sa.Column("certificate_path", sa.String(length=300), nullable=True),
        sa.Column("private_key_path", sa.String(length=300), nullable=True),
        sa.Column("nodes", sa.JSON(), nullable=False),
        sa.Column("state_node", sa.String(length=300), nullable=True),
        sa.Column("sampling_interval_ms", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("link_state", sa.String(length=20), nullable=False),
        sa.Column("link_detail", sa.String(length=500), nullable=True),
        sa.Column("link_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_device_opcua_mappings_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_device_opcua_mappings_enterprise_id_enterprises"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_opcua_mappings")),
        sa.UniqueConstraint("device_id", name=op.f("uq_device_opcua_mappings_device_id")),
    )
    with op.batch_alter_table("device_opcua_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_device_opcua_mappings_enterprise_id"), ["enterprise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("device_opcua_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_device_opcua_mappings_enterprise_id"))

    op.drop_table("device_opcua_mappings")
