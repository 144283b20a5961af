"""`supplymesh notify test`: send a test message to a person on one channel, now."""

from __future__ import annotations

import json
from typing import Annotated

import typer

notify_app = typer.Typer(help="Notifications: try a channel.", no_args_is_help=True)


@notify_app.callback()
def _notify() -> None:
    """Notifications (a callback keeps `test` a subcommand)."""


@notify_app.command("test")
def send_test(
    user: Annotated[str, typer.Option("--user", help="username to notify")],
    channel: Annotated[
        str, typer.Option("--channel", help="email, sms, wecom or dingtalk")
    ] = "email",
) -> None:
    """Write a test notification and send it at once; exit 1 if the channel refused it."""
    from supplymesh.cli.context import database, settings
    from supplymesh.notify.delivery import channel_factory, send_test
    from supplymesh.notify.settings import NotifySettings
    from supplymesh.platform.errors import DomainError

    db = database()
    try:
        delivery = send_test(
            db.factory,
            settings().signing_key(),
            channel_factory(NotifySettings().smtp),
            user,
            channel,
        )
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    finally:
        db.engine.dispose()
    result = {
        "channel": delivery.channel,
        "address": delivery.address,
        "status": delivery.status,
        "error": delivery.last_error,
    }
    typer.echo(json.dumps(result, ensure_ascii=False))
    if delivery.status != "sent":
        raise typer.Exit(1)
