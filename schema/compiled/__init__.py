"""Compiled execution: operations seen before run a cached plan instead of graphql-core's walk.

graphql-core's executor looks up every field, its resolver, its return type and its collected
sub-selections again for every object it completes (a list of 50 cases walks the same
selection 50 times). The plan does those look-ups once per (document, operation, @skip/@include
outcome) and keeps, per field, what the walk would find: the field, its resolver, a completer
for its return-type chain, constant arguments, the merged field nodes and sub-plans per runtime
type. Running a plan mirrors graphql-core step by step (same errors, null propagation, key
order and concurrency shape); anything it does not plan for runs on graphql-core unchanged.
"""

from schema.compiled.executor import CompiledExecutor

__all__ = ["CompiledExecutor"]
