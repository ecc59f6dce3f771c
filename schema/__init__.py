"""The GraphQL adapter: types, queries, mutations, subscriptions, loaders, errors."""
