"""Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms), endpoint configurable.

Template parameters: Tencent templates take an ordered list ({1}, {2}, ...). A kind's values go
in the order configured for it (`param_order`, HALL_SMS_TEMPLATE_PARAMS); otherwise in the order
its placeholders appear in the kind's default text (DEFAULT_TEXTS: register the Tencent template
from that text, `{number}` -> `{1}` and so on); a kind without a default text sends its params
sorted by name. A placeholder without a value is sent as "".

Reconciliation: `find` reads the delivery receipts of PullSmsSendStatusByPhoneNumber, matching the
echoed SessionContext. Tencent lists a text there only once the carrier's receipt is in, and
echoes SessionContext in receipts only when that is enabled for the account (ask Tencent's SMS
support); without it, an uncertain send cannot be confirmed and is sent again.
"""

from __future__ import annotations

import asyncio
import string
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms
from tencentcloud.sms.v20210111.sms_client import SmsClient
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from models.notifications.providers import ErrorClass, OutgoingText, ProviderError, UncertainSend
from models.notifications.templates import DEFAULT_TEXTS

# The provider's codes, classified: SendSms's own (the SDK's sms/v20210111/errorcodes.py) and the
# common codes of every Tencent Cloud API (AuthFailure.*, RequestLimitExceeded, InternalError...).
INVALID_NUMBER = {
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberParseFail",
    "MissingParameter.EmptyPhoneNumberSet",
    "LimitExceeded.AppCountryOrRegionInBlacklist",
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
    "UnsupportedOperation.UnsupportedRegion",
}
FATAL = {
    "LimitExceeded.PhoneNumberCountLimit",  # more than 200 numbers in a request: our bug
    "InternalError.RequestTimeException",  # this machine's clock is off by 10+ minutes
}
THROTTLED_PREFIXES = ("LimitExceeded.", "RequestLimitExceeded")
RETRYABLE_PREFIXES = ("InternalError", "ServiceUnavailable", "ResourceUnavailable")
# The service gave up on its carrier gateway: the text may still have gone out.
UNCERTAIN = {"InternalError.Timeout", "InternalError.SendAndRecvFail"}
# What the SDK raises for mistakes of ours, found before anything is sent.
CLIENT_FAULTS = {"ClientError", "ClientParamsError"}
PAGE = 100


def classify(code: str) -> ErrorClass:
    """How to treat a provider code."""
    if code in INVALID_NUMBER:
        return ErrorClass.INVALID_NUMBER
    if code in FATAL:
        return ErrorClass.FATAL
    if code.startswith(THROTTLED_PREFIXES):
        return ErrorClass.THROTTLED
    if code.startswith(RETRYABLE_PREFIXES):
        return ErrorClass.RETRYABLE
    return ErrorClass.FATAL


def e164(phone: str) -> str:
    """A number as Tencent wants it: mainland 11-digit numbers get +86."""
    if phone.startswith("+"):
        return phone
    if phone.startswith("0086"):
        return f"+{phone[2:]}"
    if len(phone) == 13 and phone.startswith("86"):
        return f"+{phone}"
    return f"+86{phone}"


def placeholders(text: str) -> list[str]:
    """The {names} of a text in order of first appearance."""
    names: list[str] = []
    for _, name, _, _ in string.Formatter().parse(text):
        if name and name not in names:
            names.append(name)
    return names


DEFAULT_ORDER = {kind.value: placeholders(text) for kind, text in DEFAULT_TEXTS.items()}


def never_reached(exc: BaseException) -> bool:
    """Whether a transport failure happened while connecting, so that nothing was sent."""
    seen: BaseException | None = exc
    while seen is not None:
        for arg in seen.args:
            if isinstance(arg, MaxRetryError) and isinstance(
                arg.reason, ConnectTimeoutError | NewConnectionError
            ):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


class TencentProvider:
    """SendSms with the notification key as SessionContext; delivery receipts to reconcile."""

    name = "tencent"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        sign_name: str,
        region: str = "ap-guangzhou",
        endpoint: str = "sms.tencentcloudapi.com",
        protocol: str = "HTTPS",
        timeout_ms: int = 5000,
        templates: Mapping[str, str] | None = None,
        param_order: Mapping[str, Sequence[str]] | None = None,
        threads: int = 20,
    ) -> None:
        self.credential = Credential(secret_id, secret_key)
        self.region = region
        self.endpoint = endpoint
        self.scheme = protocol.lower()
        self.timeout = timeout_ms / 1000
        self.app_id = app_id
        self.sign_name = sign_name
        self.templates = dict(templates or {})
        self.param_order = {kind: list(names) for kind, names in (param_order or {}).items()}
        # Its own threads (as many as the worker's concurrent jobs): a slow provider neither
        # starves the loop's default executor nor runs out the clock of calls waiting for one.
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="tencent-sms")

    def _client(self) -> Any:
        """A fresh SDK client (one per call: no state shared between threads)."""
        http = HttpProfile(
            protocol=self.scheme,
            endpoint=self.endpoint,
            reqMethod="POST",
            reqTimeout=self.timeout,
        )
        profile = ClientProfile(httpProfile=http, disable_region_breaker=True)
        return SmsClient(self.credential, self.region, profile)

    async def _call(self, action: str, request: Any) -> Any:
        """Run one SDK action in a thread, bounded: the SDK is synchronous (requests)."""
        request.headers = {"Connection": "close"}  # no pooled socket outlives its client
        # requests bounds the connect and each read; this bounds the whole call.
        call = asyncio.get_running_loop().run_in_executor(
            self.executor, lambda: getattr(self._client(), action)(request)
        )
        return await asyncio.wait_for(call, self.timeout * 2 + 1)

    def template_params(self, text: OutgoingText) -> list[str]:
        """The template's values in the documented order (see the module's docstring)."""
        order = self.param_order.get(text.template) or DEFAULT_ORDER.get(text.template)
        if order is None:
            order = sorted(text.params)
        return [text.params.get(name, "") for name in order]

    async def send(self, text: OutgoingText) -> str:
        """Send one templated text; returns the SerialNo."""
        request = sms.SendSmsRequest()
        request.PhoneNumberSet = [e164(text.phone)]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = self.templates.get(text.template, text.template)
        request.TemplateParamSet = self.template_params(text)
        request.SessionContext = text.key
        try:
            response = await self._call("SendSms", request)
        except TimeoutError as exc:
            raise UncertainSend("no answer in time") from exc
        except TencentCloudSDKException as exc:
            raise self._failure(exc) from exc
        statuses = response.SendStatusSet or []
        if len(statuses) != 1:
            raise UncertainSend(f"expected one SendStatus, got {len(statuses)}")
        status = statuses[0]
        code = str(status.Code or "")
        if code.lower() != "ok":
            if code in UNCERTAIN:
                raise UncertainSend(code)
            raise ProviderError(classify(code), code, str(status.Message or ""))
        return str(status.SerialNo or text.key)

    @staticmethod
    def _failure(exc: TencentCloudSDKException) -> Exception:
        """The ProviderError or UncertainSend for an SDK exception raised by SendSms."""
        code = str(exc.get_code() or "")
        message = str(exc.get_message() or "")
        if exc.get_request_id():  # the service answered with an error
            if code in UNCERTAIN:
                return UncertainSend(code)
            return ProviderError(classify(code), code, message)
        if code == "ClientNetworkError" and never_reached(exc):
            return ProviderError(ErrorClass.RETRYABLE, code, message)
        if code in CLIENT_FAULTS:
            return ProviderError(ErrorClass.FATAL, code, message)
        # A read timeout, a dropped connection, a gateway's non-200 or an unreadable answer:
        # the request may have reached the service.
        return UncertainSend(f"{code}: {message}"[:200])

    async def find(self, key: str, phone: str, sent_on: date) -> str | None:
        """The SerialNo of a text sent with this SessionContext around that day, if receipted."""
        # The day's zone varies by caller: look a day either side (keys are unique anyway),
        # no further back than the 7 days Tencent keeps and no later than now.
        now = datetime.now(UTC)
        begin = datetime.combine(sent_on, time(), UTC) - timedelta(days=1)
        begin = max(begin, now - timedelta(days=7) + timedelta(minutes=1))
        end = min(datetime.combine(sent_on, time(), UTC) + timedelta(days=2), now)
        if begin > end:
            return None
        offset = 0
        while True:
            request = sms.PullSmsSendStatusByPhoneNumberRequest()
            request.SmsSdkAppId = self.app_id
            request.PhoneNumber = e164(phone)
            request.BeginTime = int(begin.timestamp())
            request.EndTime = int(end.timestamp())
            request.Offset = offset
            request.Limit = PAGE
            try:
                response = await self._call("PullSmsSendStatusByPhoneNumber", request)
            except TimeoutError as exc:
                raise UncertainSend("status query: no answer in time") from exc
            except TencentCloudSDKException as exc:
                raise UncertainSend(f"status query failed: {exc.get_code()}") from exc
            statuses = response.PullSmsSendStatusSet or []
            for status in statuses:
                if status.SessionContext == key:
                    return str(status.SerialNo or key)
            if len(statuses) < PAGE:
                return None
            offset += PAGE

    async def aclose(self) -> None:
        """Let the SDK's threads go once their calls end."""
        self.executor.shutdown(wait=False)
