"""`supplymesh resolver serve|resolve|token`: run a resolver node, resolve a code, sign a grant.

Thin and quick to import: the node, httpx and uvicorn load inside the commands.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer

resolver_app = typer.Typer(
    help="Identifier resolution: root → national → secondary → enterprise nodes.",
    no_args_is_help=True,
)

TIER_HELP = "root, national, secondary or enterprise"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@resolver_app.command("serve")
def serve(
    tier: Annotated[str, typer.Option(help=TIER_HELP)],
    config: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, help="node or hierarchy file")
    ],
    prefix: Annotated[
        str | None, typer.Option(help="which node, when the file holds several of the tier")
    ] = None,
    from_db: Annotated[
        str | None,
        typer.Option(help="enterprise code: also answer for its items' GTINs from the database"),
    ] = None,
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8053,
) -> None:
    """Serve one resolver node over HTTP (GET /resolve?code=…)."""
    from supplymesh.platform.errors import DomainError
    from supplymesh.trace.resolver.config import load_node
    from supplymesh.trace.resolver.model import TIERS

    if tier not in TIERS:
        _fail(f"unknown tier {tier!r}: use {TIER_HELP}")
    try:
        node = load_node(config, tier, prefix)  # type: ignore[arg-type]  # checked above
    except (OSError, ValueError, KeyError, DomainError) as exc:
        _fail(f"{config}: {exc}")
        return
    if from_db is not None:
        from supplymesh.cli.context import database
        from supplymesh.trace.resolver.adapters.platform_db import item_records

        try:
            node.records.update({r.key: r for r in item_records(database(), from_db)})
        except DomainError as exc:
            _fail(exc.message)
    import uvicorn

    from supplymesh.trace.resolver.adapters.app import create_node_app

    typer.echo(f"resolver {node.tier} node {node.name} at http://{host}:{port}/", err=True)
    uvicorn.run(create_node_app(node), host=host, port=port, log_level="warning")


@resolver_app.command("resolve")
def resolve(
    code: Annotated[str, typer.Argument(help="Handle, GS1 (element string, Digital Link, EPC)")],
    root: Annotated[
        str | None,
        typer.Option(envvar="SUPPLYMESH_RESOLVER_ROOT", help="root node URL (HTTP mode; wins)"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            envvar="SUPPLYMESH_RESOLVER_CONFIG",
            help="hierarchy file (embedded mode: every tier in this process)",
        ),
    ] = None,
    token: Annotated[
        str | None, typer.Option(envvar="SUPPLYMESH_RESOLVER_TOKEN", help="partner credential")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Resolve a code through the tiers from the root; exit 1 with the reason when it fails."""
    from supplymesh.platform.errors import DomainError
    from supplymesh.trace.resolver.recursive import RecursiveResolver

    if root is None and config is None:
        _fail("give --root URL (HTTP mode) or --config FILE (embedded mode)")
    try:
        if root is not None:
            from supplymesh.trace.resolver.adapters.http import HttpTransport

            resolver = RecursiveResolver(HttpTransport(), root)
        else:
            from supplymesh.trace.resolver.embedded import embedded_resolver

            assert config is not None
            resolver = embedded_resolver(config)
        result = resolver.resolve(code, token)
    except DomainError as exc:
        if as_json:
            kind = getattr(exc, "kind", "invalid-code")
            typer.echo(json.dumps({"code": code, "error": exc.message, "kind": kind}))
        else:
            typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except (OSError, ValueError) as exc:
        _fail(str(exc))
        return
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    r = result.record
    typer.echo(f"code: {code}\nowner: {r.owner}\nkey: {r.key}")
    for key, value in r.public.items():
        typer.echo(f"{key}: {value}")
    for key, value in (r.partner or {}).items():
        typer.echo(f"{key} (partner): {value}")
    for label, url in (("data", r.data_url), ("resolver", r.resolver_url)):
        if url:
            typer.echo(f"{label}: {url}")
    typer.echo(f"via: {' → '.join(result.path)}")


@resolver_app.command("token")
def token(
    owner: Annotated[str, typer.Option(help="the granting (owning) enterprise")],
    partner: Annotated[str, typer.Option(help="the enterprise the grant is for")],
    secret_env: Annotated[
        str, typer.Option(help="environment variable holding the owner's grant secret")
    ] = "SUPPLYMESH_GRANT_SECRET",  # noqa: S107  (a variable name, not a secret)
    ttl_s: Annotated[int, typer.Option(help="seconds the credential stays valid")] = 3600,
) -> None:
    """Sign a partner credential for the owner's partner-only attributes."""
    from supplymesh.trace.resolver.grants import issue_token

    secret = os.environ.get(secret_env)
    if not secret:
        _fail(f"environment variable {secret_env} is not set")
        return
    try:
        typer.echo(issue_token(owner, partner, secret, time.time() + ttl_s))
    except ValueError as exc:
        _fail(str(exc))
