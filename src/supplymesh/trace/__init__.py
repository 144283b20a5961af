"""Trace context: identifiers, EPCIS events and the tamper-evident ledger."""
