"""The one way the bundle reader says no: a specific sentence, safe to show, never content."""

from __future__ import annotations


class BundleRefused(Exception):
    """The bundle failed a check; nothing was decrypted after the failing check, nothing stored."""
