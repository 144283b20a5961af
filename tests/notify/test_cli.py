"""`supplymesh notify test` sends a real e-mail to a real SMTP server, or says why not."""

from __future__ import annotations

import json

from supplymesh.network.services import NewEnterprise, register_enterprise
from supplymesh.platform.settings import Settings
from tests.cli.test_cli import run
from tests.notify.servers import smtp_server
from tests.notify.test_notifications import set_user


def test_notify_test_sends_an_email_in_the_users_language(settings: Settings) -> None:
    from supplymesh.bootstrap import build_database

    db = build_database(settings)
    register_enterprise(
        db, NewEnterprise("ACME", "Acme", ["manufacturer"], "acme.admin", "acme-pass-1")
    )
    set_user(db, "acme.admin", email="ops@acme.cn", locale="en")
    db.engine.dispose()
    with smtp_server() as box:
        r = run(
            settings,
            "notify",
            "test",
            "--user",
            "acme.admin",
            SUPPLYMESH_SMTP_HOST="127.0.0.1",
            SUPPLYMESH_SMTP_PORT=str(box.port),
        )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "channel": "email",
        "address": "ops@acme.cn",
        "status": "sent",
        "error": None,
    }
    [mail] = box.to("ops@acme.cn")
    assert mail["Subject"] == "Test notification"

    r = run(settings, "notify", "test", "--user", "nobody")
    assert r.returncode == 2 and "nobody" in r.stderr
