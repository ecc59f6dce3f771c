"""Settings read from HALL_* environment variables and validated at start-up."""

from __future__ import annotations

import re
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    """Where the service runs: dev turns on GraphiQL and readable logs."""

    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class SettingsError(Exception):
    """Raised when an environment variable holds a bad value; the message names it."""


class Settings(BaseSettings):
    """Every knob of the service, from HALL_* variables (a .env file is read too)."""

    model_config = SettingsConfigDict(env_prefix="HALL_", env_file=".env", extra="ignore")

    env: Environment = Field(Environment.DEV, description="dev, test or prod")
    database_url: str | None = Field(
        None, description="postgres://user:pass@host:port/db; unset: embedded PostgreSQL"
    )
    redis_url: str | None = Field(None, description="redis://host:port/db; unset: embedded Redis")
    data_dir: Path = Field(Path(".hall-data"), description="where embedded servers keep data")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str = Field(
        "",
        pattern=r"^(https?://[^\s/]+(/[^\s]*)?)?$",
        description="the address applicants reach (rating links in texts); default http://host:port",
    )
    api_workers: int = Field(1, ge=1, le=64, description="API processes for `hall serve`")
    run_worker: bool = Field(True, description="`hall serve` also runs an arq worker")
    secret_key: SecretStr | None = Field(
        None, description="signs login tokens; required in prod, generated in the data dir else"
    )
    token_ttl_minutes: int = Field(720, ge=5, le=7 * 24 * 60)
    admin_password: SecretStr | None = Field(
        None, description="when set at start-up, creates or resets the `admin` account"
    )
    db_pool_size: int = Field(20, ge=1, le=500)
    timezone: str = Field("Asia/Shanghai", description="default time zone of halls")
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool | None = Field(None, description="JSON logs; default: on outside dev")
    access_log: bool = Field(
        False,
        description="a log line per HTTP request (uvicorn's access log); /metrics counts them anyway",
    )
    sms_provider: str = Field(
        "log", pattern=r"^(log|aliyun|tencent)$", description="log, aliyun or tencent"
    )
    sms_endpoint: str = Field("", description="provider endpoint override, host[:port]")
    sms_protocol: str = Field("HTTPS", pattern=r"^(HTTP|HTTPS)$")
    sms_access_key_id: str = ""
    sms_access_key_secret: SecretStr | None = None
    sms_sign_name: str = Field("", description="the SMS signature registered with the provider")
    sms_per_minute: int = Field(1, ge=1, le=100, description="texts per number per minute")
    sms_per_hour: int = Field(5, ge=1, le=1000, description="texts per number per hour")
    sms_per_day: int = Field(10, ge=1, le=10_000, description="texts per number per day")
    sms_quiet_hours: str = Field(
        "21:00-08:00",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$",
        description="local hours when non-urgent texts wait",
    )
    sms_stuck_seconds: int = Field(
        120, ge=5, le=3600, description="a text queued or sending this long is taken as lost"
    )
    board_grouping: bool = Field(
        True, description="identical hallBoard subscriptions share one execution per event"
    )
    read_cache: bool = Field(
        True,
        description="a caller's repeated case and figures queries reuse the answer until a table "
        "they read changes (schema/read_cache)",
    )
    ws_send_queue: int = Field(
        100, ge=1, le=10_000, description="frames queued per WebSocket before it is dropped"
    )
    ws_send_stall_seconds: float = Field(
        10.0, gt=0, le=600, description="a WebSocket stuck in one send this long is dropped"
    )
    max_query_cost: int = Field(
        5000, ge=1, le=1_000_000, description="the most one operation may cost (cost points)"
    )
    cost_budget: int = Field(
        50_000, ge=1, description="cost points per caller (account or address) per window"
    )
    cost_window_seconds: int = Field(60, ge=1, le=86_400, description="the budget's window")
    introspection: bool | None = Field(
        None, description="allow __schema/__type; default: off in prod, on elsewhere"
    )
    trusted_documents_only: bool = Field(
        False, description="accept only registered documents (by id or exact text) from everyone"
    )
    allowed_origins: str = Field(
        "",
        description="comma-separated origins allowed cross-origin (CORS and WebSockets), or *",
    )
    ws_init_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="a WebSocket must send connection_init within this"
    )
    ws_max_subscriptions: int = Field(
        20, ge=1, le=1000, description="operations one WebSocket may run at once"
    )
    ws_recheck_seconds: float = Field(
        60.0,
        gt=0,
        le=3600,
        description="how often sockets' accounts are re-checked in the database",
    )
    max_body_bytes: int = Field(
        100_000, ge=1_000, le=10_000_000, description="largest POST /graphql body"
    )
    sms_app_id: str = Field("", description="Tencent: the SmsSdkAppId, e.g. 1400006666")
    sms_region: str = Field("ap-guangzhou", pattern=r"^[a-z]+(-[a-z0-9]+)+$")
    sms_templates: dict[str, str] = Field(
        default_factory=dict, description="JSON: notification kind -> provider template code/id"
    )
    sms_template_params: dict[str, list[str]] = Field(
        default_factory=dict, description="JSON, Tencent: kind -> parameter names in order"
    )

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgres://", "postgresql://")):
            raise ValueError("must be a postgres:// or postgresql:// URL")
        return value or None

    @field_validator("redis_url")
    @classmethod
    def _redis_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value or None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Asia/Shanghai") from exc
        return value

    @model_validator(mode="after")
    def _prod_needs_secrets(self) -> Settings:
        if self.env is Environment.PROD:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key) < 32:
                raise ValueError("HALL_SECRET_KEY must be set to at least 32 characters in prod")
        return self

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in (part.strip() for part in value.split(",")):
            if origin and origin != "*" and not re.fullmatch(r"https?://[^\s/]+", origin):
                raise ValueError(f"{origin!r} is not an origin like https://hall.example.cn")
        return value

    @model_validator(mode="after")
    def _cost_fits_budget(self) -> Settings:
        if self.max_query_cost > self.cost_budget:
            raise ValueError("HALL_MAX_QUERY_COST must not exceed HALL_COST_BUDGET")
        return self

    @model_validator(mode="after")
    def _tencent_needs_app(self) -> Settings:
        if self.sms_provider == "tencent":
            secret = (
                self.sms_access_key_secret.get_secret_value() if self.sms_access_key_secret else ""
            )
            for name, value in (
                ("HALL_SMS_APP_ID", self.sms_app_id),
                ("HALL_SMS_ACCESS_KEY_ID", self.sms_access_key_id),
                ("HALL_SMS_ACCESS_KEY_SECRET", secret),
            ):
                if not value.strip():
                    raise ValueError(f"{name} must be set for the tencent SMS provider")
        return self

    @property
    def origins(self) -> list[str]:
        """The allowed cross-origin origins, as a list."""
        return [part.strip() for part in self.allowed_origins.split(",") if part.strip()]

    @property
    def introspection_allowed(self) -> bool:
        """Whether __schema and __type may be queried."""
        return (
            self.introspection
            if self.introspection is not None
            else self.env is not Environment.PROD
        )

    @property
    def embedded(self) -> bool:
        """True when either server is embedded (no URL given)."""
        return self.database_url is None or self.redis_url is None

    @property
    def json_logs(self) -> bool:
        """Whether logs are JSON lines."""
        return self.log_json if self.log_json is not None else self.env is not Environment.DEV

    @property
    def public_address(self) -> str:
        """Where the public pages are reached: configured, or this server's own address."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @cached_property
    def signing_key(self) -> str:
        """The token signing key: configured, or kept in the data folder across restarts."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.data_dir.resolve() / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings() -> Settings:
    """Read settings, turning validation failures into one readable message."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper()
            variable = f"HALL_{name}" if name else "HALL settings"
            lines.append(f"{variable}: {error['msg']}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
