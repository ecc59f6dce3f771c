"""What every feature shares: the error base, actors, pagination and masking."""
