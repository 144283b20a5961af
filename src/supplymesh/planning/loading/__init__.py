"""Single-container loading (knapsack 3D-CLP): block building with full support."""
