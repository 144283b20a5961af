"""Signed tree heads, bundles and offline verification: each kind of tampering is named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from supplymesh.cli.trace import ledger_app
from supplymesh.trace.ledger import signing
from supplymesh.trace.ledger.model import LedgerError, canonical_json
from supplymesh.trace.ledger.services import LedgerLog, verify_bundle, witness_head

PASSPHRASE = b"correct horse battery staple"


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, bytes]:
    return signing.generate_key(PASSPHRASE)


def _log(keys: tuple[bytes, bytes], n: int = 12, passphrase: bytes = PASSPHRASE) -> LedgerLog:
    private_pem, public_pem = keys
    key = signing.load_private_key(private_pem, passphrase)
    log = LedgerLog("enterprise-A", public_pem)
    for i in range(n):
        log.append({"type": "ObjectEvent", "seq": i, "quantity": str(i * 5)})
        log.sign_head(key, timestamp_ms=1_700_000_000_000 + i)
    return log


@pytest.fixture
def bundle(keys: tuple[bytes, bytes]) -> dict[str, Any]:
    return _log(keys).bundle()


def test_untouched_bundle_verifies(bundle: dict[str, Any]) -> None:
    finding = verify_bundle(bundle)
    assert finding.ok and finding.entries == 12 and finding.tree_heads == 12


def test_private_key_is_encrypted(keys: tuple[bytes, bytes]) -> None:
    private_pem, _ = keys
    assert b"ENCRYPTED" in private_pem
    with pytest.raises(ValueError):
        signing.load_private_key(private_pem, b"wrong passphrase")


def test_edit_is_named(bundle: dict[str, Any]) -> None:
    bundle["entries"][5]["quantity"] = "9999"
    finding = verify_bundle(bundle)
    assert (finding.first_bad_index, finding.kind) == (5, "edit")


def test_delete_is_named(bundle: dict[str, Any]) -> None:
    del bundle["entries"][7]
    finding = verify_bundle(bundle)
    assert (finding.first_bad_index, finding.kind) == (7, "delete")


def test_reorder_is_named(bundle: dict[str, Any]) -> None:
    entries = bundle["entries"]
    entries[3], entries[4] = entries[4], entries[3]
    finding = verify_bundle(bundle)
    assert (finding.first_bad_index, finding.kind) == (3, "reorder")


def test_replaced_key_is_named(bundle: dict[str, Any]) -> None:
    _, other_public = signing.generate_key(b"attacker")
    bundle["public_key"] = other_public.decode()
    finding = verify_bundle(bundle)
    assert (finding.first_bad_index, finding.kind) == (0, "key")


def test_rewritten_and_resigned_log_fails_against_the_pinned_key(
    keys: tuple[bytes, bytes], bundle: dict[str, Any]
) -> None:
    forged = _log(signing.generate_key(b"attacker"), 12, b"attacker").bundle()
    assert verify_bundle(forged).ok  # self-consistent …
    finding = verify_bundle(forged, trusted_key_pem=keys[1])
    assert (finding.first_bad_index, finding.kind) == (0, "key")  # … but not the owner's


def test_delete_with_its_leaf_hash_breaks_the_signed_root(bundle: dict[str, Any]) -> None:
    del bundle["entries"][4]
    del bundle["leaf_hashes"][4]
    finding = verify_bundle(bundle)
    assert (finding.first_bad_index, finding.kind) == (4, "tree_head")


def test_forged_tree_head_signature(bundle: dict[str, Any]) -> None:
    bundle["tree_heads"][2]["root_hash"] = "00" * 32
    finding = verify_bundle(bundle)
    assert finding.kind == "signature" and finding.first_bad_index == 2


def test_malformed_bundle_raises() -> None:
    with pytest.raises(LedgerError):
        verify_bundle({"format": "something else"})


def test_witness_cosigns_a_tree_head(keys: tuple[bytes, bytes]) -> None:
    log = _log(keys, 3)
    witness_private, witness_public = signing.generate_key(b"witness")
    head = witness_head(log.tree_heads[-1], signing.load_private_key(witness_private, b"witness"))
    (kid, signature) = head.witnesses[0]
    assert kid == signing.key_id(witness_public)
    assert signing.verify(witness_public, head.signed_bytes(), signature)


def test_witnessed_bundle_verifies_and_a_forged_cosignature_does_not(
    keys: tuple[bytes, bytes],
) -> None:
    log = _log(keys, 3)
    witness_private, witness_public = signing.generate_key(b"witness")
    key = signing.load_private_key(witness_private, b"witness")
    log.add_witnessed_head(witness_head(log.tree_heads[-1], key), witness_public)
    bundle = log.bundle()
    assert verify_bundle(bundle).ok
    bundle["tree_heads"][-1]["witnesses"][0]["signature"] = bundle["tree_heads"][0]["signature"]
    finding = verify_bundle(bundle)
    assert (finding.kind, finding.first_bad_index) == ("witness", 2)


def test_canonical_json_is_key_order_independent() -> None:
    assert canonical_json({"b": 1, "a": "x"}) == canonical_json({"a": "x", "b": 1})
    with pytest.raises(LedgerError):
        canonical_json({"qty": 1.5})


def test_cli_verify(bundle: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(bundle), encoding="utf-8")
    result = runner.invoke(ledger_app, ["verify", str(good), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"] is True
    tampered = copy.deepcopy(bundle)
    tampered["entries"][1]["seq"] = 100
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    result = runner.invoke(ledger_app, ["verify", str(bad), "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert (out["first_bad_index"], out["kind"]) == (1, "edit")
