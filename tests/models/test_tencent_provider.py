"""The Tencent Cloud provider against the fake cloud over real HTTP: sends, errors, reconciliation."""

from __future__ import annotations

import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.settings import Settings
from models.notifications.delivery import DeliveryPolicy, deliver, key_of
from models.notifications.outbox import queue_text
from models.notifications.providers import ErrorClass, OutgoingText, ProviderError, UncertainSend
from models.notifications.tables import Notification, NotificationStatus
from tests.fakes.sms_server import FakeSmsServer, Record
from workers.sms.config import SmsConfig, build_provider
from workers.sms.tencent import TencentProvider, classify

pytestmark = [
    # The SDK signs with datetime.utcfromtimestamp, deprecated from Python 3.12 on.
    pytest.mark.filterwarnings("ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"),
]

SECRET_ID, SECRET_KEY = "AKIDhall0000000000000000000000000000", "hall-secret-key-0000000000000000"
APP_ID = "1400006666"
PARAMS = {"number": "JN-20261120-000001", "collect_at": "5号窗口"}
POLICY = DeliveryPolicy(backoff_seconds=30)


def phone() -> str:
    """A fresh mainland number: per-number limits live in Redis."""
    return f"139{secrets.randbelow(10**8):08d}"


def outgoing(number: str, key: str = "", template: str = "CASE_COMPLETED") -> OutgoingText:
    """A text as the delivery hands it over."""
    return OutgoingText(
        key=key or f"test:{secrets.token_hex(6)}",
        phone=number,
        text="您的办件已办结。",
        template=template,
        params=PARAMS,
    )


def tencent(endpoint: str, secret_key: str = SECRET_KEY, **kwargs: Any) -> TencentProvider:
    """A provider talking plain HTTP to the given endpoint, with a short timeout."""
    return TencentProvider(
        secret_id=SECRET_ID,
        secret_key=secret_key,
        app_id=APP_ID,
        sign_name="济南政务服务",
        endpoint=endpoint,
        protocol="HTTP",
        timeout_ms=700,
        **kwargs,
    )


@pytest.fixture
def fake() -> Iterator[FakeSmsServer]:
    with FakeSmsServer() as server:
        server.cloud.timeout_seconds = 2.0
        server.cloud.tencent_keys = {SECRET_ID: SECRET_KEY}  # every request's signature checked
        yield server


@pytest.fixture
def provider(fake: FakeSmsServer) -> TencentProvider:
    return tencent(fake.endpoint, templates={"CASE_COMPLETED": "2130001"})


async def test_a_send_is_recorded_with_its_key(
    fake: FakeSmsServer, provider: TencentProvider
) -> None:
    number = phone()
    text = outgoing(number)
    reference = await provider.send(text)
    [record] = fake.cloud.sent_to(number)
    assert (record.api, record.out_id, record.biz_id) == ("tencent", text.key, reference)
    # The configured template id; values in the order of the default text's placeholders.
    assert record.template == "2130001"
    assert record.params == {"1": PARAMS["number"], "2": PARAMS["collect_at"]}
    assert fake.cloud.by_out_id() == {text.key: 1}


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [
        # Codes Tencent reports per number, in the SendStatusSet entry.
        ("LimitExceeded.PhoneNumberThirtySecondLimit", ErrorClass.THROTTLED),
        ("LimitExceeded.PhoneNumberDailyLimit", ErrorClass.THROTTLED),
        ("InvalidParameterValue.IncorrectPhoneNumber", ErrorClass.INVALID_NUMBER),
        ("FailedOperation.PhoneNumberInBlacklist", ErrorClass.INVALID_NUMBER),
        ("FailedOperation.InsufficientBalanceInSmsPackage", ErrorClass.FATAL),
        # Codes for the whole request, in the reply's Error.
        ("RequestLimitExceeded", ErrorClass.THROTTLED),
        ("InternalError.OtherError", ErrorClass.RETRYABLE),
        ("AuthFailure.SecretIdNotFound", ErrorClass.FATAL),
        ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", ErrorClass.FATAL),
        ("FailedOperation.TemplateIncorrectOrUnapproved", ErrorClass.FATAL),
        # The same codes the other way round: classified alike wherever they come.
        ("error:LimitExceeded.PhoneNumberThirtySecondLimit", ErrorClass.THROTTLED),
        ("error:InvalidParameterValue.IncorrectPhoneNumber", ErrorClass.INVALID_NUMBER),
        ("status:InternalError.OtherError", ErrorClass.RETRYABLE),
        ("status:FailedOperation.TemplateIncorrectOrUnapproved", ErrorClass.FATAL),
    ],
)
async def test_errors_are_classified(
    fake: FakeSmsServer, provider: TencentProvider, fault: str, error_class: ErrorClass
) -> None:
    number = phone()
    fake.cloud.inject(fault)
    with pytest.raises(ProviderError) as caught:
        await provider.send(outgoing(number))
    assert (caught.value.error_class, caught.value.code) == (error_class, fault.rpartition(":")[2])
    assert fake.cloud.sent_to(number) == []


def test_codes_beyond_the_fake() -> None:
    assert classify("LimitExceeded.PhoneNumberCountLimit") is ErrorClass.FATAL
    assert classify("LimitExceeded.AppCountryOrRegionInBlacklist") is ErrorClass.INVALID_NUMBER
    assert classify("InternalError.RequestTimeException") is ErrorClass.FATAL
    assert classify("ServiceUnavailable") is ErrorClass.RETRYABLE
    assert classify("RequestLimitExceeded.UinLimitExceeded") is ErrorClass.THROTTLED
    assert classify("InvalidParameterValue.TemplateParameterLengthLimit") is ErrorClass.FATAL


async def test_a_bad_signature_is_fatal(fake: FakeSmsServer) -> None:
    number = phone()
    with pytest.raises(ProviderError) as caught:
        await tencent(fake.endpoint, secret_key="not-the-key").send(outgoing(number))
    assert caught.value.error_class is ErrorClass.FATAL
    assert caught.value.code == "AuthFailure.SignatureFailure"
    assert fake.cloud.sent_to(number) == []


async def test_an_unreachable_endpoint_is_retryable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ProviderError) as caught:
        await tencent(f"127.0.0.1:{port}").send(outgoing(phone()))
    assert (caught.value.error_class, caught.value.code) == (
        ErrorClass.RETRYABLE,
        "ClientNetworkError",
    )


async def test_a_timeout_is_uncertain_and_then_found(
    fake: FakeSmsServer, provider: TencentProvider
) -> None:
    number = phone()
    text = outgoing(number)
    fake.cloud.inject("TIMEOUT")
    started = time.monotonic()
    with pytest.raises(UncertainSend):
        await provider.send(text)
    assert time.monotonic() - started < 1.5  # the bounded timeout, not the provider's delay
    [record] = fake.cloud.sent_to(number)  # the provider took it all the same
    today = datetime.now(UTC).date()
    assert await provider.find(text.key, number, today) == record.biz_id
    assert await provider.find("test:other", number, today) is None
    assert await provider.find(text.key, phone(), today) is None


async def test_a_service_side_timeout_is_uncertain(
    fake: FakeSmsServer, provider: TencentProvider
) -> None:
    number = phone()
    fake.cloud.inject("InternalError.Timeout")
    with pytest.raises(UncertainSend):
        await provider.send(outgoing(number))
    assert fake.cloud.sent_to(number) == []


async def test_find_pages_and_reports_failures(
    fake: FakeSmsServer, provider: TencentProvider
) -> None:
    number, now = phone(), time.time()
    fake.cloud.records.extend(
        Record(number, "2130001", {}, f"test:page:{i}", f"serial-{i}", now, "tencent")
        for i in range(250)
    )
    today = datetime.now(UTC).date()
    assert await provider.find("test:page:230", number, today) == "serial-230"
    assert await provider.find("test:page:250", number, today) is None
    assert await provider.find("test:page:1", number, today - timedelta(days=30)) is None
    fake.cloud.inject_query("InternalError.OtherError")
    with pytest.raises(UncertainSend):
        await provider.find("test:page:1", number, today)


def test_template_parameters_follow_a_documented_order() -> None:
    provider = tencent("127.0.0.1:1", param_order={"TICKET_CALLED": ["window", "number"]})
    params = {"number": "A012", "window": "5", "due_on": "2026-12-01", "extra": "x"}
    text = OutgoingText(key="k", phone="13900000000", text="", template="CASE_ACCEPTED")
    # The default text's placeholders, in order; a missing value is sent empty.
    assert provider.template_params(text) == ["", ""]
    assert provider.template_params(replace(text, params=params)) == [
        "A012",
        "2026-12-01",
    ]
    called = OutgoingText(key="k", phone="13900000000", text="", template="TICKET_CALLED")
    assert provider.template_params(replace(called, params=params)) == [
        "5",
        "A012",
    ]
    unknown = OutgoingText(key="k", phone="13900000000", text="", template="X", params=params)
    assert provider.template_params(unknown) == ["2026-12-01", "x", "A012", "5"]


def test_settings_select_the_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "HALL_SMS_PROVIDER": "tencent",
        "HALL_SMS_APP_ID": APP_ID,
        "HALL_SMS_ACCESS_KEY_ID": SECRET_ID,
        "HALL_SMS_ACCESS_KEY_SECRET": SECRET_KEY,
        "HALL_SMS_REGION": "ap-beijing",
        "HALL_SMS_TEMPLATES": '{"CASE_COMPLETED": "2130001"}',
        "HALL_SMS_TEMPLATE_PARAMS": '{"CASE_COMPLETED": ["collect_at", "number"]}',
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    provider = build_provider(
        SmsConfig(
            provider=settings.sms_provider,
            access_key_id=settings.sms_access_key_id,
            access_key_secret=SECRET_KEY,
            app_id=settings.sms_app_id,
            region=settings.sms_region,
            templates=settings.sms_templates,
            template_params=settings.sms_template_params,
        )
    )
    assert isinstance(provider, TencentProvider)
    assert (provider.region, provider.endpoint, provider.scheme) == (
        "ap-beijing",
        "sms.tencentcloudapi.com",
        "https",
    )
    assert provider.template_params(outgoing("13900000000")) == ["5号窗口", PARAMS["number"]]
    monkeypatch.delenv("HALL_SMS_APP_ID")
    with pytest.raises(ValueError, match="HALL_SMS_APP_ID"):
        Settings(_env_file=None)


async def queued(number: str) -> int:
    """An urgent text (no quiet hours) queued now, as the features queue them."""
    key = f"test:{secrets.token_hex(6)}"
    await queue_text(key, "CASE_COMPLETED", number, {**PARAMS}, now=datetime.now(UTC), urgent=True)
    return int((await Notification.get(dedupe_key=key)).id)


async def test_delivery_reconciles_a_timeout_instead_of_resending(
    db: object, fake: FakeSmsServer, provider: TencentProvider, limiter: Any
) -> None:
    # Real time: Tencent keeps receipts for 7 days, so `find` looks around the actual day.
    now, number = datetime.now(UTC), phone()
    notification = await queued(number)
    fake.cloud.inject("TIMEOUT")
    assert await deliver(notification, provider, limiter, POLICY, now) is NotificationStatus.PENDING
    row = await Notification.get(id=notification)
    assert (row.provider, row.send_started_at) == ("tencent", now)  # the ledger stays
    later = now + timedelta(minutes=1)
    assert await deliver(notification, provider, limiter, POLICY, later) is NotificationStatus.SENT
    row = await Notification.get(id=notification)
    [record] = fake.cloud.sent_to(number)
    assert fake.cloud.by_out_id() == {key_of(notification): 1}
    assert row.provider_ref == record.biz_id
    assert record.params == {"1": PARAMS["number"], "2": PARAMS["collect_at"]}


async def test_delivery_fails_an_invalid_number_at_once(
    db: object, fake: FakeSmsServer, provider: TencentProvider, limiter: Any
) -> None:
    notification = await queued(phone())
    fake.cloud.inject("InvalidParameterValue.IncorrectPhoneNumber")
    status = await deliver(notification, provider, limiter, POLICY, datetime.now(UTC))
    row = await Notification.get(id=notification)
    assert (status, row.error_class) == (NotificationStatus.FAILED, "INVALID_NUMBER")
    assert fake.cloud.records == []
