"""The `supplymesh` command: clean one-line errors, admin commands, import all-or-nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from supplymesh.platform.settings import Settings
from tests.support.server import CLI, cli_env


def run(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args],
        env=cli_env(settings.resolved_database_url, settings.home) | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_enterprise_and_user_admin(settings: Settings) -> None:
    r = run(
        settings,
        "enterprise",
        "create",
        "ACME",
        "--name",
        "Acme",
        "--roles",
        "manufacturer,retailer",
        "--admin",
        "acme.admin",
        "--uscc",
        "91350100M000100Y43",
        SUPPLYMESH_ADMIN_PASSWORD="acme-pass-1",
    )
    assert r.returncode == 0, r.stderr
    r = run(
        settings,
        "user",
        "create",
        "ann",
        "-e",
        "ACME",
        "--role",
        "planner",
        SUPPLYMESH_USER_PASSWORD="ann-password",
    )
    assert r.returncode == 0, r.stderr
    listed = run(settings, "user", "list", "-e", "ACME").stdout
    assert "acme.admin" in listed and "ann" in listed and "planner" in listed
    r = run(settings, "enterprise", "list", "--json")
    assert '"code": "ACME"' in r.stdout


def test_errors_are_one_line_without_traceback(settings: Settings) -> None:
    r = run(
        settings,
        "enterprise",
        "create",
        "ACME",
        "--name",
        "Acme",
        "--roles",
        "wizard",
        "--admin",
        "a.admin",
        "--uscc",
        "123",
        SUPPLYMESH_ADMIN_PASSWORD="short",
    )
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "roles" in lines[0] and "uscc" in lines[0]
    r = run(settings, "user", "list", "-e", "NOPE")
    assert r.returncode != 0 and r.stderr.strip() == "error: enterprise NOPE not found"


def test_import_with_a_bad_row_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    run(
        settings,
        "enterprise",
        "create",
        "ACME",
        "--name",
        "Acme",
        "--roles",
        "manufacturer",
        "--admin",
        "acme.admin",
        SUPPLYMESH_ADMIN_PASSWORD="acme-pass-1",
    )
    bad = tmp_path / "sites.csv"
    bad.write_text("code,name,kind\nA,a,dc\nB,b,moon\n", encoding="utf-8")
    r = run(settings, "import", "sites", str(bad), "-e", "ACME")
    assert r.returncode == 1
    assert "sites.csv:3: kind:" in r.stderr and "nothing imported" in r.stderr
    out = run(settings, "export", "sites", "-e", "ACME", "--format", "json")
    assert out.returncode == 0 and out.stdout.strip() == "[]"
    good = tmp_path / "good.csv"
    good.write_text("code,name,kind\nA,a,dc\nB,b,store\n", encoding="utf-8")
    r = run(settings, "import", "sites", str(good), "-e", "ACME")
    assert r.returncode == 0 and "2 created" in r.stdout
    exported = run(settings, "export", "sites", "-e", "ACME").stdout
    assert (
        exported.splitlines()[0].startswith("id,enterprise_id,code")
        and len(exported.splitlines()) == 3
    )
