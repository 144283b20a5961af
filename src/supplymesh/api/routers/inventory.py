"""Inventory routes beyond plain CRUD: stock movements, orders, shipments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["inventory"])
