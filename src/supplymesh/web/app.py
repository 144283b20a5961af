"""Mount the web pages on the FastAPI app (filled in by the web shell)."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the web routes and static files to `app`."""
    return None
