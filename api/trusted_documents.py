"""Registered documents sent by id: the registry's sources, and ids turned into text on arrival.

A client sends `{"documentId": "sha256:<hex>", "variables": ...}` (GraphQL over HTTP's persisted
documents) or Apollo's `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "<hex>"}}}`,
over HTTP or in a graphql-transport-ws `subscribe` payload. A known id is replaced here by its
registered text; the schema's guard then finds that text in the registry and executes the
document parsed and validated at start-up. An unknown id, a text that is not the id's, or an id
of the wrong shape is refused here, before anything runs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import structlog
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.http_gate import JSON_KEY
from schema.limits.policy import QueryPolicy
from schema.trusted import (
    Registry,
    TrustedDocuments,
    bad_id,
    document_id,
    mismatch,
    normal_id,
    not_found,
)

log = structlog.get_logger(__name__)

# The admin SPA's operations (frontend-contract, beside the package in a checkout) and the
# pages this service serves itself (api/static, shipped with the package).
CONTRACT_OPERATIONS = Path(__file__).resolve().parents[1] / "frontend-contract" / "operations"
PAGE_OPERATIONS = Path(__file__).resolve().parent / "static"
# Cheap test before decoding a body a second time: only these requests carry an id.
MARKERS = (b'"documentId"', b'"persistedQuery"')


def sources() -> list[str]:
    """The text of every .graphql file whose operations are registered."""
    files = sorted(PAGE_OPERATIONS.glob("*.graphql"))
    if CONTRACT_OPERATIONS.is_dir():
        files += sorted(CONTRACT_OPERATIONS.glob("*.graphql"))
    else:
        log.warning("frontend-contract operations not found", path=str(CONTRACT_OPERATIONS))
    return [path.read_text(encoding="utf-8") for path in files]


@cache
def registry() -> TrustedDocuments:
    """The registry built from the committed .graphql files (once per process)."""
    return TrustedDocuments.from_sources(sources())


def install(schema: Any, policy: QueryPolicy) -> TrustedDocuments:
    """Build, validate under the policy (an invalid document stops the start), and install."""
    documents = registry()
    documents.prepare(schema, policy)
    Registry.install(documents)
    log.info("trusted documents registered", count=len(documents))
    return documents


def manifest_text(documents: TrustedDocuments) -> str:
    """The committed manifest clients ship: operation name -> id, id -> text."""
    return orjson.dumps(documents.manifest(), option=orjson.OPT_INDENT_2).decode() + "\n"


def page_ids(*names: str) -> dict[str, str]:
    """The ids of a page's operations (the page sends ids, never text)."""
    by_name = {entry.name: entry.id for entry in registry().by_id.values()}
    return {name: by_name[name] for name in names if name in by_name}


def _requested_id(data: dict[str, Any]) -> tuple[bool, object]:
    """Whether the request names a document by id, and the raw id."""
    if "documentId" in data:
        return True, data["documentId"]
    extensions = data.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if isinstance(persisted, dict):
        return True, persisted.get("sha256Hash")
    return False, None


def resolve(data: dict[str, Any]) -> GraphQLError | None:
    """Put the registered text of the request's id into `query`; an error when it cannot be.

    The id is removed, so what follows sees an ordinary request with a registered text.
    """
    named, raw = _requested_id(data)
    if not named:
        return None
    doc_id = normal_id(raw)
    if doc_id is None:
        return bad_id()
    data.pop("documentId", None)
    extensions = data.get("extensions")
    if isinstance(extensions, dict):
        extensions.pop("persistedQuery", None)
    query = data.get("query")
    if isinstance(query, str) and query:
        # A text sent with its id (Apollo's second try): it must be the id's text. Whether an
        # unregistered text may run is the guard's decision.
        return None if document_id(query) == doc_id else mismatch(doc_id)
    entry = Registry.documents.by_id.get(doc_id)
    if entry is None:
        return not_found(doc_id)
    data["query"] = entry.text
    if data.get("operationName") is None:
        data["operationName"] = entry.name
    return None


def lift_http(request: Request) -> JSONResponse | None:
    """A POST naming a document by id gets its text in place (or a 400 refusal)."""
    body: bytes | None = getattr(request, "_body", None)
    if request.method != "POST" or not body or not any(m in body for m in MARKERS):
        return None
    data = request.scope.get(JSON_KEY)  # decoded by the gate; changed in place below
    if not isinstance(data, dict):
        return None  # strawberry reports it
    error = resolve(data)
    if error is not None:
        return JSONResponse({"data": None, "errors": [error.formatted]}, status_code=400)
    request._body = orjson.dumps(data)
    return None


def lift_subscribe(message: Any) -> GraphQLError | None:
    """The same for a graphql-transport-ws `subscribe` message (its payload changed in place)."""
    payload = message.get("payload") if isinstance(message, dict) else None
    if not isinstance(payload, dict):
        return None
    return resolve(payload)
