"""Trusted documents: the registered operations, parsed and validated once, found by id or text.

A registered document is one named operation with the fragments it uses, printed canonically
(graphql-core's printer, so reformatting a .graphql file keeps its id). Its id is
`sha256:<hex of the SHA-256 of that text in UTF-8>`: the `documentId` of GraphQL over HTTP's
persisted documents, and (without the prefix) Apollo's `persistedQuery.sha256Hash`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from schema.limits.policy import QueryPolicy
from schema.limits.rules import document_errors

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_MISMATCH = "PERSISTED_QUERY_MISMATCH"
TRUSTED_DOCUMENTS_ONLY = "TRUSTED_DOCUMENTS_ONLY"
BAD_DOCUMENT_ID = "BAD_DOCUMENT_ID"

ID_PREFIX = "sha256:"
HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


class InvalidRegistry(Exception):
    """A registered document does not parse, is not valid against the schema, or is ambiguous."""


def document_id(text: str) -> str:
    """The id of a document text: `sha256:<hex>`."""
    return ID_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def normal_id(raw: object) -> str | None:
    """`sha256:<hex>` from a documentId or a bare hex hash (lower case), else None."""
    if not isinstance(raw, str):
        return None
    digest = raw.removeprefix(ID_PREFIX)
    return ID_PREFIX + digest if HEX_DIGEST.fullmatch(digest) else None


def not_found(raw_id: str) -> GraphQLError:
    """The error for an id that is not registered."""
    return GraphQLError(
        "未登记的查询文档（PersistedQueryNotFound），请发送已登记文档的 ID",
        extensions={"code": PERSISTED_QUERY_NOT_FOUND, "documentId": raw_id[:80]},
    )


def mismatch(raw_id: str) -> GraphQLError:
    """The error for a text sent with an id that is not its hash."""
    return GraphQLError(
        "查询文本与文档 ID 不符：ID 须为该文本的 SHA-256",
        extensions={"code": PERSISTED_QUERY_MISMATCH, "documentId": raw_id[:80]},
    )


def bad_id() -> GraphQLError:
    """The error for an id of the wrong shape."""
    return GraphQLError(
        "文档 ID 格式错误：应为 sha256:<64位十六进制>",
        extensions={"code": BAD_DOCUMENT_ID},
    )


def trusted_only(reason: str) -> GraphQLError:
    """The refusal of free text where only registered documents are accepted."""
    return GraphQLError(
        "只接受已登记的查询文档：请发送文档 ID（documentId）",
        extensions={"code": TRUSTED_DOCUMENTS_ONLY, "reason": reason},
    )


@dataclass(frozen=True)
class TrustedDocument:
    """One registered operation: its id, name, canonical text and parsed document."""

    id: str
    name: str
    text: str
    document: DocumentNode = field(compare=False, repr=False)


def _spreads(node: object) -> set[str]:
    found: set[str] = set()

    class Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            found.add(spread.name.value)

    visit(node, Collect())  # type: ignore[arg-type]
    return found


def operations_of(sources: Iterable[str]) -> dict[str, str]:
    """Each named operation of the sources, with the fragments it uses, as canonical text.

    Fragments are shared across the sources (a screen's file uses `fragments.graphql`).
    """
    operations: dict[str, OperationDefinitionNode] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    for source in sources:
        for definition in parse(source).definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise InvalidRegistry("登记的操作必须有名称")
                name = definition.name.value
                if name in operations:
                    raise InvalidRegistry(f"操作名重复：{name}")
                operations[name] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
    texts: dict[str, str] = {}
    for name, operation in sorted(operations.items()):
        needed: set[str] = set()
        todo = _spreads(operation)
        while todo:
            fragment = todo.pop()
            if fragment not in needed:
                if fragment not in fragments:
                    raise InvalidRegistry(f"{name} 使用了未定义的片段 {fragment}")
                needed.add(fragment)
                todo |= _spreads(fragments[fragment])
        parts = (operation, *(fragments[f] for f in sorted(needed)))
        texts[name] = print_ast(DocumentNode(definitions=parts))
    return texts


class TrustedDocuments:
    """The registry: documents by id and by text; validity per policy, computed once."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.by_id: dict[str, TrustedDocument] = {}
        self.by_text: dict[str, TrustedDocument] = {}
        for name, text in texts.items():
            entry = TrustedDocument(document_id(text), name, text, parse(text, no_location=True))
            self.by_id[entry.id] = entry
            self.by_text[text] = entry
        self._valid: dict[QueryPolicy, frozenset[str]] = {}

    @classmethod
    def from_sources(cls, sources: Iterable[str]) -> TrustedDocuments:
        """The registry of every named operation in the sources."""
        return cls(operations_of(sources))

    def __len__(self) -> int:
        return len(self.by_id)

    def manifest(self) -> dict[str, dict[str, str]]:
        """What clients ship: operation name -> id, and id -> text."""
        entries = sorted(self.by_id.values(), key=lambda e: e.name)
        return {
            "operations": {e.name: e.id for e in entries},
            "documents": {e.id: e.text for e in entries},
        }

    def is_valid(self, entry: TrustedDocument, schema: GraphQLSchema, policy: QueryPolicy) -> bool:
        """Whether the entry passed the limits and the spec rules under the policy."""
        valid = self._valid.get(policy)
        if valid is None:
            valid = self.prepare(schema, policy, strict=False)
        return entry.id in valid

    def prepare(
        self, schema: GraphQLSchema, policy: QueryPolicy, *, strict: bool = True
    ) -> frozenset[str]:
        """Validate every document once under the policy (strict: refuse an invalid one)."""
        valid: set[str] = set()
        for entry in self.by_id.values():
            errors = document_errors(schema, entry.document, policy)
            if not errors:
                valid.add(entry.id)
            elif strict:
                raise InvalidRegistry(f"登记的操作 {entry.name} 无效：{errors[0].message}")
        self._valid[policy] = frozenset(valid)
        return self._valid[policy]


class Registry:
    """The process's trusted documents (empty until the app installs them)."""

    documents = TrustedDocuments({})

    @classmethod
    def install(cls, documents: TrustedDocuments) -> None:
        """Make these the registered documents of the process."""
        cls.documents = documents
