"""Alembic builds the schema: the same on SQLite and PostgreSQL, and equal to the models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from supplymesh.bootstrap import build_database, load_models
from supplymesh.platform.schema import current_revision, migrate
from supplymesh.platform.settings import Settings
from tests.support.postgres import db_name


def _shape(engine: Engine) -> dict[str, Any]:
    """Tables, columns (generic type family, nullability), unique constraints, indexes."""
    insp = inspect(engine)
    shape: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        cols = {
            c["name"]: (c["type"]._type_affinity.__name__, c["nullable"])
            for c in insp.get_columns(table)
        }
        uniques = sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table))
        # PostgreSQL also reports each unique constraint as a unique index: leave those out.
        indexes = sorted(
            (tuple(i["column_names"]), bool(i["unique"]))
            for i in insp.get_indexes(table)
            if not (i["unique"] and tuple(i["column_names"]) in uniques)
        )
        shape[table] = {"columns": cols, "uniques": uniques, "indexes": indexes}
    return shape


def _affinity(shape: dict[str, Any]) -> dict[str, Any]:
    """Normalise type names that differ only by dialect spelling."""
    aliases = {
        "BIGINT": "Integer",
        "INTEGER": "Integer",
        "BigInteger": "Integer",
        "Integer": "Integer",
        "VARCHAR": "String",
        "TEXT": "String",
        "String": "String",
        "Text": "String",
        "JSON": "JSON",
        "BOOLEAN": "Boolean",
        "Boolean": "Boolean",
        "DATE": "Date",
        "Date": "Date",
        "DATETIME": "DateTime",
        "TIMESTAMP": "DateTime",
        "DateTime": "DateTime",
        "FLOAT": "Float",
        "Float": "Float",
        "DOUBLE_PRECISION": "Float",
        "REAL": "Float",
        "_Binary": "Binary",
        "BYTEA": "Binary",
        "BLOB": "Binary",
        "LargeBinary": "Binary",
    }
    out: dict[str, Any] = {}
    for table, info in shape.items():
        cols = {}
        for name, (kind, nullable) in info["columns"].items():
            cols[name] = (aliases.get(kind, aliases.get(kind.split("(")[0], kind)), nullable)
        out[table] = {**info, "columns": cols}
    return out


def test_migrations_build_the_same_schema_on_both_backends(
    tmp_path: Any, postgres_server: str
) -> None:
    from tests.support.postgres import create_database

    sqlite = build_database(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", home=tmp_path))
    pg = build_database(
        Settings(
            database_url=create_database(postgres_server, db_name("sm_schema_cmp")), home=tmp_path
        )
    )
    try:
        migrate(sqlite.engine)
        migrate(pg.engine)
        assert current_revision(sqlite.engine) == current_revision(pg.engine) is not None
        assert _affinity(_shape(sqlite.engine)) == _affinity(_shape(pg.engine))
    finally:
        sqlite.engine.dispose()
        pg.engine.dispose()


def test_models_and_migrations_do_not_drift(settings: Settings) -> None:
    db = build_database(settings)
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": False})
            diff = compare_metadata(ctx, load_models().metadata)
        assert diff == [], f"models differ from migrations; add a migration: {diff}"
    finally:
        db.engine.dispose()
