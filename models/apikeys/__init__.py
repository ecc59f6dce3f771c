"""Third-party API keys: scoped, hall-bound, rate-limited, expiring, stored hashed."""
