"""Abuse resistance: what a document may ask for before any resolver runs."""
