"""The schema's migrations, and what later ones read back from earlier ones."""

from importlib import import_module


def replaced_function(migration: str, name: str) -> str:
    """The CREATE FUNCTION of `name` an earlier migration ran, as CREATE OR REPLACE: what a
    migration that redefines the function puts back when it is reversed."""
    earlier = import_module(f"models.migrations.{migration}").Migration
    stored = [s for op in earlier.operations if hasattr(op, "sql") for s in op.sql]
    heads = (f"CREATE FUNCTION {name}()", f"CREATE OR REPLACE FUNCTION {name}()")
    found = next(s for s in stored if s.startswith(heads))
    return found.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
