"""Sharing between teams: partners, identities, sending and receiving bundles."""
