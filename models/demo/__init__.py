"""A realistic demo city hall for newcomers and screens."""
