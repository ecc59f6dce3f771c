"""Fakes at the edge of the world: real servers on loopback."""
