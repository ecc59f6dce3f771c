"""Cases (办件): applications from acceptance to result."""
