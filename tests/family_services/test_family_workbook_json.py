"""The typed FamilyWorkbook prints the JSON the untyped WorkbookView printed, byte for byte:
the old assembly (as it stood before the records were typed) is kept here, and both are fed
the same verified versions - a family with every kind of record, a conflict, a sealed entry, a
deleted record, and versions a partner vouched for, with payload keys no type names."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from support.family_vault import FamilyVault
from workbook.services.authority import RecordVersion
from workbook.services.family.workbooks import Workbooks, _heads


def _old_item(wb: Workbooks, latest: RecordVersion, heads: list[RecordVersion],
              missing: set[str]) -> dict[str, Any]:
    def public(version: RecordVersion) -> dict[str, Any]:
        payload = dict(version.payload)
        if version.kind == "action" and "owner" in payload:
            payload["owner"] = wb.username(str(payload["owner"]))
        return payload

    item: dict[str, Any] = {"id": latest.record_id, "version": latest.version_id}
    item.update(public(latest))
    item["author"] = wb.username(latest.author)
    item["created_at"] = latest.created_at
    item["sealed"] = latest.sealed
    if latest.origin:
        item["from"] = wb._partner_team(latest.origin)
    item["conflict"] = len(heads) > 1
    if len(heads) > 1:
        item["heads"] = [
            {"version": h.version_id, **public(h), "author": wb.username(h.author),
             "created_at": h.created_at,
             **({"unaudited": True} if missing and h.version_id in missing else {})}
            for h in heads
        ]
    if missing and any(h.version_id in missing for h in heads):
        item["unaudited"] = True
    return item


def _old_assemble(wb: Workbooks, family_id: str, versions: list[RecordVersion],
                  readable: list[str], audited: set[str] | None) -> dict[str, Any]:
    heads = _heads(versions)
    missing = set() if audited is None else {v.version_id for v in versions} - audited
    family: dict[str, Any] = {"id": family_id}
    sections: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in readable}
    for _record_id, record_heads in sorted(heads.items()):
        latest = record_heads[-1]
        if latest.payload.get("deleted") and len(record_heads) == 1:
            continue
        item = _old_item(wb, latest, record_heads, missing)
        if latest.kind == "family":
            family.update({
                "name": latest.payload.get("name", ""),
                "reference": latest.payload.get("reference", ""),
                "status": latest.payload.get("status", "open"),
                "case_owner": wb.username(str(latest.payload.get("case_owner", ""))),
                # Added by issue 15: the owner by full name, beside the username.
                "case_owner_name": wb.full_name(str(latest.payload.get("case_owner", ""))),
                "conflict": len(record_heads) > 1,
            })
            if item.get("unaudited"):
                family["unaudited"] = True
            continue
        bucket = {"person": "persons", "action": "actions"}.get(latest.kind, "entries")
        sections.setdefault(latest.section, {}).setdefault(bucket, []).append(item)
    for content in sections.values():
        content.setdefault("entries", [])
        content["entries"].sort(key=lambda e: (e.get("date", ""), e["created_at"], e["id"]))
        if "persons" in content:
            content["persons"].sort(key=lambda p: (p.get("name", "").casefold(), p["id"]))
        if "actions" in content:
            content["actions"].sort(key=lambda a: (a.get("due", ""), a["id"]))
    return {"family": family, "sections": sections}


def _printed(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def _grow(fv: FamilyVault) -> None:
    """Every kind, a conflict, a correction, a deletion, a sealed entry and a review."""
    fid = fv.family_id
    with fv.sign_in("tm") as s:
        edited = s.families.add_entry(fid, "case-notes", "First reading", "2026-03-01", "note")
        s.families.edit_entry(edited, "First reading, corrected")
        gone = s.families.add_entry(fid, "case-notes", "Wrong family", "2026-03-02", "note")
        s.families.delete_entry(gone, "written in the wrong family")
        head = s.families.entry_history(fv.ids["note"])[-1]
        person = s.records.of_record(fv.ids["mother"])[-1]
        with s.write():
            for text in ("One reading", "Another reading"):
                s.records.write(family_id=fid, record_id=fv.ids["note"], kind="entry",
                                section="case-notes", parents=(head.version_id,),
                                payload={**head.payload, "text": text})
            for name in ("Anna Smith", "Anne Smith"):
                s.records.write(family_id=fid, record_id=fv.ids["mother"], kind="person",
                                section="household", parents=(person.version_id,),
                                payload={**person.payload, "name": name})
            s.records.write(family_id=fid, record_id="ab" * 16, kind="review",
                            section="supervision",
                            payload={"text": "Reviewed", "date": "2026-03-03",
                                     "type": "meeting", "session": "cd" * 16, "scaling": 6,
                                     "actions": [{"id": "", "text": "Call", "owner": "tm",
                                                  "due": "2026-04-01"}]})
    with fv.sign_in("sw1") as sw:
        sw.families.add_entry(fid, "police", "Seen by a neighbour", "2026-03-04", "call")


def _odd(versions: list[RecordVersion]) -> list[RecordVersion]:
    """The versions as a partner's bundle or an older release might have written them."""
    out = []
    for v in versions:
        payload = dict(v.payload)
        if v.kind == "person":
            payload.update({"sex": None, "shoe_size": "7", "parents": ["x", 3]})
        elif v.kind == "entry":
            payload.update({"significant": 1, "id": "not-the-id", "heads": "x"})
            payload.pop("date", None)
        elif v.kind == "action":
            payload.update({"owner": 42, "review": None})
        elif v.kind == "family":
            payload.update({"name": ["odd"], "status": None})
        out.append(dataclasses.replace(v, payload=payload, origin="ef" * 16))
    return out


@pytest.mark.parametrize("username", ["tm", "mh1", "pc1", "sw1"])
def test_family_workbook_json_is_what_the_untyped_view_printed(fv: FamilyVault,
                                                               username: str) -> None:
    _grow(fv)
    with fv.sign_in(username) as s:
        versions = s.records.of_family(fv.family_id)
        readable = [x.value for x in s.records.readable_sections()]
        audited = s.workbooks.audited(fv.family_id)
        audited -= {versions[0].version_id, versions[-1].version_id}
        opened = s.workbooks.open(fv.family_id, audit=False).to_json()
        assert _printed(opened) == _printed(
            _old_assemble(s.workbooks, fv.family_id, versions, readable,
                          s.workbooks.audited(fv.family_id)))
        for given in (versions, _odd(versions)):
            for in_log in (None, audited):
                new = s.workbooks._assemble(fv.family_id, given, readable, in_log).to_json()
                old = _old_assemble(s.workbooks, fv.family_id, given, readable, in_log)
                assert _printed(new) == _printed(old)
        if username == "tm":
            shown = json.dumps(opened)
            for key in ('"persons"', '"actions"', '"entries"', '"heads"', '"conflict": true'):
                assert key in shown
        if username == "pc1":
            assert '"sealed": true' in json.dumps(opened)
