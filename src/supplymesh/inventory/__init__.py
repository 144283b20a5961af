"""Inventory context: stock positions, lots, movements, orders and shipments."""
