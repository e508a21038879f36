"""A Session is one signed-in person on one vault (STYLE.md, "What we take" 2).

It holds the keys that person unlocked and the open connection, and hangs the use-case
managers off itself (`session.families`, `session.entries`, ...). The GUI keeps exactly one;
the CLI makes one per command. `lock()` drops every key and closes the connection."""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.crypto.symmetric import wrap
from workbook.domain.acts import REFUSALS, Act, may
from workbook.domain.policy import Policy
from workbook.domain.roles import Role
from workbook.services.access.slot_changes import kek_opens
from workbook.services.authority import SectionKeys, Trust
from workbook.services.clock import Clock, stamp
from workbook.services.errors import NotPermitted, PassphraseMustBeReplaced
from workbook.services.events import EventBus
from workbook.vault import audit_log
from workbook.vault.accounts import UserRow
from workbook.vault.database import DESKTOP_CACHE_KIB, Connection, set_cache, transaction
from workbook.vault.keyfile import KeyFile, KeyFileBody, kek_wrap_ad

if TYPE_CHECKING:
    from workbook.services.access.accounts import Accounts
    from workbook.services.audit.trail import AuditTrail
    from workbook.services.authority import Grants, Membership
    from workbook.services.family.abstraction import Abstractions
    from workbook.services.family.case_owner import CaseOwners
    from workbook.services.family.concerns import Concerns
    from workbook.services.family.families import Families
    from workbook.services.family.records import Records
    from workbook.services.family.workbooks import Workbooks
    from workbook.services.front_door.referrals import Referrals
    from workbook.services.printing import Printing
    from workbook.services.replicas import Replicas
    from workbook.services.sharing.consents import Consents
    from workbook.services.sharing.identity import Identity
    from workbook.services.sharing.partners import Partners
    from workbook.services.sharing.receiving import Receiving
    from workbook.services.sharing.sending import Sharing
    from workbook.services.sharing.transfers import Transfers
    from workbook.services.supervision.outcomes import Outcomes
    from workbook.services.upkeep.closing_attestations import ClosingAttestations
    from workbook.services.upkeep.retention import Retention


def device_id() -> str:
    """A stable, non-identifying label for this OS account on this PC, stored on versions."""
    raw = f"{socket.gethostname()}|{getpass.getuser()}".encode()
    return hashlib.sha256(raw).hexdigest()[:12]


@dataclass
class Session:
    """Everything one signed-in person has unlocked. Never printed: repr hides it."""

    vault_dir: Path
    vault_id: str
    conn: Connection
    clock: Clock
    device_secret: Secret
    vault_key: Secret
    kek: Secret
    user: UserRow
    keypair: KeyPair | None
    audit_key: KeyPair
    trust: Trust
    keys: SectionKeys
    policy: Policy
    device: str = field(default_factory=device_id)
    warnings: list[str] = field(default_factory=list)
    announcements: list[str] = field(default_factory=list)
    events: EventBus = field(default_factory=EventBus)
    remember_heads: bool = True  # False once a sign-in was refused: nothing is recorded
    log_heads_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    reset_failures_of: str | None = None  # the username whose counted attempt succeeded
    _closed: bool = False
    _write_depth: int = 0
    _role: Role | None = None
    _role_read: bool = False
    _managers: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Session(user={self.user.username!r}, vault={self.vault_id!r})"

    # --- identity and rules ----------------------------------------------------------------
    @property
    def role(self) -> Role:
        """The role from the signed membership log, never the users table (which anyone signed
        in can rewrite). No signed role reads as the administrator's, which reads and writes no
        case record; `may` and `require` grant such a person no act at all."""
        return self.signed_role or Role.ADMIN

    @property
    def signed_role(self) -> Role | None:
        if not self._role_read:
            self._role = self.membership().role_of(self.user_id)
            self._role_read = True
        return self._role

    def signed_logs_changed(self) -> None:
        """Signed logs arrived from another replica: read the role again at the next act."""
        self._role_read = False

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def must_replace_passphrase(self) -> bool:
        return self.user.status == "initial"

    def require_ready(self) -> None:
        """An initial passphrase may be used for one thing only: replacing it."""
        if self.must_replace_passphrase:
            raise PassphraseMustBeReplaced(
                "replace your initial passphrase first (workbook passphrase change)"
            )

    def require_keys(self) -> KeyPair:
        self.require_ready()
        if self.keypair is None:  # pragma: no cover - active accounts always have keys
            raise PassphraseMustBeReplaced("this account has no keys yet")
        return self.keypair

    def may(self, act: Act) -> bool:
        """Whether my signed role may do `act` (domain/acts.py); for what a screen offers."""
        return may(self.signed_role, act)

    def require(self, act: Act, refusal: str | None = None) -> None:
        """Refuse, with the act's own sentence (or `refusal`, where a call site names more),
        unless my signed role may do `act`."""
        if not may(self.signed_role, act):
            raise NotPermitted(refusal or REFUSALS[act])

    def require_practitioner(self) -> KeyPair:
        keypair = self.require_keys()
        self.require(Act.CASEWORK)
        return keypair

    def membership(self) -> Membership:
        from workbook.services.authority import load_membership

        return load_membership(self.conn, self.vault_id, self.trust)

    def require_certified(self) -> KeyPair:
        """Acts that others must be able to trust (managing accounts, changing the policy)
        need keys a holder or the recovery key has approved."""
        keypair = self.require_keys()
        current = self.trust.current_key(self.user_id)
        if current is None or current.raw != keypair.public.raw:
            raise NotPermitted(
                "your keys have not been approved yet: ask the vault owner to approve you "
                f"(workbook keys approve {self.user.username} --fingerprint ...)"
            )
        return keypair

    def require_account_manager(self) -> None:
        from workbook.services.authority import may_administer

        self.require_keys()
        if not may_administer(self.conn, self.vault_id, self.trust, self.membership(),
                              self.user_id):
            raise NotPermitted("only the vault owner, or an administrator the owner approved, "
                               "manages accounts")
        self.require_certified()

    def now(self) -> str:
        return stamp(self.clock())

    # --- audit -----------------------------------------------------------------------------
    def audit(
        self, event: str, ids: Mapping[str, object] | None = None, detail: bytes | None = None,
        *, versions: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Append an audit event inside the caller's transaction. An event that wrote many
        versions (a received bundle) names them as (family id, version id) `versions`."""
        signer_keys = self.keypair if self.keypair is not None else self.audit_key
        audit_log.append(
            self.conn,
            at=self.now(),
            user_id=self.user_id,
            event=event,
            ids=dict(ids or {}),
            detail=detail,
            signer=self.user_id if self.keypair is not None else "vault",
            sign=signer_keys.sign,
            versions=versions,
        )

    @contextmanager
    def write(self) -> Iterator[None]:
        """One use case, one transaction; audit events inside it commit with the change.
        Nested calls join the outer transaction, so a batch (an import, the demo) is one
        commit and one fsync rather than thousands."""
        if self._write_depth:
            self._write_depth += 1
            try:
                yield
            finally:
                self._write_depth -= 1
            return
        self._write_depth = 1
        try:
            with transaction(self.conn):
                yield
        finally:
            self._write_depth = 0

    # --- managers (Anki's col.decks style) -------------------------------------------------
    def _manager(self, name: str, factory: type) -> Any:
        if name not in self._managers:
            self._managers[name] = factory(self)
        return self._managers[name]

    @property
    def families(self) -> Families:
        from workbook.services.family.families import Families

        return self._manager("families", Families)

    @property
    def closing_attestations(self) -> ClosingAttestations:
        from workbook.services.upkeep.closing_attestations import ClosingAttestations

        return self._manager("closing_attestations", ClosingAttestations)

    @property
    def case_owners(self) -> CaseOwners:
        from workbook.services.family.case_owner import CaseOwners

        return CaseOwners(self)

    @property
    def outcomes(self) -> Outcomes:
        from workbook.services.supervision.outcomes import Outcomes

        return Outcomes(self)

    @property
    def concerns(self) -> Concerns:
        from workbook.services.family.concerns import Concerns

        return self._manager("concerns", Concerns)

    @property
    def abstractions(self) -> Abstractions:
        from workbook.services.family.abstraction import Abstractions

        return self._manager("abstractions", Abstractions)

    @property
    def consents(self) -> Consents:
        from workbook.services.sharing.consents import Consents

        return self._manager("consents", Consents)

    @property
    def records(self) -> Records:
        from workbook.services.family.records import Records

        return self._manager("records", Records)

    @property
    def workbooks(self) -> Workbooks:
        from workbook.services.family.workbooks import Workbooks

        return self._manager("workbooks", Workbooks)

    @property
    def referrals(self) -> Referrals:
        from workbook.services.front_door.referrals import Referrals

        return self._manager("referrals", Referrals)

    @property
    def accounts(self) -> Accounts:
        from workbook.services.access.accounts import Accounts

        return self._manager("accounts", Accounts)

    @property
    def grants(self) -> Grants:
        from workbook.services.authority import Grants

        return self._manager("grants", Grants)

    @property
    def audit_trail(self) -> AuditTrail:
        from workbook.services.audit.trail import AuditTrail

        return self._manager("audit", AuditTrail)

    @property
    def retention(self) -> Retention:
        from workbook.services.upkeep.retention import Retention

        return self._manager("retention", Retention)

    @property
    def replicas(self) -> Replicas:
        from workbook.services.replicas import Replicas

        return Replicas(self)

    @property
    def partners(self) -> Partners:
        from workbook.services.sharing.partners import Partners

        return self._manager("partners", Partners)

    # Managers that hold what one use of them gathers (a share's log entries, the unwrapped
    # sharing key, names read for one document) are made afresh at each access, so nothing of
    # one use outlives it.
    @property
    def sharing(self) -> Sharing:
        from workbook.services.sharing.sending import Sharing

        return Sharing(self)

    @property
    def transfers(self) -> Transfers:
        from workbook.services.sharing.transfers import Transfers

        return Transfers(self)

    @property
    def receiving(self) -> Receiving:
        from workbook.services.sharing.receiving import Receiving

        return Receiving(self)

    @property
    def identity(self) -> Identity:
        from workbook.services.sharing.identity import Identity

        return Identity(self)

    @property
    def printing(self) -> Printing:
        from workbook.services.printing import Printing

        return Printing(self)

    # --- lifecycle -------------------------------------------------------------------------
    def remember_log_heads(self) -> None:
        """Store how far every signed log reached (the audit head, and per log the count of
        verified rows and their chained hash: services/access/log_heads.py) in this person's
        KEK-wrapped blob, and this vault folder's newest state in this OS account's keyring, so
        a cut-back log or an older folder copied back is noticed at the next sign-in."""
        if not self.remember_heads:
            return
        from workbook.services.access import log_heads

        now = log_heads.current(self.conn, self.vault_id, 0, self.log_heads_cache).snapshot()
        keypair = None if self.must_replace_passphrase else self.keypair
        reset = self.reset_failures_of
        generation = 0

        def change(kf: KeyFile, body: KeyFileBody) -> None:
            nonlocal generation
            generation = kf.vault_key_generation
            if reset is not None and reset in body.accounts:
                body.accounts[reset].failed = 0  # this sign-in's attempt was the right one
                body.accounts[reset].last_failed = None
            if keypair is None:
                return
            username, slot = body.slot_for_user_id(self.user_id)
            if not kek_opens(self.kek, self.vault_id, self.user_id, slot):
                return  # changed on another PC since (decision 0009): that slot stays as it is
            content = {"seed": b64(keypair.seed.value), **now.to_json(),
                       "generation": generation}
            if body.replica:  # heads of this replica's logs, not another's (decision 0009)
                content["replica"] = body.replica
            slot.kek_wrap = b64(
                wrap(self.kek.value, json.dumps(content).encode(),
                     kek_wrap_ad(self.vault_id, self.user_id, slot))
            )
            body.accounts[username] = slot

        if keypair is None and reset is None:
            generation = KeyFile.load(self.vault_dir).vault_key_generation
        else:
            KeyFile.update(self.vault_dir, self.device_secret, change)
            self.reset_failures_of = None
        log_heads.remember_seen(self, log_heads.Snapshot(
            now.audit_seq, now.audit_hash, now.audit_at, now.logs, generation))

    remember_audit_head = remember_log_heads

    def lock(self) -> None:
        """Sign out: record the audit head, drop every key, close the connection."""
        if self._closed:
            return
        try:
            for manager in list(self._managers.values()):
                before_lock = getattr(manager, "before_lock", None)
                if callable(before_lock):
                    before_lock()  # e.g. the board digest stores what it folded in
            self.trust.verified.flush(self.conn)
            self.remember_log_heads()
        finally:
            self._closed = True
            self.keys.wipe()
            self.trust.verified.wipe()
            if self.keypair is not None:
                self.keypair.wipe()
            self.audit_key.wipe()
            for secret in (self.device_secret, self.vault_key, self.kek):
                secret.wipe()
            self._managers.clear()
            self.conn.close()
            self.events.emit("locked")
            self.events.clear()

    close = lock

    def use_desktop_page_cache(self) -> None:
        """The desktop's smaller page cache (vault/database.py DESKTOP_CACHE_KIB): it reads
        every family once at sign-in and must stay within its memory target."""
        set_cache(self.conn, DESKTOP_CACHE_KIB)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock()
