"""Alibaba Cloud SMS through its official SDK (alibabacloud-dysmsapi20170525), endpoint configurable."""

from __future__ import annotations

from datetime import date

import orjson
from alibabacloud_dysmsapi20170525 import models as sms
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as openapi

from models.notifications.providers import ErrorClass, OutgoingText, ProviderError, UncertainSend
from workers.sms import aliyun_http

# The provider's codes, classified (https://help.aliyun.com/document_detail/101346.html).
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "Throttling.User"}
INVALID_NUMBER = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.BLACK_KEY_CONTROL_LIMIT",
}
RETRYABLE_PREFIXES = ("isp.", "ServiceUnavailable", "InternalError")


def _cause(exc: BaseException) -> str:
    """The SDK's wrapper and what it wraps (e.g. a timeout or a dropped connection), for the log."""
    names = [type(exc).__name__]
    inner = getattr(exc, "inner_exception", None) or exc.__cause__ or exc.__context__
    while isinstance(inner, BaseException) and len(names) < 4:
        names.append(f"{type(inner).__name__}({str(inner)[:80]})")
        inner = getattr(inner, "inner_exception", None) or inner.__cause__ or inner.__context__
    return " <- ".join(names)


def classify(code: str) -> ErrorClass:
    """How to treat a provider code."""
    if code in THROTTLED:
        return ErrorClass.THROTTLED
    if code in INVALID_NUMBER:
        return ErrorClass.INVALID_NUMBER
    if code.startswith(RETRYABLE_PREFIXES):
        return ErrorClass.RETRYABLE
    return ErrorClass.FATAL


class AliyunProvider:
    """SendSms with the notification key as OutId; QuerySendDetails to reconcile.

    Calls go through one keep-alive connection pool per provider (see workers.sms.aliyun_http);
    `aclose()` closes it.
    """

    name = "aliyun"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        endpoint: str = "dysmsapi.aliyuncs.com",
        protocol: str = "HTTPS",
        timeout_ms: int = 5000,
        templates: dict[str, str] | None = None,
        connections: int = 100,
    ) -> None:
        config = openapi.Config(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            endpoint=endpoint,
            protocol=protocol,
            read_timeout=timeout_ms,
            connect_timeout=timeout_ms,
        )
        self.client = Client(config)
        aliyun_http.install()
        self.http = aliyun_http.PooledHttp(connections=connections)
        self.sign_name = sign_name
        self.templates = templates or {}

    async def send(self, text: OutgoingText) -> str:
        """Send one templated text."""
        request = sms.SendSmsRequest(
            phone_numbers=text.phone,
            sign_name=self.sign_name,
            template_code=self.templates.get(text.template, text.template),
            template_param=orjson.dumps(text.params).decode(),
            out_id=text.key,
        )
        try:
            with self.http.active():
                response = await self.client.send_sms_async(request)
        except Exception as exc:  # the SDK wraps timeouts and transport errors alike
            code = getattr(exc, "code", None)
            if isinstance(code, str) and code:
                raise ProviderError(classify(code), code, str(getattr(exc, "message", ""))) from exc
            raise UncertainSend(_cause(exc)) from exc
        body = response.body
        if body.code != "OK":
            raise ProviderError(classify(body.code or ""), body.code or "", body.message or "")
        return str(body.biz_id)

    async def find(self, key: str, phone: str, sent_on: date) -> str | None:
        """The BizId of a text sent with this OutId on that day, if the provider has one."""
        page = 1
        while True:
            request = sms.QuerySendDetailsRequest(
                phone_number=phone,
                send_date=sent_on.strftime("%Y%m%d"),
                page_size=50,
                current_page=page,
            )
            with self.http.active():
                response = await self.client.query_send_details_async(request)
            body = response.body
            if body.code != "OK":
                raise UncertainSend(f"query failed: {body.code}")
            details = (
                body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
            )
            for detail in details or []:
                if detail.out_id == key:
                    return str(detail.out_id)
            if not details or len(details) < 50:
                return None
            page += 1

    async def aclose(self) -> None:
        """Close the provider's connections."""
        await self.http.aclose()
