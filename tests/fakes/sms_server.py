"""A fake SMS cloud on loopback speaking Alibaba Cloud's and Tencent Cloud's SMS API shapes.

Alibaba: SendSms / QuerySendDetails (RPC style, parameters in the query or a form body).
Tencent: SendSms / PullSmsSendStatusByPhoneNumber (TC3-signed JSON POST, `X-TC-Action` header,
`{"Response": {...}}` replies). A request carrying `X-TC-Action` is Tencent's, any other Alibaba's.

It records every accepted text and can inject faults for the next send calls of either API: a
provider error code, or 'TIMEOUT' that still records the text (the provider took it, the caller
never heard back). For Tencent a code that concerns the number (see PER_NUMBER) comes back in
the number's SendStatusSet entry, any other as the reply's Error; 'status:CODE' or 'error:CODE'
forces one or the other. `inject_query` queues faults for the status queries the same way.
With `tencent_keys` set (SecretId -> SecretKey), Tencent requests must carry a valid TC3 signature.
Run alone with `python -m tests.fakes.sms_server PORT` for manual and fault runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Tencent codes that SendSms reports per number (in SendStatusSet) rather than for the request.
PER_NUMBER = (
    "LimitExceeded.",
    "InvalidParameterValue.IncorrectPhoneNumber",
    "FailedOperation.PhoneNumber",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "FailedOperation.ContainSensitiveWord",
    "InternalError.Timeout",
    "InternalError.SendAndRecvFail",
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
)
TC3 = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>[^/]+)/(?P<service>[^/]+)/tc3_request, "
    r"SignedHeaders=(?P<headers>[^,]+), Signature=(?P<signature>[0-9a-f]+)"
)


@dataclass
class Record:
    """A text the fake provider accepted (`out_id`: Alibaba's OutId or Tencent's SessionContext)."""

    phone: str
    template: str
    params: dict[str, Any]
    out_id: str
    biz_id: str
    at: float
    api: str = "aliyun"


@dataclass
class FakeSmsCloud:
    """State shared by the handler threads."""

    records: list[Record] = field(default_factory=list)
    faults: deque[str] = field(default_factory=deque)
    query_faults: deque[str] = field(default_factory=deque)
    timeout_seconds: float = 3.0
    # Seconds between taking a text and answering (a slow provider; fault runs kill meanwhile).
    reply_delay: float = 0.0
    tencent_keys: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, *faults: str) -> None:
        """Queue faults for the next SendSms calls (either API): an error code, or 'TIMEOUT'."""
        with self.lock:
            self.faults.extend(faults)

    def inject_query(self, *faults: str) -> None:
        """Queue faults for the next status queries (QuerySendDetails, PullSmsSendStatus...)."""
        with self.lock:
            self.query_faults.extend(faults)

    def sent_to(self, phone: str) -> list[Record]:
        """Accepted texts for a number (11 digits, or E.164 for mainland numbers)."""
        phone = subscriber(phone)
        with self.lock:
            return [r for r in self.records if r.phone == phone]

    def by_out_id(self) -> dict[str, int]:
        """How often each OutId (Tencent: SessionContext) was accepted."""
        counts: dict[str, int] = {}
        with self.lock:
            for record in self.records:
                counts[record.out_id] = counts.get(record.out_id, 0) + 1
        return counts

    def next_fault(self, query: bool = False) -> str | None:
        """Take the next queued fault for a send (or a query), if any."""
        with self.lock:
            queue = self.query_faults if query else self.faults
            return queue.popleft() if queue else None

    def accept(self, record: Record) -> None:
        """Record an accepted text."""
        with self.lock:
            self.records.append(record)


def subscriber(phone: str) -> str:
    """A mainland number as its 11 digits, whether given as +86..., 0086..., 86... or plain."""
    for prefix in ("+86", "0086", "86"):
        if phone.startswith(prefix) and len(phone) == len(prefix) + 11:
            return phone[len(prefix) :]
    return phone


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    """Tencent Cloud's TC3-HMAC-SHA256 signature of a string to sign."""
    key = hmac.new(f"TC3{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
    key = hmac.new(key, service.encode(), hashlib.sha256).digest()
    key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class TencentError(Exception):
    """A request-level Tencent error reply."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message or code


def _handler(cloud: FakeSmsCloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(
            self,
            body: dict[str, Any],
            status: int = 200,
            content_type: str = "application/json;charset=utf-8",
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length) if length else b""
            if self.headers.get("x-tc-action"):
                self._tencent(raw)
                return
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            query |= {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            action = self.headers.get("x-acs-action", query.get("Action", ""))
            if action == "SendSms":
                self._send(query)
            elif action == "QuerySendDetails":
                self._query(query)
            else:
                self._reply({"Code": "InvalidAction", "Message": action}, 400)

        do_GET = do_POST  # noqa: N815  (http.server's method name)

        # Alibaba Cloud

        def _send(self, query: dict[str, str]) -> None:
            fault = cloud.next_fault()
            if fault and fault != "TIMEOUT":
                self._reply({"Code": fault, "Message": "injected", "RequestId": "fake"})
                return
            record = Record(
                phone=query.get("PhoneNumbers", ""),
                template=query.get("TemplateCode", ""),
                params=json.loads(query.get("TemplateParam") or "{}"),
                out_id=query.get("OutId", ""),
                biz_id=f"{int(time.time() * 1000)}^{len(cloud.records)}",
                at=time.time(),
            )
            cloud.accept(record)
            if fault == "TIMEOUT":
                time.sleep(cloud.timeout_seconds)  # taken, but the caller gives up first
            elif cloud.reply_delay:
                time.sleep(cloud.reply_delay)
            self._reply(
                {"Code": "OK", "Message": "OK", "BizId": record.biz_id, "RequestId": "fake"}
            )

        def _query(self, query: dict[str, str]) -> None:
            fault = cloud.next_fault(query=True)
            if fault == "TIMEOUT":
                time.sleep(cloud.timeout_seconds)
            elif fault:
                self._reply({"Code": fault, "Message": "injected", "RequestId": "fake"})
                return
            phone = query.get("PhoneNumber", "")
            found = [
                {
                    "PhoneNum": r.phone,
                    "OutId": r.out_id,
                    "SendStatus": 3,
                    "TemplateCode": r.template,
                }
                for r in cloud.sent_to(phone)
                if r.api == "aliyun"
            ]
            self._reply(
                {
                    "Code": "OK",
                    "Message": "OK",
                    "TotalCount": len(found),
                    "SmsSendDetailDTOs": {"SmsSendDetailDTO": found},
                    "RequestId": "fake",
                }
            )

        # Tencent Cloud

        def _tencent_reply(self, response: dict[str, Any]) -> None:
            response["RequestId"] = f"fake-{time.monotonic_ns()}"
            # Tencent answers with exactly this content type; the SDK only reads errors from it.
            self._reply({"Response": response}, content_type="application/json")

        def _tencent(self, raw: bytes) -> None:
            action = self.headers.get("x-tc-action", "")
            try:
                self._check_signature(raw)
                body = json.loads(raw or b"{}")
                if action == "SendSms":
                    self._tencent_reply(self._tencent_send(body))
                elif action == "PullSmsSendStatusByPhoneNumber":
                    self._tencent_reply(self._tencent_pull(body))
                else:
                    raise TencentError("InvalidAction", f"unknown action {action}")
            except TencentError as exc:
                self._tencent_reply({"Error": {"Code": exc.code, "Message": exc.message}})
            except json.JSONDecodeError:
                self._tencent_reply(
                    {"Error": {"Code": "FailedOperation.JsonParseFail", "Message": "bad JSON"}}
                )

        def _check_signature(self, raw: bytes) -> None:
            if not cloud.tencent_keys:
                return
            match = TC3.fullmatch(self.headers.get("authorization", ""))
            if match is None:
                raise TencentError("AuthFailure.SignatureFailure", "no TC3 authorization")
            secret_key = cloud.tencent_keys.get(match["id"])
            if secret_key is None:
                raise TencentError("AuthFailure.SecretIdNotFound", match["id"])
            names = match["headers"].split(";")
            canonical_headers = "".join(
                f"{name}:{self.headers.get(name, '').strip().lower()}\n" for name in names
            )
            canonical_request = "\n".join(
                [
                    self.command,
                    urlsplit(self.path).path,
                    urlsplit(self.path).query,
                    canonical_headers,
                    match["headers"],
                    hashlib.sha256(raw).hexdigest(),
                ]
            )
            timestamp = self.headers.get("x-tc-timestamp", "0")
            day = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
            string_to_sign = "\n".join(
                [
                    "TC3-HMAC-SHA256",
                    timestamp,
                    f"{match['date']}/{match['service']}/tc3_request",
                    hashlib.sha256(canonical_request.encode()).hexdigest(),
                ]
            )
            expected = tc3_signature(secret_key, match["date"], match["service"], string_to_sign)
            if match["date"] != day or not hmac.compare_digest(expected, match["signature"]):
                raise TencentError("AuthFailure.SignatureFailure", "signature mismatch")

        def _tencent_send(self, body: dict[str, Any]) -> dict[str, Any]:
            numbers = body.get("PhoneNumberSet") or []
            if not numbers:
                raise TencentError("MissingParameter.EmptyPhoneNumberSet")
            for name in ("SmsSdkAppId", "TemplateId", "SignName"):
                if not body.get(name):
                    raise TencentError("MissingParameter", f"{name} is required")
            fault = cloud.next_fault()
            per_number = ""
            if fault and fault != "TIMEOUT":
                where, _, code = fault.rpartition(":")
                if where == "error" or (where != "status" and not code.startswith(PER_NUMBER)):
                    raise TencentError(code, "injected")
                per_number = code
            context = body.get("SessionContext") or ""
            statuses = []
            for number in numbers:
                phone = subscriber(number)
                entry = {
                    "SerialNo": "",
                    "PhoneNumber": f"+86{phone}" if len(phone) == 11 else number,
                    "Fee": 0,
                    "SessionContext": context,
                    "Code": per_number or "Ok",
                    "Message": "injected" if per_number else "send success",
                    "IsoCode": "CN",
                }
                if not per_number:
                    record = Record(
                        phone=phone,
                        template=str(body.get("TemplateId", "")),
                        params={
                            str(i): value
                            for i, value in enumerate(body.get("TemplateParamSet") or [], 1)
                        },
                        out_id=context,
                        biz_id=f"2433:{time.time_ns()}{len(cloud.records):04d}",
                        at=time.time(),
                        api="tencent",
                    )
                    cloud.accept(record)
                    entry |= {"SerialNo": record.biz_id, "Fee": 1}
                statuses.append(entry)
            if fault == "TIMEOUT":
                time.sleep(cloud.timeout_seconds)  # taken, but the caller gives up first
            return {"SendStatusSet": statuses}

        def _tencent_pull(self, body: dict[str, Any]) -> dict[str, Any]:
            fault = cloud.next_fault(query=True)
            if fault == "TIMEOUT":
                time.sleep(cloud.timeout_seconds)
            elif fault:
                raise TencentError(fault.rpartition(":")[2], "injected")
            for name in ("SmsSdkAppId", "PhoneNumber", "BeginTime", "Offset", "Limit"):
                if body.get(name) is None:
                    raise TencentError("MissingParameter", f"{name} is required")
            limit = int(body["Limit"])
            if not 0 < limit <= 100:
                raise TencentError("InvalidParameterValue.LimitVerifyFail")
            begin, end = int(body["BeginTime"]), int(body.get("EndTime") or time.time())
            if begin > end:
                raise TencentError("InvalidParameterValue.InvalidStartTime")
            found = [
                {
                    "UserReceiveTime": int(r.at),
                    "CountryCode": "86",
                    "SubscriberNumber": r.phone,
                    "PhoneNumber": f"+86{r.phone}",
                    "SerialNo": r.biz_id,
                    "ReportStatus": "SUCCESS",
                    "Description": "用户短信送达成功",
                    "SessionContext": r.out_id,
                }
                for r in cloud.sent_to(str(body["PhoneNumber"]))
                if r.api == "tencent" and begin <= r.at <= end + 1
            ]
            offset = int(body["Offset"])
            return {"PullSmsSendStatusSet": found[offset : offset + limit]}

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    """A listen backlog like a real endpoint's: socketserver's default of 5 drops connections
    when dozens of sends connect at once, which the client sees as connect timeouts."""

    request_queue_size = 128
    daemon_threads = True


class FakeSmsServer:
    """The fake cloud served from a thread on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        self.cloud = FakeSmsCloud()
        self.httpd = _Server(("127.0.0.1", port), _handler(self.cloud))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        """host:port for the SDK's endpoint override."""
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeSmsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    with FakeSmsServer(int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
        print(f"fake SMS cloud on {server.endpoint}", flush=True)  # noqa: T201
        server.thread.join()
