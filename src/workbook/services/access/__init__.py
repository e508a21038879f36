"""Signing in, accounts, enrolment and the vault's own settings."""
