"""The audit trail: reading, verifying and completing it."""
