"""Tamper-evident ledger: an RFC 9162 Merkle log with signed tree heads and offline bundles."""
