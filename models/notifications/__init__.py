"""Texts to applicants and staff: the outbox and its delivery."""
