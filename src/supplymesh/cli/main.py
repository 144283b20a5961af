"""`supplymesh`: set up, serve, load the demo, import and export, administer.

Errors end the command with one line on stderr and a non-zero exit, never a traceback.
Heavy libraries are imported inside the commands that need them, so `--help` is quick.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from supplymesh.platform.settings import Settings
    from supplymesh.platform.uow import Database

app = typer.Typer(
    name="supplymesh",
    help="SupplyMesh: the industrial-internet supply-chain platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
enterprise_app = typer.Typer(help="Administer enterprises (tenants).", no_args_is_help=True)
user_app = typer.Typer(help="Administer users.", no_args_is_help=True)
app.add_typer(enterprise_app, name="enterprise")
app.add_typer(user_app, name="user")


def _add_bench() -> None:
    from supplymesh.cli.bench import bench_app

    app.add_typer(bench_app, name="bench")


_add_bench()


def settings() -> Settings:
    """The settings (imported on use: `ident parse` must start fast)."""
    from supplymesh.cli import context

    return context.settings()


def database() -> Database:
    """The database of the settings (SQLAlchemy is loaded only by commands that need it)."""
    from supplymesh.cli import context

    return context.database()


P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def clean_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into one line on stderr and exit status 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        from supplymesh.platform.errors import DomainError

        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            fail(exc.message)
        except OperationalError as exc:
            fail(f"database unavailable: {str(exc.orig).splitlines()[0] if exc.orig else exc}")
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            fail(f"database error: {str(orig or exc).splitlines()[0]}")
        except (OSError, ValueError) as exc:
            fail(str(exc))
        raise AssertionError("unreachable")

    return wrapper


@app.command()
@clean_errors
def init() -> None:
    """Create or upgrade the database schema."""
    from supplymesh.platform.schema import migrate

    db = database()
    migrate(db.engine)
    typer.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


@app.command()
@clean_errors
def demo(
    scale: Annotated[str, typer.Option(help="tiny (tests) or full (make run)")] = "full",
    seed: Annotated[int, typer.Option(help="random seed")] = 1,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing if data exists")] = False,
) -> None:
    """Generate the demo network (migrating an empty database first)."""
    if scale not in ("tiny", "full"):
        fail(f"unknown scale {scale!r}: use tiny or full")
    from supplymesh.network.demo import generate, has_data
    from supplymesh.platform.schema import migrate

    db = database()
    migrate(db.engine)
    if has_data(db):
        if if_empty:
            typer.echo("demo network already present", err=True)
            return
        fail("the database already holds data; use an empty database or --if-empty")
    report = generate(db, scale=scale, seed=seed)
    typer.echo(report.summary(), err=True)
    from supplymesh.production.demo import add_demo_work_orders

    planned = add_demo_work_orders(db)  # work orders and a published schedule for the Gantt
    if planned is not None:
        typer.echo(f"demo schedule {planned.id}: {planned.makespan_minutes} min", err=True)
    from supplymesh.cli.demo_flows import DemoFlowError, play_demo_flows

    try:  # the collaboration flows, played over the API by each enterprise as itself
        typer.echo(play_demo_flows(settings()).summary(), err=True)
    except DemoFlowError as exc:
        fail(f"demo flows stopped (network loaded, flows not; start on an empty database): {exc}")


@app.command()
@clean_errors
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the web pages and the API."""
    import uvicorn

    from supplymesh.api.app import create_app
    from supplymesh.devices.model import DeviceError
    from supplymesh.devices.runtime import DeviceRuntime
    from supplymesh.platform.schema import migrate

    db = database()
    migrate(db.engine)
    try:
        devices: DeviceRuntime | None = DeviceRuntime(db, settings()).start()
    except DeviceError as exc:  # e.g. a system mosquitto already on 1883: serve the rest anyway
        typer.echo(f"warning: {exc.message}; serving without MQTT ingestion", err=True)
        devices = None
    typer.echo(f"SupplyMesh at http://{host}:{port}/  (API docs: /docs)", err=True)
    try:
        uvicorn.run(create_app(settings()), host=host, port=port, log_level="info")
    finally:
        if devices is not None:
            devices.stop()


@app.command("import")
@clean_errors
def import_(
    kind: Annotated[str, typer.Argument(help="resource, e.g. sites, items, lanes, demand-history")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    enterprise: Annotated[
        str, typer.Option("--enterprise", "-e", help="enterprise code to import as")
    ],
    format: Annotated[
        str | None, typer.Option(help="csv or json (default: from the suffix)")
    ] = None,
) -> None:
    """Import a CSV or JSON file into one enterprise; one bad row and nothing is written."""
    from supplymesh.cli.context import enterprise_context
    from supplymesh.platform import crud, imports
    from supplymesh.platform.errors import ValidationFailed
    from supplymesh.resources import resource_by_name

    resource = resource_by_name(kind)
    if resource is None:
        fail(f"unknown kind {kind!r}")
        return
    db = database()
    fmt = format or ("json" if file.suffix.lower() == ".json" else "csv")
    ctx = enterprise_context(db, enterprise)
    try:
        with db.unit_of_work(ctx) as uow:
            rows = imports.read_rows(file.read_bytes(), fmt, resource)
            report = crud.import_rows(uow, resource, rows)
            uow.commit()
    except ValidationFailed as exc:
        for e in exc.errors:
            where = f"{file.name}:{e.line}: " if e.line is not None else f"{file.name}: "
            typer.echo(f"{where}{e.field}: {e.message}", err=True)
        fail(f"{len(exc.errors)} problem(s); nothing imported")
        return
    typer.echo(f"{kind}: {len(rows)} rows, {report.created} created, {report.updated} updated")


@app.command()
@clean_errors
def export(
    kind: Annotated[str, typer.Argument(help="resource, e.g. sites")],
    enterprise: Annotated[
        str, typer.Option("--enterprise", "-e", help="enterprise code to export as")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file (default: stdout)")
    ] = None,
    format: Annotated[str, typer.Option(help="csv or json")] = "csv",
) -> None:
    """Export what an enterprise sees of a resource."""
    from supplymesh.cli.context import enterprise_context
    from supplymesh.platform import crud, imports
    from supplymesh.resources import resource_by_name

    resource = resource_by_name(kind)
    if resource is None:
        fail(f"unknown kind {kind!r}")
        return
    db = database()
    with db.unit_of_work(enterprise_context(db, enterprise)) as uow:
        items = []
        offset = 0
        while True:
            page = crud.list_objects(uow, resource, offset=offset, limit=5000)
            items.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        public = [resource.public.model_validate(o) for o in items]
    if format == "json":
        text = json.dumps([p.model_dump(mode="json") for p in public], ensure_ascii=False, indent=1)
    else:
        text = imports.export_csv(public)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@enterprise_app.command("create")
@clean_errors
def enterprise_create(
    code: Annotated[str, typer.Argument(help="short code, e.g. ACME")],
    name: Annotated[str, typer.Option(help="legal or display name")],
    roles: Annotated[str, typer.Option(help="comma-separated: supplier,manufacturer,...")],
    admin: Annotated[str, typer.Option(help="username of the first admin")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SUPPLYMESH_ADMIN_PASSWORD",
        ),
    ],
    uscc: Annotated[str | None, typer.Option(help="unified social credit code")] = None,
    name_en: Annotated[str | None, typer.Option(help="English name")] = None,
) -> None:
    """Register an enterprise and its first admin."""
    from supplymesh.network.services import NewEnterprise, register_enterprise
    from supplymesh.platform.schema import migrate

    db = database()
    migrate(db.engine)
    ent, user = register_enterprise(
        db,
        NewEnterprise(
            code=code,
            name=name,
            name_en=name_en,
            roles=[r.strip() for r in roles.split(",") if r.strip()],
            uscc=uscc,
            admin_username=admin,
            admin_password=password,
        ),
    )
    typer.echo(f"enterprise {ent.code} (id {ent.id}) with admin {user.username}")


@enterprise_app.command("list")
@clean_errors
def enterprise_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every enterprise."""
    from sqlalchemy import select

    from supplymesh.network.model import Enterprise

    with database().system() as uow:
        rows: list[dict[str, Any]] = [
            {"id": e.id, "code": e.code, "name": e.name, "roles": e.roles, "status": e.status}
            for e in uow.session.scalars(select(Enterprise).order_by(Enterprise.id))
        ]
    if as_json:
        typer.echo(json.dumps({"enterprises": rows}, ensure_ascii=False))
        return
    for r in rows:
        typer.echo(
            f"{r['id']:>4}  {r['code']:<12} {r['name']}  [{', '.join(r['roles'])}]  {r['status']}"
        )


@user_app.command("create")
@clean_errors
def user_create(
    username: Annotated[str, typer.Argument()],
    enterprise: Annotated[str, typer.Option("--enterprise", "-e", help="enterprise code")],
    role: Annotated[str, typer.Option(help="admin, planner, operator or viewer")] = "viewer",
    display_name: Annotated[str | None, typer.Option(help="name shown in pages")] = None,
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="SUPPLYMESH_USER_PASSWORD",
        ),
    ] = "",
) -> None:
    """Add a user to an enterprise."""
    from supplymesh.cli.context import enterprise_context
    from supplymesh.network.services import create_user

    if role not in ("admin", "planner", "operator", "viewer"):
        fail(f"unknown role {role!r}")
    db = database()
    ctx = enterprise_context(db, enterprise)
    with db.unit_of_work(ctx) as uow:
        user = create_user(uow, username, display_name or username, password, role)
        uow.commit()
    typer.echo(f"user {user.username} ({role}) in {enterprise}")


@user_app.command("list")
@clean_errors
def user_list(enterprise: Annotated[str, typer.Option("--enterprise", "-e")]) -> None:
    """List the users of an enterprise."""
    from sqlalchemy import select

    from supplymesh.cli.context import enterprise_context
    from supplymesh.network.model import User

    db = database()
    with db.unit_of_work(enterprise_context(db, enterprise)) as uow:
        for u in uow.session.scalars(select(User).order_by(User.id)):
            typer.echo(
                f"{u.id:>4}  {u.username:<24} {u.role:<9} {'active' if u.active else 'inactive'}"
            )


def _add_trace() -> None:
    from supplymesh.cli.trace import epcis_app, ident_app, ledger_app

    app.add_typer(ident_app, name="ident")
    app.add_typer(epcis_app, name="epcis")
    app.add_typer(ledger_app, name="ledger")


_add_trace()


def _add_devices() -> None:
    from supplymesh.cli.devices import devices_app

    app.add_typer(devices_app, name="devices")


_add_devices()


def _add_resolver() -> None:
    from supplymesh.cli.resolver import resolver_app

    app.add_typer(resolver_app, name="resolver")


_add_resolver()


def _add_waybill() -> None:
    from supplymesh.cli.waybill import waybill_app

    app.add_typer(waybill_app, name="waybill")


_add_waybill()


def _add_plan() -> None:
    from supplymesh.cli.plan import plan_app

    app.add_typer(plan_app, name="plan")


_add_plan()


def _add_logistics() -> None:
    from supplymesh.cli.logistics import logistics_app

    app.add_typer(logistics_app, name="logistics")


_add_logistics()


def _add_notify() -> None:
    from supplymesh.cli.notify import notify_app

    app.add_typer(notify_app, name="notify")


_add_notify()


def _add_schedule() -> None:
    from supplymesh.cli.schedule import schedule_app

    app.add_typer(schedule_app, name="schedule")


_add_schedule()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
