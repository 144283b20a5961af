"""Collaboration between enterprises: shared documents, and webhooks that tell partners."""
