"""Run-time settings, read from the environment (prefix ``SUPPLYMESH_``).

Built once in `bootstrap` and passed in; nothing reads the environment at import time.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    """Everything the platform needs to start; defaults give the embedded single-machine setup."""

    model_config = SettingsConfigDict(env_prefix="SUPPLYMESH_", extra="ignore")

    home: Path = Field(default=PROJECT_ROOT)
    database_url: str | None = None
    mqtt_port: int = 1883
    dask_address: str | None = None
    data_dir: Path | None = None
    secret_key: str | None = None
    access_token_minutes: int = 8 * 60
    login_max_failures: int = 5
    login_window_minutes: int = 15
    idempotency_hours: int = 24

    @property
    def var_dir(self) -> Path:
        return self.home / "var"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'supplymesh.db'}"

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir or (self.home.parent / "shared" / "data")

    def signing_key(self) -> str:
        """The JWT signing secret: from the environment, else a random key kept in var/.

        The key file is created once with mode 0600 so that tokens survive restarts; it is
        never part of the source tree.
        """
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret.key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip()
