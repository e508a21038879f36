"""Text as a person reads it on paper: what practitioners paste from e-mails and chat tools often
carries Markdown (`**bold**`, `# headings`, `- lists`, `[links](...)`), which would print as
stray asterisks and hashes. The markup goes, the words, the line breaks and the order stay;
ISO dates typed into a note (2026-03-02) print in British order (02/03/2026), as every other
date on paper does."""

from __future__ import annotations

import re

from workbook.domain.display import uk_date

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"
                       r"|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"!?\[([^\]\n]+)\]\(([^)\s]+)\)")
_ISO = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")


def plain(text: str) -> str:
    """`text` without Markdown markup, each line kept; ISO dates in British order."""
    return "\n".join(_line(line) for line in text.splitlines())


def _line(line: str) -> str:
    if _RULE.match(line):
        return ""
    line = _QUOTE.sub("", line)
    line = _HEADING.sub("", line)
    line = _BULLET.sub(lambda m: m.group(1) + "\u2022 ", line)
    line = _LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2)
                     else f"{m.group(1)} ({m.group(2)})", line)
    line = _CODE.sub(r"\1", line)
    line = _STRONG.sub(r"\2", line)
    line = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line)
    return _ISO.sub(lambda m: uk_date(m.group(0)), line)
