"""A fake SMS cloud on loopback speaking Alibaba Cloud's SendSms / QuerySendDetails shapes.

It records every accepted text and can inject faults for the next calls: a provider error code,
or a timeout that still records the text (the provider took it, the caller never heard back).
Run alone with `python -m tests.fakes.sms_server PORT` for manual and fault runs.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Record:
    """A text the fake provider accepted."""

    phone: str
    template: str
    params: dict[str, Any]
    out_id: str
    biz_id: str
    at: float


@dataclass
class FakeSmsCloud:
    """State shared by the handler threads."""

    records: list[Record] = field(default_factory=list)
    faults: deque[str] = field(default_factory=deque)
    timeout_seconds: float = 3.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, *faults: str) -> None:
        """Queue faults for the next SendSms calls: an error code, or 'TIMEOUT'."""
        with self.lock:
            self.faults.extend(faults)

    def sent_to(self, phone: str) -> list[Record]:
        """Accepted texts for a number."""
        with self.lock:
            return [r for r in self.records if r.phone == phone]

    def by_out_id(self) -> dict[str, int]:
        """How often each OutId was accepted."""
        counts: dict[str, int] = {}
        with self.lock:
            for record in self.records:
                counts[record.out_id] = counts.get(record.out_id, 0) + 1
        return counts


def _handler(cloud: FakeSmsCloud) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _reply(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json;charset=utf-8")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length).decode() if length else ""
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            query |= {k: v[0] for k, v in parse_qs(raw).items()}
            action = self.headers.get("x-acs-action", query.get("Action", ""))
            if action == "SendSms":
                self._send(query)
            elif action == "QuerySendDetails":
                self._query(query)
            else:
                self._reply({"Code": "InvalidAction", "Message": action}, 400)

        do_GET = do_POST  # noqa: N815  (http.server's method name)

        def _send(self, query: dict[str, str]) -> None:
            with cloud.lock:
                fault = cloud.faults.popleft() if cloud.faults else None
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
            with cloud.lock:
                cloud.records.append(record)
            if fault == "TIMEOUT":
                time.sleep(cloud.timeout_seconds)  # taken, but the caller gives up first
            self._reply(
                {"Code": "OK", "Message": "OK", "BizId": record.biz_id, "RequestId": "fake"}
            )

        def _query(self, query: dict[str, str]) -> None:
            phone = query.get("PhoneNumber", "")
            found = [
                {
                    "PhoneNum": r.phone,
                    "OutId": r.out_id,
                    "SendStatus": 3,
                    "TemplateCode": r.template,
                }
                for r in cloud.sent_to(phone)
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

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class FakeSmsServer:
    """The fake cloud served from a thread on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        self.cloud = FakeSmsCloud()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.cloud))
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
