"""The abuse corpus, generated: deep nesting, alias floods, fragment bombs and cycles, token
floods, introspection and suggestion probes, oversize pages, costly and over-wide documents.

Each entry names the codes it may be refused with. Run against the production policy
(introspection and suggestions off).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

CONNECTIONS = (
    "cases",
    "alerts",
    "evaluations",
    "rectifications",
    "evaluationAppeals",
    "followUps",
    "notifications",
)
TYPOS = (
    "{ hals { code } }",
    "{ halls { cod } }",
    "{ halls { nmae } }",
    '{ cse(number: "1") { number } }',
    '{ case(number: "1") { statsu } }',
    '{ case(number: "1") { applicant { idNumbr } } }',
    '{ case(number: "1") { applicant { phon } } }',
    "{ me { usrname } }",
    "{ me { rol } }",
    '{ serviceItem(cde: "1") { code } }',
    '{ queueBoard(hallI: "x") { __typename } }',
    "{ caseses { totalCount } }",
    "{ cases(frist: 5) { totalCount } }",
    "{ cases { totalCont } }",
    "{ cases { nodes { numbr } } }",
    "{ alerts { nodes { levl } } }",
    "{ evaluation { __typename } }",
    "{ halls { departmnts { code } } }",
    '{ lane(hallId: "x") { code } }',
    '{ windws(hallId: "x") { code } }',
    'mutation { authLogn(input: {username: "a", password: "b"}) { __typename } }',
    "mutation { caseAcept(input: {}) { __typename } }",
    "mutation { userCreat(input: {}) { __typename } }",
    'subscription { hallBord(hallId: "x") { seq } }',
    '{ hall(code: "1") { nme } }',
)


@dataclass(frozen=True)
class Hostile:
    """One hostile document and the codes it may be refused with."""

    name: str
    query: str
    codes: frozenset[str]
    variables: dict[str, Any] = field(default_factory=dict)


def _one(name: str, query: str, *codes: str, variables: dict[str, Any] | None = None) -> Hostile:
    return Hostile(name, query, frozenset(codes), variables or {})


def deep_nesting() -> Iterator[Hostile]:
    """Fields nested past the depth limit, directly, through inline fragments and fragments."""
    for depth in range(13, 61):
        body = "parent { " * depth + "code" + " }" * depth
        yield _one(f"deep-{depth}", f"{{ halls {{ {body} }} }}", "QUERY_TOO_DEEP")
    for depth in range(13, 33):
        body = "parent { ... on Hall { " * depth + "code" + " } }" * depth
        yield _one(f"deep-inline-{depth}", f"{{ halls {{ {body} }} }}", "QUERY_TOO_DEEP")
    for depth in range(13, 33):
        fragments = " ".join(
            f"fragment D{i} on Hall {{ parent {{ ...D{i + 1} }} }}" for i in range(depth)
        )
        query = f"{{ halls {{ ...D0 }} }} {fragments} fragment D{depth} on Hall {{ code }}"
        yield _one(f"deep-fragments-{depth}", query, "QUERY_TOO_DEEP")


def alias_floods() -> Iterator[Hostile]:
    """Too many aliases, written out or amplified by fragments."""
    for count in (31, 40, 50, 64, 100, 128, 200, 256, 300, 400, 500, 600):
        body = " ".join(f"a{n}: __typename" for n in range(count))
        yield _one(f"aliases-{count}", f"{{ {body} }}", "TOO_MANY_ALIASES", "TOO_MANY_FIELDS")
    for count in (31, 50, 100, 150, 200):
        body = " ".join(f"h{n}: halls {{ code }}" for n in range(count))
        yield _one(f"aliased-lists-{count}", f"{{ {body} }}", "TOO_MANY_ALIASES", "TOO_MANY_TOKENS")
    for per_fragment in (2, 4, 8, 16, 30):
        for spreads in (2, 4, 8, 16, 32, 64, 128, 256):
            if per_fragment * spreads <= 30:
                continue
            aliases = " ".join(f"a{n}: __typename" for n in range(per_fragment))
            uses = " ".join("...A" for _ in range(spreads))
            query = f"{{ {uses} }} fragment A on Query {{ {aliases} }}"
            yield _one(
                f"fragment-aliases-{per_fragment}x{spreads}",
                query,
                "TOO_MANY_ALIASES",
                "TOO_MANY_FIELDS",
            )


def fragment_bombs() -> Iterator[Hostile]:
    """Chains of fragments each spreading the next several times: exponential when expanded."""
    for length in range(5, 45):
        fanout = 2 + length % 3
        spreads = " ".join("...F{next}" for _ in range(fanout))
        chain = " ".join(
            f"fragment F{i} on Query {{ {spreads.format(next=i + 1)} }}" for i in range(length)
        )
        query = f"{{ ...F0 }} {chain} fragment F{length} on Query {{ a: __typename b: __typename }}"
        yield _one(f"fragment-bomb-{length}x{fanout}", query, "TOO_MANY_ALIASES", "TOO_MANY_FIELDS")


def circular_fragments() -> Iterator[Hostile]:
    """Fragments that spread each other in a cycle."""
    for length in range(1, 21):
        names = [f"C{i}" for i in range(length)]
        fragments = " ".join(
            f"fragment {name} on Query {{ __typename ...{names[(i + 1) % length]} }}"
            for i, name in enumerate(names)
        )
        yield _one(f"cycle-{length}", f"{{ ...C0 }} {fragments}", "GRAPHQL_VALIDATION_FAILED")
    for length in range(1, 11):
        names = [f"H{i}" for i in range(length)]
        fragments = " ".join(
            f"fragment {name} on Hall {{ parent {{ ...{names[(i + 1) % length]} }} }}"
            for i, name in enumerate(names)
        )
        query = f"{{ halls {{ ...H0 }} }} {fragments}"
        yield _one(f"cycle-nested-{length}", query, "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_DEEP")


def token_floods() -> Iterator[Hostile]:
    """Documents past the token limit, made of names, punctuation, arguments and directives."""
    rng = random.Random(7)  # noqa: S311  (varied argument values, not secrets)
    for size in range(2001, 8001, 400):
        yield _one(f"tokens-names-{size}", "{ " + "__typename " * size + "}", "TOO_MANY_TOKENS")
    for size in range(700, 3000, 300):
        args = ", ".join(f'a{n}: "{rng.random()}"' for n in range(size))
        yield _one(f"tokens-arguments-{size}", f"{{ halls({args}) {{ code }} }}", "TOO_MANY_TOKENS")
    for size in range(700, 3000, 300):
        directives = " ".join("@include(if: true)" for _ in range(size))
        yield _one(f"tokens-directives-{size}", f"{{ __typename {directives} }}", "TOO_MANY_TOKENS")
    for size in range(2001, 5000, 500):
        query = "{ halls " + "{ parent " * size + "}" * size + " }"
        yield _one(f"tokens-nesting-{size}", query, "TOO_MANY_TOKENS", "GRAPHQL_PARSE_FAILED")


def too_many_fields() -> Iterator[Hostile]:
    """Wide documents: hundreds of fields without aliases (validation grows faster than linearly)."""
    for count in range(501, 1900, 70):
        body = "code " * count
        yield _one(f"wide-{count}", f"{{ halls {{ {body} }} }}", "TOO_MANY_FIELDS")


def introspection_probes() -> Iterator[Hostile]:
    """Introspection in production: plain, aliased, in fragments, in inline fragments."""
    probes = [
        "{ __schema { types { name } } }",
        "{ __schema { queryType { name } } }",
        "{ __schema { mutationType { fields { name } } } }",
        "{ __schema { subscriptionType { fields { name } } } }",
        "{ __schema { directives { name } } }",
        "query IntrospectionQuery { __schema { types { name kind fields { name } } } }",
        "{ s: __schema { types { name } } }",
        "{ ... on Query { __schema { types { name } } } }",
        "{ ...I } fragment I on Query { __schema { types { name } } }",
        "{ halls { code } __schema { types { name } } }",
    ]
    for name in (
        "Case",
        "Applicant",
        "User",
        "Query",
        "Mutation",
        "Hall",
        "Ticket",
        "Alert",
        "Evaluation",
        "Role",
    ):
        probes.append(f'{{ __type(name: "{name}") {{ name fields {{ name type {{ name }} }} }} }}')
        probes.append(f'{{ t: __type(name: "{name}") {{ enumValues {{ name }} }} }}')
    for index, query in enumerate(probes):
        yield _one(f"introspection-{index}", query, "INTROSPECTION_DISABLED")


def suggestion_probes() -> Iterator[Hostile]:
    """Misspelt names, hoping for "Did you mean ...?" hints."""
    for index, query in enumerate(TYPOS):
        yield _one(f"suggestion-{index}", query, "GRAPHQL_VALIDATION_FAILED")
    for index, query in enumerate(TYPOS[:15]):
        yield _one(
            f"suggestion-fragment-{index}",
            query.replace("{ ", "{ ... on Query { ", 1) + " }",
            "GRAPHQL_VALIDATION_FAILED",
        )


def oversize_pages() -> Iterator[Hostile]:
    """Pages past the limit, as literals, variables and variable defaults."""
    for connection in CONNECTIONS:
        for size in (101, 1000, 100_000, 2_147_483_647):
            yield _one(
                f"page-{connection}-{size}",
                f"{{ {connection}(first: {size}) {{ totalCount }} }}",
                "BAD_USER_INPUT",
            )
        yield _one(
            f"page-variable-{connection}",
            f"query($n: Int!) {{ {connection}(first: $n) {{ totalCount }} }}",
            "BAD_USER_INPUT",
            variables={"n": 500},
        )
        yield _one(
            f"page-default-{connection}",
            f"query($n: Int = 9999) {{ {connection}(first: $n) {{ totalCount }} }}",
            "BAD_USER_INPUT",
        )


def costly() -> Iterator[Hostile]:
    """Documents within the other limits whose cost passes the ceiling."""
    page = "cases(first: 100) { nodes { events { __typename } subtasks { __typename } suspensions { __typename } } }"
    for count in range(13, 31):
        body = " ".join(f"c{n}: {page}" for n in range(count))
        yield _one(f"costly-cases-{count}", f"{{ {body} }}", "QUERY_TOO_COMPLEX")
    for connection in CONNECTIONS[:5]:
        body = " ".join(
            f"p{n}: {connection}(first: 100) {{ nodes {{ __typename }} edges {{ node {{ __typename }} }} }}"
            for n in range(20)
        )
        yield _one(f"costly-{connection}", f"{{ {body} }}", "QUERY_TOO_COMPLEX")


def garbage() -> Iterator[Hostile]:
    """Documents that do not parse."""
    samples = [
        "{",
        "}",
        "{ halls { code }",
        "query query query",
        "{ halls(code: ) { code } }",
        "fragment on on on",
        '{ """ }',
        "{ halls { ... } }",
        "mutation { ! }",
        "subscription",
        "{ a: }",
        "{ $x }",
        "{ halls @ { code } }",
        "{ halls { code } } }",
        "query Q($x: ) { __typename }",
        "{ halls(: 1) }",
        "\x00",
        "{ 1 }",
        "[]",
        "{ halls { code !} }",
    ]
    for index, query in enumerate(samples):
        yield _one(f"garbage-{index}", query, "GRAPHQL_PARSE_FAILED")


def corpus() -> list[Hostile]:
    """Every hostile document."""
    return [
        *deep_nesting(),
        *alias_floods(),
        *fragment_bombs(),
        *circular_fragments(),
        *token_floods(),
        *too_many_fields(),
        *introspection_probes(),
        *suggestion_probes(),
        *oversize_pages(),
        *costly(),
        *garbage(),
    ]
