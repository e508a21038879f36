"""The sharing commands: identity, partners, share and receive (docs/bundle-format.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from workbook.cli.context import CliContext, Handler
from workbook.cli.file_args import output_path
from workbook.cli.grammar import Grammar
from workbook.domain.sequence_gaps import listed
from workbook.services.errors import InvalidInput
from workbook.services.sharing.partners import read_card_file
from workbook.services.sharing.sending import CONSENTS


def add_arguments(grammar: Grammar) -> None:
    identity = grammar.group("identity", "the vault's sharing identity (its card and fingerprint)")
    p = grammar.sub(identity, "show", "show the vault id, team and the fingerprint to read out")
    p = grammar.sub(identity, "export", "write the identity card for a partner to pin")
    p.add_argument("--out", required=True, help="the card file to write")

    partner = grammar.group("partner", "partners: other vaults whose bundles this vault accepts")
    p = grammar.sub(partner, "add", "pin a partner from its identity card")
    p.add_argument("file", help="the partner's identity card file")
    p.add_argument("--fingerprint", required=True,
                   help="the fingerprint the partner read to you (spaces and hyphens ignored)")
    grammar.sub(partner, "list", "list partners")
    p = grammar.sub(partner, "remove", "stop accepting bundles from a partner")
    p.add_argument("partner", help="the partner's vault id or team name")

    p = grammar.sub(grammar.top, "share", "write a signed, encrypted bundle for a partner")
    p.add_argument("--to", required=True, help="the partner's vault id or team name")
    p.add_argument("--family", action="append", required=True, help="a family id (repeatable)")
    p.add_argument("--sections", required=True,
                   help="comma-separated sections to share (only sections you can read)")
    p.add_argument("--purpose", required=True)
    p.add_argument("--lawful-basis", required=True)
    p.add_argument("--consent", required=True, choices=CONSENTS)
    p.add_argument("--reason", default="", help="why consent was refused or not sought")
    p.add_argument("--notes", default="")
    p.add_argument("--concern", default="",
                   help="a concern whose step 6 this share completes (its id)")
    p.add_argument("--out", required=True, help="the bundle file to write")

    p = grammar.sub(grammar.top, "receive", "verify, preview and apply a bundle from a partner")
    p.add_argument("file", help="the bundle file")
    p.add_argument("--dry-run", action="store_true",
                   help="verify and show what would change, change nothing")


def cmd_identity_show(ctx: CliContext) -> None:
    shown = ctx.ready_session().identity.show()
    ctx.out(f"Vault {shown['vault_id']} ({shown['team']})\nFingerprint: {shown['fingerprint']}",
            shown)


def cmd_identity_export(ctx: CliContext) -> None:
    out = output_path(ctx.args.out)
    card = ctx.ready_session().identity.export(out)
    ctx.out(f"Identity card written to {out}. Read this fingerprint to the partner by phone:"
            f"\n\n    {card.fingerprint}\n",
            {"vault_id": card.vault_id, "team": card.team, "fingerprint": card.fingerprint,
             "out": str(out)})


def cmd_partner_add(ctx: CliContext) -> None:
    data = read_card_file(ctx.args.file)
    partner = ctx.ready_session().partners.add(data, ctx.args.fingerprint)
    ctx.out(f"Partner added: {partner.team} ({partner.vault_id}).", partner.to_json())


def cmd_partner_list(ctx: CliContext) -> None:
    partners = ctx.ready_session().partners.all()
    lines = [f"{p.team}  {p.vault_id}  {p.fingerprint}" + ("  (removed)" if p.removed else "")
             for p in partners]
    ctx.out("\n".join(lines) or "No partners yet.", [p.to_json() for p in partners])


def cmd_partner_remove(ctx: CliContext) -> None:
    partner = ctx.ready_session().partners.remove(ctx.args.partner)
    ctx.out(f"Partner removed: {partner.team}. Its bundles are refused from now on.",
            partner.to_json())


def cmd_share(ctx: CliContext) -> None:
    a = ctx.args
    out = output_path(a.out)
    sharing = ctx.ready_session().sharing
    sections = [s.strip() for s in a.sections.split(",") if s.strip()]
    if not sections:
        raise InvalidInput("choose at least one section to share (--sections)")
    decision = sharing.decide(partner=a.to, families=list(a.family), sections=sections,
                              purpose=a.purpose, lawful_basis=a.lawful_basis, consent=a.consent,
                              reason=a.reason, notes=a.notes, concern=a.concern)
    result = sharing.share(decision, Path(out))
    ctx.out(f"Shared {result.versions} version(s) of {len(result.families)} family(ies) with "
            f"{result.team}: {out} (bundle {result.bundle_id}, number {result.sequence}).",
            result.to_json())


def cmd_receive(ctx: CliContext) -> None:
    path = Path(ctx.args.file).expanduser()
    receiving = ctx.ready_session().receiving
    result = receiving.receive(path, dry_run=ctx.args.dry_run)
    data = result.to_json()
    if result.already_received:
        ctx.out(f"Already received: bundle {result.bundle_id} from {result.team} changed "
                "nothing.", data)
        return
    verb = "Would add" if ctx.args.dry_run else "Added"
    lines = [f"Bundle {result.bundle_id} from {result.team} (number {result.sequence}) "
             "verified.",
             f"{verb} {len(result.new)} new record(s) and changes to {len(result.changed)}; "
             f"{len(result.conflicts)} in conflict; {result.known_versions} version(s) were "
             "already here."]
    for conflict in result.conflicts:
        lines.append(f"  conflict: {conflict['kind']} {conflict['record']} in family "
                     f"{conflict['family']}")
    if result.missing_sequences:
        lines.append("Bundles not received yet from this partner: numbers "
                     + listed(result.missing_sequences, result.missing_count))
    if ctx.args.dry_run:
        lines.append("Dry run: nothing was changed.")
    ctx.out("\n".join(lines), data)
    if result.missing_sequences and not ctx.json:
        print("workbook: note: earlier bundles from this partner have not arrived; they can "
              "still be received in any order", file=sys.stderr)


COMMANDS: dict[str, Handler] = {
    "identity show": cmd_identity_show,
    "identity export": cmd_identity_export,
    "partner add": cmd_partner_add,
    "partner list": cmd_partner_list,
    "partner remove": cmd_partner_remove,
    "share": cmd_share,
    "receive": cmd_receive,
}
