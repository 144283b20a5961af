"""Identifier resolution hierarchy: root → national → secondary → enterprise nodes and a
recursive resolver that walks them with a TTL cache (white paper 四.三, 标识解析)."""
