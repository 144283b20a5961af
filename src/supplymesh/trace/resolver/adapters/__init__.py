"""Transports to resolver nodes and the HTTP app a node serves."""
