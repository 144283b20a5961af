"""The `supplymesh` command."""
