"""Planning over the network: forecast runs, replenishment proposals, safety-stock placement."""
