"""Opening a family workbook: everything the signed-in person may read, verified, in a
deterministic shape that the CLI prints as JSON and the GUI shows. Reading a restricted section
is audited once per family opened, with the section's name sealed to that section (P7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbook.services import validation
from workbook.services.errors import NotFound
from workbook.services.families import heads_of
from workbook.services.read_audit import audit_restricted_reads
from workbook.services.record_codec import RecordVersion
from workbook.services.session import Session
from workbook.vault import accounts, version_store


@dataclass
class WorkbookView:
    """A family as one person may see it: plain data, no Qt, no SQL."""

    family_id: str
    family: dict[str, Any]
    sections: dict[str, dict[str, list[dict[str, Any]]]]

    def to_json(self) -> dict[str, Any]:
        return {"family": self.family, "sections": self.sections}


class Workbooks:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._names: dict[str, str] | None = None

    def username(self, user_id: str) -> str:
        if self._names is None:
            self._names = {u.user_id: u.username for u in accounts.all_users(self.s.conn)}
        return self._names.get(user_id, user_id)

    def open(self, family_id: str, *, audit: bool = True) -> WorkbookView:
        family_id = validation.record_id(family_id, "family id")
        self.s.require_practitioner()
        if not version_store.family_exists(self.s.conn, family_id):
            raise NotFound(f"no family {family_id} in this vault")
        versions = self.s.records.of_family(family_id)
        readable = [s.value for s in self.s.records.readable_sections()]
        view = self._assemble(family_id, versions, readable)
        if audit:
            self._audit_reads(family_id, versions)
        return view

    def _assemble(
        self, family_id: str, versions: list[RecordVersion], readable: list[str]
    ) -> WorkbookView:
        heads = heads_of(versions)
        family: dict[str, Any] = {"id": family_id}
        sections: dict[str, dict[str, list[dict[str, Any]]]] = {s: {} for s in readable}
        for _record_id, record_heads in sorted(heads.items()):
            latest = record_heads[-1]
            if latest.payload.get("deleted") and len(record_heads) == 1:
                continue
            item = self._item(latest, record_heads)
            if latest.kind == "family":
                family.update({
                    "name": latest.payload.get("name", ""),
                    "reference": latest.payload.get("reference", ""),
                    "status": latest.payload.get("status", "open"),
                    "case_owner": self.username(str(latest.payload.get("case_owner", ""))),
                    "conflict": len(record_heads) > 1,
                })
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
        return WorkbookView(family_id, family, sections)

    def _item(self, latest: RecordVersion, heads: list[RecordVersion]) -> dict[str, Any]:
        item: dict[str, Any] = {"id": latest.record_id, "version": latest.version_id}
        item.update(self._public_payload(latest))
        item["author"] = self.username(latest.author)
        item["created_at"] = latest.created_at
        item["sealed"] = latest.sealed
        if latest.origin:
            item["from"] = self._partner_team(latest.origin)
        item["conflict"] = len(heads) > 1
        if len(heads) > 1:
            item["heads"] = [
                {"version": h.version_id, **self._public_payload(h),
                 "author": self.username(h.author), "created_at": h.created_at}
                for h in heads
            ]
        return item

    def _partner_team(self, vault_id: str) -> str:
        """"From <team>" for versions a partner vouched for (docs/bundle-format.md)."""
        if not hasattr(self, "_teams"):
            from workbook.services.partners import load_partners

            self._teams = {p.vault_id: p.team for p in load_partners(self.s).values()}
        return self._teams.get(vault_id, vault_id)

    def _public_payload(self, version: RecordVersion) -> dict[str, Any]:
        payload = dict(version.payload)
        if version.kind == "action" and "owner" in payload:
            payload["owner"] = self.username(str(payload["owner"]))
        return payload

    def _audit_reads(self, family_id: str, versions: list[RecordVersion]) -> None:
        with self.s.write():
            self.s.trust.verified.flush(self.s.conn)
            self.s.audit("family_opened", {"family": family_id})
            audit_restricted_reads(self.s, family_id, (v.section for v in versions))
