"""What the app needs at run time, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.bootstrap import build_database
from supplymesh.platform.idempotency import IdempotencyStore
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database


@dataclass
class Container:
    settings: Settings
    db: Database
    idempotency: IdempotencyStore

    @classmethod
    def build(cls, settings: Settings) -> Container:
        db = build_database(settings)
        return cls(settings, db, IdempotencyStore(db.factory, settings.idempotency_hours))
