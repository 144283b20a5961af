"""`supplymesh ident|epcis|ledger`: parse codes, validate EPCIS documents, verify ledger bundles.

Thin: parse arguments, call the trace services, render. Only typer is imported at module level
so that `supplymesh ident parse` answers quickly; the XML/JSON schema and crypto libraries load
inside the commands that need them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ident_app = typer.Typer(help="Parse identifiers: GS1, Digital Link, EPC, Handle, OID.")
epcis_app = typer.Typer(help="EPCIS 2.0 documents.", no_args_is_help=True)
ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)


@epcis_app.callback()
def _epcis() -> None:
    """EPCIS 2.0 documents (a callback keeps `validate` a subcommand, not the default)."""


@ledger_app.callback()
def _ledger() -> None:
    """The tamper-evident ledger: export an enterprise's log, verify a bundle offline."""


JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


@ident_app.command("parse")
def ident_parse(
    code: Annotated[str, typer.Argument(help="the code")], as_json: JsonFlag = False
) -> None:
    """Parse and validate a code; exit 1 with the reason when it is invalid."""
    from supplymesh.trace.ident.services import parse_code

    parsed = parse_code(code)
    if as_json:
        _echo_json(parsed.to_json())
    else:
        typer.echo(f"scheme: {parsed.scheme}\nvalid: {str(parsed.valid).lower()}")
        for ai, ai_value in parsed.ais:
            typer.echo(f"({ai}) {ai_value}")
        for label, value in (
            ("bracketed", parsed.bracketed),
            ("unbracketed", parsed.unbracketed),
            ("digital link", parsed.digital_link),
            ("epc", parsed.epc_urn),
        ):
            if value:
                typer.echo(f"{label}: {value}")
        for key, value in parsed.parts:
            typer.echo(f"{key}: {value}")
        for warning in parsed.warnings:
            typer.echo(f"warning: {warning}", err=True)
    if not parsed.valid:
        typer.echo(f"error: {parsed.error}", err=True)
        raise typer.Exit(1)


@ident_app.command("dl")
def ident_dl(
    element_string: Annotated[str, typer.Argument(help="(01)…(10)… or ^01…^10…")],
    stem: Annotated[str, typer.Option(help="URI stem")] = "https://id.gs1.org",
) -> None:
    """Print the GS1 Digital Link URI of an element string."""
    from supplymesh.trace.ident.model import InvalidCode
    from supplymesh.trace.ident.services import element_string_to_dl

    try:
        typer.echo(element_string_to_dl(element_string, stem))
    except InvalidCode as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None


@epcis_app.command("validate")
def epcis_validate(
    files: Annotated[list[Path], typer.Argument(help="JSON-LD or XML documents")],
    as_json: JsonFlag = False,
) -> None:
    """Validate EPCIS 2.0 documents; exit 0 only when every one is valid."""
    from supplymesh.trace.epcis.model import EpcisSchemaMissing
    from supplymesh.trace.epcis.services import validate_file

    try:
        reports = [validate_file(f) for f in files]
    except EpcisSchemaMissing as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    ok = all(r.valid for r in reports)
    if as_json:
        _echo_json(
            {
                "valid": ok,
                "documents": [r.to_json() for r in reports],
                "invalid": sum(not r.valid for r in reports),
            }
        )
    else:
        for r in reports:
            typer.echo(f"{r.source}: {'valid' if r.valid else 'INVALID'} ({r.syntax} {r.kind})")
            for err in r.errors:
                typer.echo(f"  {err}")
    if not ok:
        raise typer.Exit(1)


@ledger_app.command("verify")
def ledger_verify(
    bundle: Annotated[Path, typer.Argument(help="an exported ledger bundle (JSON)")],
    as_json: JsonFlag = False,
    trusted_key: Annotated[
        Path | None, typer.Option(help="PEM of the log's public key to pin, if known")
    ] = None,
) -> None:
    """Verify a bundle offline; exit 1 naming the first bad entry and the kind of tampering."""
    from supplymesh.trace.ledger.model import LedgerError
    from supplymesh.trace.ledger.services import load_bundle, verify_bundle

    try:
        pinned = trusted_key.read_bytes() if trusted_key else None
        finding = verify_bundle(load_bundle(bundle), pinned)
    except (LedgerError, OSError) as exc:
        message = exc.message if isinstance(exc, LedgerError) else str(exc)
        if as_json:
            _echo_json(
                {"ok": False, "first_bad_index": None, "kind": "malformed", "message": message}
            )
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        _echo_json(finding.to_json())
    elif finding.ok:
        typer.echo(f"ok: {finding.entries} entries under {finding.tree_heads} signed tree heads")
    else:
        typer.echo(
            f"TAMPERED: first bad index {finding.first_bad_index} ({finding.kind}): "
            f"{finding.message}"
        )
    if not finding.ok:
        raise typer.Exit(1)


@ledger_app.command("export")
def ledger_export(
    out: Annotated[Path, typer.Argument(help="where to write the bundle (JSON)")],
    enterprise: Annotated[str, typer.Option("--enterprise", help="the enterprise's code")],
) -> None:
    """Write an enterprise's log as the offline bundle `ledger verify` checks."""
    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.platform.errors import DomainError
    from supplymesh.trace.ledger.store import export_bundle

    db = database()
    try:
        ctx = enterprise_context(db, enterprise)
        with db.unit_of_work(ctx) as uow:
            bundle = export_bundle(uow, ctx.enterprise_id)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.engine.dispose()
    out.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    entries, heads = bundle["entries"], bundle["tree_heads"]
    assert isinstance(entries, list) and isinstance(heads, list)
    typer.echo(f"wrote {len(entries)} entries under {len(heads)} signed heads to {out}")
    if bundle["unsigned_entries"]:
        typer.echo(
            f"note: {bundle['unsigned_entries']} entries after the last signed head are left out"
            " (sign a head to include them)",
            err=True,
        )
