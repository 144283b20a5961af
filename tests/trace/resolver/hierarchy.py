"""A four-tier sample hierarchy (Handle and GS1 codes of one enterprise) for the resolver tests."""

from __future__ import annotations

from typing import Any

SECRET = "acme-grant-secret-for-tests-0123456789abcdef"
HANDLE = "88.100.1/PUMP-0001"
GTIN_DL = "https://id.gs1.org/01/09520123456788"
SERIAL_DL = "https://id.gs1.org/01/09520123456788/21/S001"
DIRECT = "88.100.77/LEGACY-9"  # held by the secondary node itself (an enterprise without a node)


def hierarchy(urls: dict[str, str]) -> dict[str, Any]:
    """Nodes keyed by tier; `urls` maps each tier to the URL its node is reached at."""
    return {
        "root": {
            "tier": "root",
            "url": urls["root"],
            "delegations": [
                {"prefix": "88", "url": urls["national"], "ttl_s": 86400},
                {"prefix": "gs1", "url": urls["national"], "ttl_s": 86400},
            ],
        },
        "national": {
            "tier": "national",
            "url": urls["national"],
            "prefixes": ["88", "gs1"],
            "delegations": [
                {"prefix": "88.100", "url": urls["secondary"], "ttl_s": 7200},
                {"prefix": "gs1.952", "url": urls["secondary"], "ttl_s": 7200},
            ],
        },
        "secondary": {
            "tier": "secondary",
            "url": urls["secondary"],
            "prefixes": ["88.100", "gs1.952"],
            "delegations": [
                {"prefix": "88.100.1", "url": urls["enterprise"], "ttl_s": 3600},
                {"prefix": "gs1.952.9520123", "url": urls["enterprise"], "ttl_s": 3600},
            ],
            "records": [
                {"code": DIRECT, "owner": "SMALLCO", "public": {"name": "Gear box"}, "ttl_s": 60}
            ],
        },
        "enterprise": {
            "tier": "enterprise",
            "url": urls["enterprise"],
            "prefixes": ["88.100.1", "gs1.952.9520123"],
            "records": [
                {
                    "code": HANDLE,
                    "owner": "ACME",
                    "public": {"name": "Centrifugal pump", "model": "CP-40"},
                    "partner": {"batch": "L2026-11", "unit_cost": "1280.00"},
                    "grants": ["BETA"],
                    "data_url": "https://acme.example/api/v1",
                    "resolver_url": urls["enterprise"],
                    "ttl_s": 300,
                },
                {"code": GTIN_DL, "owner": "ACME", "public": {"name": "Pump impeller"}},
                {
                    "code": SERIAL_DL,
                    "owner": "ACME",
                    "public": {"name": "Pump impeller", "serial": "S001"},
                    "partner": {"supplier_lot": "IMP-7"},
                    "grants": ["BETA"],
                },
            ],
            "grant_secrets": {"ACME": SECRET},
        },
    }


INPROC = {t: f"inproc://{t}" for t in ("root", "national", "secondary", "enterprise")}
