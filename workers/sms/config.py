"""Which SMS provider the workers use, from settings."""

from __future__ import annotations

from dataclasses import dataclass

from models.notifications.providers import SmsProvider
from workers.sms.aliyun import AliyunProvider
from workers.sms.log import LogProvider


@dataclass(frozen=True)
class SmsConfig:
    """Provider choice and credentials (HALL_SMS_*)."""

    provider: str = "log"
    endpoint: str = ""
    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""
    protocol: str = "HTTPS"


def build_provider(config: SmsConfig) -> SmsProvider:
    """The configured provider (the log provider by default)."""
    if config.provider == "aliyun":
        return AliyunProvider(
            access_key_id=config.access_key_id,
            access_key_secret=config.access_key_secret,
            sign_name=config.sign_name,
            endpoint=config.endpoint or "dysmsapi.aliyuncs.com",
            protocol=config.protocol,
        )
    return LogProvider()
