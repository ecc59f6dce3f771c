"""The take-a-number queue: tickets, windows calling, appointments."""
