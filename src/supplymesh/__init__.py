"""SupplyMesh: an industrial-internet supply-chain platform for many enterprises."""

__version__ = "0.1.0"
