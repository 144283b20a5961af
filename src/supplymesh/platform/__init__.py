"""Shared kernel: settings, database and unit of work, tenancy, auth, events, errors."""
