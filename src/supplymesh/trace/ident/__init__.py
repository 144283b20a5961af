"""Identifier schemes (GS1, GS1 Digital Link, EPC, Handle, OID) behind one `Scheme` interface."""
