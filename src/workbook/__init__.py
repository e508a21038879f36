"""Workbook: an offline-first encrypted case workbook for multi-agency safeguarding teams."""

__version__ = "0.1.0"
