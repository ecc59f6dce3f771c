"""Hostile documents: each must be refused with a stable code before any resolver runs."""
