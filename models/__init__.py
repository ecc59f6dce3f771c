"""Tortoise models and the business rules, one folder per feature."""
