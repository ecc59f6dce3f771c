"""Which SMS provider the workers use, from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.notifications.providers import SmsProvider
from workers.sms.aliyun import AliyunProvider
from workers.sms.log import LogProvider
from workers.sms.tencent import TencentProvider


@dataclass(frozen=True)
class SmsConfig:
    """Provider choice and credentials (HALL_SMS_*)."""

    provider: str = "log"
    endpoint: str = ""
    access_key_id: str = ""
    access_key_secret: str = ""
    sign_name: str = ""
    protocol: str = "HTTPS"
    app_id: str = ""  # Tencent's SmsSdkAppId
    region: str = "ap-guangzhou"  # Tencent's region
    templates: dict[str, str] = field(default_factory=dict)  # kind -> template code / id
    template_params: dict[str, list[str]] = field(default_factory=dict)  # Tencent: kind -> order


def build_provider(config: SmsConfig) -> SmsProvider:
    """The configured provider (the log provider by default)."""
    if config.provider == "aliyun":
        return AliyunProvider(
            access_key_id=config.access_key_id,
            access_key_secret=config.access_key_secret,
            sign_name=config.sign_name,
            endpoint=config.endpoint or "dysmsapi.aliyuncs.com",
            protocol=config.protocol,
            templates=config.templates,
        )
    if config.provider == "tencent":
        return TencentProvider(
            secret_id=config.access_key_id,
            secret_key=config.access_key_secret,
            app_id=config.app_id,
            sign_name=config.sign_name,
            region=config.region,
            endpoint=config.endpoint or "sms.tencentcloudapi.com",
            protocol=config.protocol,
            templates=config.templates,
            param_order=config.template_params,
        )
    return LogProvider()
