"""The `workbook` command line: administration and automation over the same services as the
GUI. Exit 0 on success; otherwise one specific line on stderr and a non-zero exit, never a
traceback. Passphrases come from the environment, a file or a prompt - never from argv."""

from workbook.cli.main import main

__all__ = ["main"]
