"""Plain GraphQL POSTs: the common request, recognised from the raw scope and body alone.

Most requests to /graphql are a JSON object posted in one piece by a client on the same origin
or by a server (no Origin header), with a query text, maybe variables and an operation name.
Those the lean path answers without building Starlette's request helpers, the gate's streaming
reader or strawberry's request parsing; everything else (another origin, a body in several
pieces or over the size limit, something that is not a JSON object, a batch, a token flood, a
document sent by id, a board-only document) takes the full lean path, unchanged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import orjson
from starlette.types import Message, Receive

from api.board_snapshot import board_document
from api.http_gate import floods
from api.trusted_documents import MARKERS

JSON = b"application/json"
KEYS = frozenset(("query", "variables", "operationName", "extensions"))


@functools.lru_cache(maxsize=64)
def _json_type(content_type: bytes) -> bool:
    """Whether a Content-Type value is application/json (with parameters, any case)."""
    return content_type.split(b";", 1)[0].strip().lower() == JSON


def plain_post(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The Authorization value ("" without one) of a JSON POST with no Origin; else None."""
    authorization = ""
    json = False
    for name, value in headers:
        if name == b"content-type":
            json = _json_type(value)
        elif name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"origin":
            return None  # CORS decides what such a response carries
    return authorization if json else None


def plain_operation(body: bytes) -> dict[str, Any] | None:
    """The operation of a plain body (query text, variables, operationName, extensions), or None.

    None for whatever the full path treats specially: not a JSON object, fields of the wrong
    type, a document sent by id, a token flood, a board-only document.
    """
    if body[:1] != b"{" or any(marker in body for marker in MARKERS):
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    query = data.get("query")
    variables = data.get("variables")
    name = data.get("operationName")
    extensions = data.get("extensions")
    if (
        type(query) is not str
        or (variables is not None and type(variables) is not dict)
        or (name is not None and type(name) is not str)
        or (extensions is not None and type(extensions) is not dict)
        or floods(query)
        or board_document(query) is not None
    ):
        return None
    return {"query": query, "variables": variables, "operationName": name, "extensions": extensions}


async def read_body(receive: Receive, limit: int) -> tuple[bytes | None, list[Message]]:
    """The whole body, or None when it passes `limit` bytes or the client left; and the
    messages read, for the full path to read again (`replay`)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return None, messages
        size += len(message.get("body", b""))
        if size > limit:
            return None, messages
        if not message.get("more_body"):
            break
    if len(messages) == 1:
        return messages[0].get("body", b""), messages
    return b"".join(m.get("body", b"") for m in messages), messages


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out `messages` first, then whatever `receive` brings."""
    pending = messages[::-1]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed
