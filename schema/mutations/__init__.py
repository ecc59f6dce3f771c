"""Mutations, one module per noun; each takes `input` and returns a union with UserError members."""
