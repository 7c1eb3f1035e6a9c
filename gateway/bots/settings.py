"""Bot settings from `REMIT_TELEGRAM_*` and `REMIT_WHATSAPP_*`; a platform whose token is unset
is not mounted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TELEGRAM_API_BASE = "https://api.telegram.org"
WHATSAPP_API_BASE = "https://graph.facebook.com/v21.0"


@dataclass(frozen=True)
class BotSettings:
    telegram_bot_token: str | None = field(default=None, repr=False)
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_api_base: str = TELEGRAM_API_BASE
    whatsapp_app_secret: str | None = field(default=None, repr=False)
    whatsapp_verify_token: str | None = field(default=None, repr=False)
    whatsapp_access_token: str | None = field(default=None, repr=False)
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base: str = WHATSAPP_API_BASE
    # Per chat: a burst of `rate_burst` messages, refilled at `rate_per_minute`.
    rate_burst: int = 20
    rate_per_minute: int = 30

    @property
    def telegram(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def whatsapp(self) -> bool:
        return bool(self.whatsapp_access_token and self.whatsapp_phone_number_id)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BotSettings:
        base = cls()

        def get(name: str) -> str | None:
            return env.get(f"REMIT_{name}") or None

        return cls(
            telegram_bot_token=get("TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base=(get("TELEGRAM_API_BASE") or base.telegram_api_base).rstrip("/"),
            whatsapp_app_secret=get("WHATSAPP_APP_SECRET"),
            whatsapp_verify_token=get("WHATSAPP_VERIFY_TOKEN"),
            whatsapp_access_token=get("WHATSAPP_ACCESS_TOKEN"),
            whatsapp_phone_number_id=get("WHATSAPP_PHONE_NUMBER_ID"),
            whatsapp_api_base=(get("WHATSAPP_API_BASE") or base.whatsapp_api_base).rstrip("/"),
            rate_burst=int(get("BOT_RATE_BURST") or base.rate_burst),
            rate_per_minute=int(get("BOT_RATE_PER_MINUTE") or base.rate_per_minute),
        )
