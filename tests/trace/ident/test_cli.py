"""`supplymesh ident …` through the Typer app: JSON shape and exit status."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from supplymesh.cli.trace import ident_app

runner = CliRunner()


def test_parse_json_shape() -> None:
    result = runner.invoke(ident_app, ["parse", "(01)09520123456788(10)ABC", "--json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["scheme"] == "gs1" and out["valid"] is True
    assert out["ais"] == [["01", "09520123456788"], ["10", "ABC"]]
    assert out["bracketed"] == "(01)09520123456788(10)ABC"
    assert out["unbracketed"] == "^010952012345678810ABC"
    assert out["error"] is None


def test_parse_invalid_exits_nonzero_with_reason() -> None:
    result = runner.invoke(ident_app, ["parse", "(01)09520123456789", "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["valid"] is False and "CHECK_DIGIT" in out["error"]


def test_dl_command_uses_stem() -> None:
    result = runner.invoke(ident_app, ["dl", "(01)09520123456788(21)12", "--stem", "https://a.b"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "https://a.b/01/09520123456788/21/12"
