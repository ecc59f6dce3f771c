"""The access log: who saw unmasked personal data, when and why; append-only and hash-chained."""
