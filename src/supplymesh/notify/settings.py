"""Settings of notification delivery (prefix ``SUPPLYMESH_``), read when the worker starts.

SMTP is the platform's (one mail relay for everyone); robot URLs and SMS gateways are each
enterprise's own and live, sealed, in its channel settings. Passwords come from the
environment only.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from supplymesh.notify.channels import SmtpSettings


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SUPPLYMESH_", extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "SupplyMesh <noreply@localhost>"
    smtp_starttls: bool = False
    #: where links in e-mails and robot messages point
    public_url: str = "http://127.0.0.1:8000"
    #: an alarm nobody acknowledged within this long goes to the enterprise's admins
    alarm_escalation_minutes: float = Field(default=30.0, gt=0)
    notify_interval_s: float = Field(default=2.0, gt=0)

    @property
    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(
            self.smtp_host,
            self.smtp_port,
            self.smtp_from,
            self.smtp_user,
            self.smtp_password,
            self.smtp_starttls,
        )
