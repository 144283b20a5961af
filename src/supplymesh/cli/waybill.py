"""`supplymesh waybill verify|export|sign`: check a waybill bundle offline, export one, sign a
step with a key the enterprise holds itself.

Thin: parse, call the waybill services, render. Only typer loads at import time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

waybill_app = typer.Typer(help="E-waybills (链上签): verify, export, sign.", no_args_is_help=True)

PASSPHRASE_ENV = "SUPPLYMESH_KEY_PASSPHRASE"  # noqa: S105 (the variable's name, not a secret)
JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _read_json(path: Path) -> dict[str, object]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not isinstance(obj, dict):
        typer.echo(f"error: {path} is not a JSON object", err=True)
        raise typer.Exit(2)
    return obj


@waybill_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="bundle exported by `waybill export`")],
    trust: Annotated[
        list[str] | None,
        typer.Option("--trust", help="ROLE=FINGERPRINT of a key you trust (repeatable)"),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check every signature, chain link and inclusion proof; exit 1 naming the first bad step."""
    from supplymesh.trace.waybill.rules import WaybillError
    from supplymesh.trace.waybill.verify import verify_bundle

    pinned = {}
    for item in trust or []:
        role, _, fingerprint = item.partition("=")
        if role not in ("shipper", "carrier", "consignee") or len(fingerprint) != 64:
            typer.echo(f"error: --trust wants ROLE=FINGERPRINT, not {item!r}", err=True)
            raise typer.Exit(2)
        pinned[role] = fingerprint
    try:
        verdict = verify_bundle(_read_json(file), pinned)
    except WaybillError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(verdict.to_json(), ensure_ascii=False))
    elif verdict.ok:
        typer.echo(f"ok: {verdict.message}; state {verdict.state}")
    else:
        typer.echo(f"FAILED: {verdict.message}", err=True)
    raise typer.Exit(0 if verdict.ok else 1)


@waybill_app.command("export")
def export(
    waybill_id: Annotated[int, typer.Argument(help="waybill id")],
    enterprise: Annotated[
        str, typer.Option("--enterprise", "-e", help="code of a party to export as")
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file (default stdout)")] = None,
) -> None:
    """Write the waybill's offline bundle (as one of its parties)."""
    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.platform.errors import DomainError
    from supplymesh.trace.waybill.services import export_bundle

    db = database()
    try:
        with db.unit_of_work(enterprise_context(db, enterprise)) as uow:
            bundle = export_bundle(uow, waybill_id)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    text = json.dumps(bundle, ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"wrote {len(bundle['steps'])} steps to {out}", err=True)


@waybill_app.command("sign")
def sign(
    payload_file: Annotated[Path, typer.Argument(help="payload from …/steps/to-sign")],
    key: Annotated[Path, typer.Option("--key", help="Ed25519 private key PEM")],
    passphrase_env: Annotated[
        str, typer.Option(help="environment variable holding the key's passphrase")
    ] = PASSPHRASE_ENV,
) -> None:
    """Sign a step payload with your own key; print the fields the steps endpoint takes."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from supplymesh.trace.ledger import signing
    from supplymesh.trace.waybill.rules import WaybillError, signed_bytes

    obj = _read_json(payload_file)
    step_payload = obj.get("payload", obj)
    if not isinstance(step_payload, dict):
        typer.echo("error: the payload is not a JSON object", err=True)
        raise typer.Exit(2)
    secret = os.environ.get(passphrase_env)
    try:
        private = serialization.load_pem_private_key(
            key.read_bytes(), password=secret.encode() if secret else None
        )
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{key} is not an Ed25519 private key")
        message = signed_bytes(step_payload)
    except (OSError, ValueError, TypeError, WaybillError) as exc:
        typer.echo(f"error: cannot sign: {exc}", err=True)
        raise typer.Exit(1) from exc
    fingerprint = signing.key_id(signing.public_pem(private.public_key()))
    if step_payload.get("signer") != fingerprint:
        typer.echo(f"error: the payload is to be signed by {step_payload.get('signer')}", err=True)
        raise typer.Exit(1)
    result = {
        "kind": step_payload.get("kind"),
        "data": step_payload.get("data"),
        "signed_at": step_payload.get("signed_at"),
        "signature": signing.sign(private, message),
        "key_fingerprint": fingerprint,
    }
    typer.echo(json.dumps(result, ensure_ascii=False))
