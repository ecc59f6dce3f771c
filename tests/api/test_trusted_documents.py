"""Trusted documents over HTTP: sent by id, parsed and validated once, and every refusal."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from api import trusted_documents
from api.graphql_view import HallGraphQL
from models.accounts.tables import Role, User
from models.apikeys.actions import create_key
from models.apikeys.rules import KeyDraft
from models.common.limits import RedisRateLimiter
from schema.limits import guard, rules
from schema.limits.policy import DEFAULT_POLICY, QueryPolicy
from schema.schema import schema
from schema.trusted import InvalidRegistry, TrustedDocuments, document_id
from tests import factories as f
from tests.conftest import ResolverCalls, Servers
from tests.operations import TOKENS, document, run

REGISTRY = trusted_documents.install(schema._schema, DEFAULT_POLICY)
IDS = REGISTRY.manifest()["operations"]
FREE_TEXT = "query FreeText($c: String!) { hall(code: $c) { name } }"


@pytest.fixture
async def hall(db: Servers) -> dict[str, Any]:
    """A hall with a supervisor, an administrator and an APP account."""
    hall = await f.hall("JN")
    supervisor, _ = await f.user("jnsuper", Role.SUPERVISOR, of=hall)
    _, admin = await f.user("jnadmin", Role.ADMIN, of=hall)
    app, _ = await f.user("busapp", Role.APP, of=hall)
    return {"hall": hall, "supervisor": supervisor, "admin": admin, "app": app}


async def _key(world: dict[str, Any], *, trusted_only: bool, per_minute: int = 60) -> str:
    draft = KeyDraft(
        "候车屏",
        ("hall", "queueBoard", "serviceItems"),
        per_minute,
        datetime.now(UTC) + timedelta(days=1),
        trusted_documents_only=trusted_only,
    )
    _, text = await create_key(
        world["admin"],
        world["app"].id,
        None,
        draft,
        known_scopes={"hall", "queueBoard", "serviceItems"},
        pepper=TOKENS.api_key_pepper,
        now=datetime.now(UTC),
    )
    return text


def _bearer(user: User) -> str:
    return TOKENS.issue(user, datetime.now(UTC))[0]


async def _post(
    body: dict[str, Any],
    token: str | None = None,
    *,
    policy: QueryPolicy = DEFAULT_POLICY,
    limiter: RedisRateLimiter | None = None,
) -> httpx.Response:
    view = HallGraphQL(schema, TOKENS, dev=False, policy=policy)
    view.limiter = limiter
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=view)
    async with httpx.AsyncClient(transport=transport, base_url="http://hall") as client:
        return await client.post("/", json=body, headers=headers)


def _code(response: httpx.Response) -> str:
    body = response.json()
    assert body["data"] is None, body
    return str(body["errors"][0]["extensions"]["code"])


async def test_a_registered_document_runs_by_id_in_either_convention(
    hall: dict[str, Any],
) -> None:
    token = _bearer(hall["supervisor"])
    variables = {"c": "JN"}
    by_id = await _post({"documentId": IDS["BoardPageHall"], "variables": variables}, token)
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["data"] == {
        "hall": {"id": to_base64("Hall", hall["hall"].id), "name": "JN政务服务中心"}
    }
    assert by_id.json()["extensions"]["cost"]["requested"] >= 1  # limits and budget still apply
    apollo = {"persistedQuery": {"version": 1, "sha256Hash": IDS["BoardPageHall"][7:]}}
    by_hash = await _post({"extensions": apollo, "variables": variables}, token)
    assert by_hash.json()["data"] == by_id.json()["data"]
    # The text with its own id (Apollo's second try) is the same document.
    text = REGISTRY.by_id[IDS["BoardPageHall"]].text
    both = await _post({"query": text, "documentId": IDS["BoardPageHall"], "variables": variables})
    assert both.json()["data"] == {"hall": None}  # anonymous: no hall is visible


async def test_registered_documents_skip_parsing_and_validation(
    hall: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[object] = []
    original = rules.document_errors  # what guard calls

    def counting(*args: Any) -> Any:
        validated.append(args[1])
        return original(*args)

    def no_parse(*_: Any, **__: Any) -> Any:
        raise AssertionError("a registered document was parsed")

    monkeypatch.setattr(guard, "document_errors", counting)
    token = _bearer(hall["supervisor"])
    with monkeypatch.context() as patched:
        patched.setattr(guard, "parse", no_parse)
        patched.setattr("strawberry.schema.schema.parse", no_parse)
        for _ in range(2):
            ok = await _post({"documentId": IDS["BoardPageHall"], "variables": {"c": "JN"}}, token)
            assert ok.json()["data"]["hall"]["name"] == "JN政务服务中心"
    assert validated == []
    fresh = FREE_TEXT.replace("FreeText", f"FreeText{secrets.token_hex(4)}")
    free = await _post({"query": fresh, "variables": {"c": "JN"}}, token)
    assert free.json()["data"] == {"hall": {"name": "JN政务服务中心"}}
    assert len(validated) == 1  # free text is validated (then cached)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"documentId": "sha256:" + "0" * 64}, 400, "PERSISTED_QUERY_NOT_FOUND"),
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
            400,
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        ({"documentId": "md5:abc"}, 400, "BAD_DOCUMENT_ID"),
        ({"documentId": 42}, 400, "BAD_DOCUMENT_ID"),
        ({"documentId": "sha256:" + "A" * 64}, 400, "BAD_DOCUMENT_ID"),
        ({"documentId": None}, 400, "BAD_DOCUMENT_ID"),
        # A text sent with another document's id.
        ({"query": FREE_TEXT, "documentId": IDS["BoardPageHall"]}, 400, "PERSISTED_QUERY_MISMATCH"),
        (
            {"query": "{ me { username } }", "documentId": document_id("{ __typename }")},
            400,
            "PERSISTED_QUERY_MISMATCH",
        ),
        # A registered document with bad variables: refused before any resolver.
        ({"documentId": IDS["BoardPageHall"]}, 200, "BAD_USER_INPUT"),
        ({"documentId": IDS["BoardPageHall"], "variables": {"c": 5}}, 200, "BAD_USER_INPUT"),
        ({"documentId": IDS["ServiceItems"], "variables": {"first": 1000}}, 200, "BAD_USER_INPUT"),
        ({"documentId": IDS["Cases"], "variables": {"first": "x"}}, 200, "BAD_USER_INPUT"),
    ],
)
async def test_refused_ids_and_variables_run_no_resolver(
    hall: dict[str, Any],
    resolver_calls: type[ResolverCalls],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = await _post(body, _bearer(hall["supervisor"]))
    assert response.status_code == status, response.text
    assert _code(response) == code
    assert resolver_calls.calls == 0


async def test_registered_documents_keep_the_cost_limit(hall: dict[str, Any]) -> None:
    cheap = QueryPolicy(max_cost=5)
    refused = await _post(
        {"documentId": IDS["ServiceItems"], "variables": {"first": 100}},
        _bearer(hall["supervisor"]),
        policy=cheap,
    )
    assert _code(refused) == "QUERY_TOO_COMPLEX"


async def test_a_trusted_only_key_is_refused_free_text(
    hall: dict[str, Any], resolver_calls: type[ResolverCalls], limiter: RedisRateLimiter
) -> None:
    restricted = await _key(hall, trusted_only=True, per_minute=2)
    for body in (
        {"query": FREE_TEXT, "variables": {"c": "JN"}},
        {"query": "{ __typename }"},
        {"query": "{ nonsense"},  # refused before it is parsed
    ):
        refused = await _post(body, restricted, limiter=limiter)
        error = refused.json()["errors"][0]
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
            "TRUSTED_DOCUMENTS_ONLY",
            "API_KEY",
        ), body
    assert resolver_calls.calls == 0
    variables = {"h": to_base64("Hall", hall["hall"].id)}
    by_id = await _post(
        {"documentId": IDS["BoardPageSnapshot"], "variables": variables},
        restricted,
        limiter=limiter,
    )
    assert by_id.json()["data"]["queueBoard"]["seq"] == 0
    # The registered text itself is the registered document, whichever way it comes.
    as_text = REGISTRY.by_id[IDS["BoardPageSnapshot"]].text
    same = await _post({"query": as_text, "variables": variables}, restricted, limiter=limiter)
    assert same.json()["data"] == by_id.json()["data"]
    # Scopes and the key's rate still hold for registered documents.
    over = await _post(
        {"documentId": IDS["BoardPageSnapshot"], "variables": variables},
        restricted,
        limiter=limiter,
    )
    assert _code(over) == "THROTTLED"
    out_of_scope = await _post({"documentId": IDS["Me"]}, restricted)
    assert (out_of_scope.json()["errors"][0]["extensions"]["reason"]) == "OUT_OF_SCOPE"
    unrestricted = await _key(hall, trusted_only=False)
    free = await _post({"query": FREE_TEXT, "variables": {"c": "JN"}}, unrestricted)
    assert free.json()["data"] == {"hall": {"name": "JN政务服务中心"}}


async def test_a_server_may_accept_registered_documents_only(
    hall: dict[str, Any], resolver_calls: type[ResolverCalls], limiter: RedisRateLimiter
) -> None:
    only = QueryPolicy(trusted_documents_only=True, introspection=False, suggestions=False)
    token = _bearer(hall["supervisor"])
    refused = await _post({"query": FREE_TEXT, "variables": {"c": "JN"}}, token, policy=only)
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "TRUSTED_DOCUMENTS_ONLY",
        "reason": "SERVER",
    }
    anonymous = await _post({"query": "{ __schema { types { name } } }"}, policy=only)
    assert _code(anonymous) == "TRUSTED_DOCUMENTS_ONLY"
    assert resolver_calls.calls == 0
    ok = await _post(
        {"documentId": IDS["BoardPageHall"], "variables": {"c": "JN"}}, token, policy=only
    )
    assert ok.json()["data"]["hall"]["name"] == "JN政务服务中心"
    login = await _post(
        {
            "documentId": IDS["Login"],
            "variables": {"input": {"username": "jnsuper", "password": "wrong-password"}},
        },
        policy=only,
        limiter=limiter,
    )
    assert login.json()["data"]["authLogin"]["__typename"] == "InvalidCredentialsError"


async def test_keys_are_created_trusted_only_through_the_api(hall: dict[str, Any]) -> None:
    created = await run(
        "ApiKeyCreate",
        {
            "input": {
                "userId": to_base64("User", hall["app"].id),
                "name": "只读屏",
                "scopes": ["queueBoard"],
                "expiresAt": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
                "trustedDocumentsOnly": True,
            }
        },
        actor=hall["admin"],
    )
    assert created["data"]["apiKeyCreate"]["apiKey"]["trustedDocumentsOnly"] is True
    session = await TOKENS.session("Bearer " + created["data"]["apiKeyCreate"]["secret"])
    assert session is not None
    assert session.api_key is not None
    assert session.api_key.trusted_documents_only
    listed = await run("ApiKeys", actor=hall["admin"])
    assert [k["trustedDocumentsOnly"] for k in listed["data"]["apiKeys"]] == [True]


def test_every_screen_operation_and_page_document_is_registered() -> None:
    names = set(IDS)
    assert {"BoardPageLogin", "BoardPageHall", "BoardPageSnapshot", "BoardPageEvents"} <= names
    assert "RatingPageSubmit" in names
    for name in ("Login", "QueueBoard", "HallBoard", "CaseDetail", "ServiceItems"):
        entry = REGISTRY.by_id[IDS[name]]
        assert entry.text == document(name)  # the text the contract tests send
        assert entry.id == document_id(entry.text)


def test_the_committed_manifest_is_current() -> None:
    manifest = Path(__file__).resolve().parents[2] / "frontend-contract/trusted-documents.json"
    assert manifest.read_text(encoding="utf-8") == trusted_documents.manifest_text(REGISTRY), (
        "frontend-contract/trusted-documents.json is out of date: run `hall schema documents`"
    )


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (["query A { nope }"], "无效"),
        (["query A { halls { code } }", "query A { me { username } }"], "重复"),
        (["{ halls { code } }"], "名称"),
        (["query A { halls { ...Missing } }"], "未定义"),
        (["query A { __schema { types { name } } }"], "内省"),
    ],
)
def test_an_invalid_registry_stops_the_start(sources: list[str], message: str) -> None:
    with pytest.raises(InvalidRegistry, match=message):
        TrustedDocuments.from_sources(sources).prepare(
            schema._schema, QueryPolicy(introspection=False)
        )
