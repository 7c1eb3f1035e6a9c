"""Settings from `REMIT_*` environment variables; every default works with nothing set."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from compliance.kyc.birth import AgeRange
from corridors.outbound import OutboundRule, parse_networks

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///remit.db"


# Bots: `REMIT_TELEGRAM_*` and `REMIT_WHATSAPP_*`; a platform whose token is unset is not
# mounted. Kept here so that configuration imports nothing above it.
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
            return env.get(name) or None

        def base_url(name: str, default: str) -> str:
            return (get(name) or default).rstrip("/")

        return cls(
            telegram_bot_token=get("REMIT_TELEGRAM_BOT_TOKEN"),
            telegram_webhook_secret=get("REMIT_TELEGRAM_WEBHOOK_SECRET"),
            telegram_api_base=base_url("REMIT_TELEGRAM_API_BASE", base.telegram_api_base),
            whatsapp_app_secret=get("REMIT_WHATSAPP_APP_SECRET"),
            whatsapp_verify_token=get("REMIT_WHATSAPP_VERIFY_TOKEN"),
            whatsapp_access_token=get("REMIT_WHATSAPP_ACCESS_TOKEN"),
            whatsapp_phone_number_id=get("REMIT_WHATSAPP_PHONE_NUMBER_ID"),
            whatsapp_api_base=base_url("REMIT_WHATSAPP_API_BASE", base.whatsapp_api_base),
            rate_burst=int(get("REMIT_BOT_RATE_BURST") or base.rate_burst),
            rate_per_minute=int(get("REMIT_BOT_RATE_PER_MINUTE") or base.rate_per_minute),
        )


def sqlite_url(path: Path | str) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _networks(text: str):
    try:
        return parse_networks(text)
    except ValueError as exc:
        raise ValueError(f"REMIT_OUTBOUND_ALLOW: {exc}") from None


def _tokens(text: str) -> dict[str, str]:
    """`USDC=0x...,EURC=0x...`: coin -> token address."""
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        coin, sep, address = part.partition("=")
        if not sep or not address.strip().startswith("0x"):
            raise ValueError(f"REMIT_CHAIN_TOKENS: {part!r} is not COIN=0xADDRESS")
        out[coin.strip().upper()] = address.strip()
    return out


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8080
    # Gateway processes sharing the port (SO_REUSEPORT): the gateway is CPU-bound in Python,
    # so a second core needs a second process.
    processes: int = 1
    # Pipeline workers run inside each gateway process; more processes add throughput.
    workers: int = 4
    # How many of the `processes` (the first ones) run workers; None: all (none when there are
    # `pipeline_processes`). Workers in fewer processes leave the others' event loops to HTTP
    # alone (accept latency under load), and one ledger writer per machine keeps the ledger on
    # its one-statement path.
    worker_processes: int | None = None
    # Processes beside the `processes` that run the pipeline (workers, webhook dispatcher, bot
    # notifier) and no HTTP, at a lower CPU priority (`pipeline_nice`): on a busy machine a
    # sender waiting for an answer goes first and the pipeline, which nobody waits on by the
    # millisecond, takes the CPU left over. With one or more, the serve processes run no
    # singletons (and workers only as `worker_processes` says).
    pipeline_processes: int = 0
    pipeline_nice: int = 10
    # The event loop of `remit serve` and `remit demo` processes: uvloop (libuv), or the
    # standard library's asyncio loop (docs/design.md, Benchmarks: what uvloop gains).
    event_loop: str = "uvloop"
    worker_batch: int = 16
    poll_interval_s: float = 0.5
    lease_s: float = 30.0
    max_body_bytes: int = 64 * 1024
    corridors_file: str | None = None
    rates_file: str | None = None
    live_rates: bool = False
    # `strict`: firm quotes only on refreshed rates within their maximum ages; `sample`: the
    # shipped sample file and the embedded ECB snapshot too, every quote saying so (demos, tests).
    rates_mode: str = "strict"
    # A rates document (ECB eurofxref XML, our JSON/CSV) the server fetches every
    # `rates_refresh_s`; every `rates_reload_s` it picks up sets stored by `remit rates refresh`.
    rates_url: str | None = None
    rates_refresh_s: float = 3600.0
    rates_reload_s: float = 30.0
    sanctions_threshold: float | None = None
    # How often a running gateway checks the database for a newly activated sanctions list.
    sanctions_refresh_s: float = 30.0
    kyc_tiers_file: str | None = None
    aml_rules_file: str | None = None
    # Sender-protection and travel-rule regimes (a directory of TOML files) and the provider.
    regimes_dir: str | None = None
    provider_file: str | None = None
    ledger_hmac_key: bytes | None = field(default=None, repr=False)
    partner_timeout_s: float = 10.0
    log_level: str = "info"
    json_logs: bool = True
    public_base_url: str | None = None
    bots: BotSettings = field(default_factory=BotSettings)
    # Compliance: approving a case at or above this risk (0-100) takes two officers.
    four_eyes_risk: int = 80
    audit_hmac_key: bytes | None = field(default=None, repr=False)
    # The identity-verification provider (its API base URL, its HMAC secret for submissions
    # and webhook results). Without a URL, every tier upgrade is reviewed by an officer.
    kyc_provider_url: str | None = None
    kyc_provider_name: str = "verification-sim"
    kyc_provider_secret: bytes | None = field(default=None, repr=False)
    # Where webhooks and partner requests may go: public https addresses only, unless
    # REMIT_OUTBOUND_HTTP (development) or REMIT_OUTBOUND_ALLOW (networks) say otherwise.
    outbound: OutboundRule = field(default_factory=OutboundRule)
    # Plausible birth dates: aged from `birth_age_min` to `birth_age_max` years today.
    birth_age_min: int = 16
    birth_age_max: int = 120
    # The chain our coins live on: `embedded` (in-process py-evm, rebuilt from our recorded
    # transactions), `rpc` (REMIT_CHAIN_RPC_URL) or `off` (the ledger alone).
    chain: str = "embedded"
    chain_rpc_url: str | None = None
    chain_id: int | None = None
    # Coins whose token already exists on that chain (drawn from the treasury's inventory).
    chain_tokens: dict[str, str] = field(default_factory=dict)
    chain_confirmations: int = 1
    chain_key: str | None = field(default=None, repr=False)
    chain_window_s: float = 2.0
    chain_batch: int = 100

    @property
    def birth_ages(self) -> AgeRange:
        return AgeRange(self.birth_age_min, self.birth_age_max)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        base = cls()
        hmac_key = env.get("REMIT_LEDGER_HMAC_KEY")
        threshold = env.get("REMIT_SANCTIONS_THRESHOLD")
        return replace(
            base,
            database_url=env.get("REMIT_DATABASE_URL") or base.database_url,
            host=env.get("REMIT_HOST") or base.host,
            port=int(env.get("REMIT_PORT") or base.port),
            processes=int(env.get("REMIT_PROCESSES") or base.processes),
            workers=int(env.get("REMIT_WORKERS") or base.workers),
            worker_processes=int(env["REMIT_WORKER_PROCESSES"])
            if env.get("REMIT_WORKER_PROCESSES")
            else base.worker_processes,
            pipeline_processes=int(env.get("REMIT_PIPELINE_PROCESSES") or base.pipeline_processes),
            pipeline_nice=int(env.get("REMIT_PIPELINE_NICE") or base.pipeline_nice),
            event_loop=env.get("REMIT_EVENT_LOOP") or base.event_loop,
            worker_batch=int(env.get("REMIT_WORKER_BATCH") or base.worker_batch),
            lease_s=float(env.get("REMIT_LEASE_S") or base.lease_s),
            corridors_file=env.get("REMIT_CORRIDORS_FILE") or None,
            rates_file=env.get("REMIT_RATES_FILE") or None,
            live_rates=_bool(env.get("REMIT_LIVE_RATES"), base.live_rates),
            rates_mode=env.get("REMIT_RATES_MODE") or base.rates_mode,
            rates_url=env.get("REMIT_RATES_URL") or None,
            rates_refresh_s=float(env.get("REMIT_RATES_REFRESH_S") or base.rates_refresh_s),
            rates_reload_s=float(env.get("REMIT_RATES_RELOAD_S") or base.rates_reload_s),
            sanctions_threshold=float(threshold) if threshold else None,
            sanctions_refresh_s=float(
                env.get("REMIT_SANCTIONS_REFRESH_S") or base.sanctions_refresh_s
            ),
            kyc_tiers_file=env.get("REMIT_KYC_TIERS_FILE") or None,
            aml_rules_file=env.get("REMIT_AML_RULES_FILE") or None,
            regimes_dir=env.get("REMIT_REGIMES_DIR") or None,
            provider_file=env.get("REMIT_PROVIDER_FILE") or None,
            ledger_hmac_key=hmac_key.encode() if hmac_key else None,
            partner_timeout_s=float(env.get("REMIT_PARTNER_TIMEOUT_S") or base.partner_timeout_s),
            log_level=env.get("REMIT_LOG_LEVEL") or base.log_level,
            json_logs=_bool(env.get("REMIT_JSON_LOGS"), base.json_logs),
            public_base_url=env.get("REMIT_PUBLIC_BASE_URL") or None,
            bots=BotSettings.from_env(env),
            four_eyes_risk=int(env.get("REMIT_FOUR_EYES_RISK") or base.four_eyes_risk),
            audit_hmac_key=(env.get("REMIT_AUDIT_HMAC_KEY") or "").encode() or None,
            kyc_provider_url=env.get("REMIT_KYC_PROVIDER_URL") or None,
            kyc_provider_name=env.get("REMIT_KYC_PROVIDER_NAME") or base.kyc_provider_name,
            kyc_provider_secret=(env.get("REMIT_KYC_PROVIDER_SECRET") or "").encode() or None,
            birth_age_min=int(env.get("REMIT_BIRTH_AGE_MIN") or base.birth_age_min),
            birth_age_max=int(env.get("REMIT_BIRTH_AGE_MAX") or base.birth_age_max),
            outbound=OutboundRule(
                allow_http=_bool(env.get("REMIT_OUTBOUND_HTTP"), False),
                allow=_networks(env.get("REMIT_OUTBOUND_ALLOW") or ""),
            ),
            chain=env.get("REMIT_CHAIN")
            or ("rpc" if env.get("REMIT_CHAIN_RPC_URL") else "embedded"),
            chain_rpc_url=env.get("REMIT_CHAIN_RPC_URL") or None,
            chain_id=int(env["REMIT_CHAIN_ID"]) if env.get("REMIT_CHAIN_ID") else None,
            chain_tokens=_tokens(env.get("REMIT_CHAIN_TOKENS") or ""),
            chain_confirmations=int(env.get("REMIT_CHAIN_CONFIRMATIONS") or 1),
            chain_key=env.get("REMIT_CHAIN_KEY") or None,
            chain_window_s=float(env.get("REMIT_CHAIN_WINDOW_S") or base.chain_window_s),
            chain_batch=int(env.get("REMIT_CHAIN_BATCH") or base.chain_batch),
        )
