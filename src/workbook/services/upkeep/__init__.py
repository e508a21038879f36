"""Keeping the vault: backups and restores, retention and disposal."""
