"""Replenishment engines: generic inventory policies and the JD.com end-to-end benchmark.

``policies`` holds the platform's base-stock / (s, S) / (R, S) / min-max policies with their
simulation-based tuning; ``jd``, ``simulate``, ``features``, ``baselines`` and ``e2e`` read,
replay and learn on the JD.com replication data (Qi et al., Management Science 2023).
"""
