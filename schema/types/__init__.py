"""GraphQL object types, built from table rows."""
