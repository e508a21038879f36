"""One read path for record versions (issue 13): only the records service opens a stored row.

`open_row` decrypts and verifies one version with no read rule; `Records.open_many` (and its
`open_each` / `open_pairs`) in services/family/records.py applies the rule and keeps the tag cache.
A feature that imported `open_row` itself would be a second read path, so any module under
src/workbook other than services/family/records.py and the authority package that names it fails
here, whether it imports the name (`from ... import _open_row`), reaches it as an attribute
(`authority._open_row`, `record_codec.open_row`) or imports the defining module.
"""

from __future__ import annotations

import ast

from test_import_boundaries import source_trees

ALLOWED = ("services/family/records.py", "services/authority/")
NAMES = {"open_row", "_open_row"}
CODEC = "workbook.services.authority.record_codec"


def open_row_uses(tree: ast.Module) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.extend((node.lineno, f"{node.module}.{alias.name}")
                         for alias in node.names if alias.name in NAMES
                         or (node.module == "workbook.services.authority"
                             and alias.name == "record_codec"))
            if node.module == CODEC:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names
                         if alias.name == CODEC)
        elif isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.append((node.lineno, f".{node.attr}"))
    return found


def test_the_walk_finds_the_one_reader() -> None:
    files = source_trees()
    assert open_row_uses(files["services/family/records.py"]), "the check no longer sees the reader"


def test_only_the_records_service_opens_a_stored_row() -> None:
    offenders = [
        f"{path}:{line} reaches {name}"
        for path, tree in source_trees().items() if not path.startswith(ALLOWED)
        for line, name in open_row_uses(tree)
    ]
    assert offenders == [], "open stored versions through session.records.open_many: " \
        + "; ".join(offenders)
