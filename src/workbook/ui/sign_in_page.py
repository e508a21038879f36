"""The pages shown before anyone's cases are on screen: sign in, replace an initial passphrase,
and the fingerprint a newcomer reads to the colleague who approves them (P5, P8).

The pages only show what the services say: the delay and lock-out messages come from
`sign_in`, the passphrase rule from `workbook.domain.passphrase`. Nothing typed here is kept
after it is submitted."""

from __future__ import annotations

import math
import re
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.passphrase import describe_rule, passphrase_problems
from workbook.ui.widgets.a11y import announce, describe
from workbook.ui.widgets.passphrase_field import PassphraseField

CARD_WIDTH = 440
WAIT_MARGIN_SECONDS = 0.25
_WAIT = re.compile(r"wait (\d+) seconds?")


def scaled_label(text: str = "", scale: float = 1.0, bold: bool = False,
                 object_name: str = "") -> QLabel:
    """A label whose size follows the system font (never a fixed point size)."""
    label = QLabel(text)
    font = QFont(label.font())
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    return label


def sentence(message: str) -> str:
    """Service messages are lower-case clauses; on screen they read as sentences."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("message")
    label.setWordWrap(True)
    describe(label, name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setContentsMargins(10, 7, 10, 7)
    label.hide()
    return label


def _field(name: str, description: str, password: bool = False) -> QLineEdit:
    # A passphrase field never tells the accessibility bus what is typed (passphrase_field).
    field = PassphraseField() if password else QLineEdit()
    field.setAccessibleName(name)
    field.setAccessibleDescription(description)
    if password:
        # No input method may see or remember a passphrase.
        field.setInputMethodHints(Qt.InputMethodHint.ImhHiddenText
                                  | Qt.InputMethodHint.ImhSensitiveData
                                  | Qt.InputMethodHint.ImhNoPredictiveText)
    field.setMinimumHeight(field.sizeHint().height() + 6)
    return field


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class _CardPage(QWidget):
    """A calm, centred card on an empty background."""

    def __init__(self, parent: QWidget | None = None, width: int = CARD_WIDTH) -> None:
        super().__init__(parent)
        self.card = QFrame()
        self.card.setObjectName("card")
        self.card.setFixedWidth(width)
        # Preferred, not Maximum: wrapped text needs the height it asks for at this width.
        policy = QSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.card.setSizePolicy(policy)
        self.body = QVBoxLayout(self.card)
        self.body.setContentsMargins(32, 28, 32, 28)
        self.body.setSpacing(8)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)


class SignInPage(_CardPage):
    """Username and passphrase; Enter signs in. Shows why signing in failed, the delay before
    the next attempt may be made (counting down), and a lock-out."""

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self.title = scaled_label("Workbook", 1.9, True, "heading")
        self.subtitle = scaled_label("Sign in with your own username and passphrase.", 1.0,
                                     object_name="subtle")
        self.notice = scaled_label("", 1.0, object_name="notice")
        self.notice.setContentsMargins(10, 7, 10, 7)
        describe(self.notice, "Lock notice")
        self.notice.hide()
        self.username = _field("Username", "Your Workbook username")
        self.passphrase = _field("Passphrase", "Your passphrase", password=True)
        self.message = message_label("Sign-in message")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.setAccessibleName("Signing in")
        self.busy.hide()
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setMinimumHeight(self.sign_in_button.sizeHint().height() + 8)
        self.vault_label = scaled_label("", 0.9, object_name="subtle")
        describe(self.vault_label, "Vault")

        self.body.addWidget(self.title)
        self.body.addWidget(self.subtitle)
        self.body.addSpacing(10)
        self.body.addWidget(self.notice)
        self.body.addWidget(_caption("&Username", self.username))
        self.body.addWidget(self.username)
        self.body.addSpacing(4)
        self.body.addWidget(_caption("&Passphrase", self.passphrase))
        self.body.addWidget(self.passphrase)
        self.body.addSpacing(6)
        self.body.addWidget(self.message)
        self.body.addWidget(self.busy)
        self.body.addSpacing(6)
        self.body.addWidget(self.sign_in_button)
        self.body.addSpacing(10)
        self.body.addWidget(self.vault_label)

        self.username.returnPressed.connect(self._on_username_enter)
        self.passphrase.returnPressed.connect(self.submit)
        self.sign_in_button.clicked.connect(self.submit)
        self._countdown = QTimer(self)
        self._countdown.setTimerType(Qt.TimerType.PreciseTimer)
        self._countdown.setInterval(200)
        self._countdown.timeout.connect(self._tick)
        self._wait_until = 0.0
        self._wait_left = 0
        self._wait_text = ""
        self._available = True

    # --- state -----------------------------------------------------------------------------
    def set_vault(self, description: str, available: bool = True) -> None:
        self.vault_label.setText(description)
        self._available = available
        self._update_button()

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.username.setEnabled(not busy)
        self.passphrase.setEnabled(not busy)
        self._busy = busy
        self._update_button()
        if busy:
            self.message.hide()

    def show_error(self, text: str) -> None:
        """A failure as the service worded it; a delay counts down before Sign in returns."""
        self._countdown.stop()
        self._wait_left = 0
        self.message.setText(sentence(text))
        self.message.setProperty("kind", "error")
        self._repolish(self.message)
        self.message.show()
        # The field the focus returns to says what went wrong, and it is spoken at once.
        self.passphrase.setAccessibleDescription(f"Not accepted: {sentence(text)}")
        announce(self.message, sentence(text))
        match = _WAIT.search(text)
        if match:
            # A little longer than the service asked: a timer may fire a few ms early.
            self._wait_left = int(match.group(1))
            self._wait_until = time.monotonic() + self._wait_left + WAIT_MARGIN_SECONDS
            self._wait_text = sentence(text)
            self._countdown.start()
        self._update_button()

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def reset(self, notice: str = "") -> None:
        """Back to empty fields (after sign-in, and on lock: nothing of the last person stays,
        not even their username)."""
        self._countdown.stop()
        self._wait_left = 0
        self.username.clear()
        self.passphrase.clear()
        self.passphrase.setAccessibleDescription("Your passphrase")
        self.message.clear()
        self.message.hide()
        self.set_busy(False)
        self.show_notice(notice)

    def focus_first(self) -> None:
        (self.passphrase if self.username.text() else self.username).setFocus()

    # --- actions ---------------------------------------------------------------------------
    def submit(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        username = self.username.text().strip()
        passphrase = self.passphrase.text()
        if not username:
            self.show_error("enter your username")
            self.username.setFocus()
            return
        if not passphrase:
            self.show_error("enter your passphrase")
            self.passphrase.setFocus()
            return
        self.passphrase.clear()
        self.submitted.emit(username, passphrase)

    def _on_username_enter(self) -> None:
        if self.passphrase.text():
            self.submit()
        else:
            self.passphrase.setFocus()

    def _tick(self) -> None:
        left = self._wait_until - time.monotonic()
        self._wait_left = max(0, math.ceil(left))
        if left <= 0:
            self._wait_left = 0
            self._countdown.stop()
            self.message.setText("You can try again now.")
            self.message.setProperty("kind", "info")
            self._repolish(self.message)
        else:
            unit = "second" if self._wait_left == 1 else "seconds"
            self.message.setText(_WAIT.sub(f"wait {self._wait_left} {unit}", self._wait_text))
        self._update_button()

    def _update_button(self) -> None:
        self.sign_in_button.setEnabled(
            self._available and not self._busy and self._wait_left <= 0)

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)


class ReplacePassphrasePage(_CardPage):
    """A new account's first sign-in: replace the initial passphrase with one of your own."""

    submitted = Signal(str, str)
    sign_out_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._username = ""
        self._full_name = ""
        self.title = scaled_label("Choose your own passphrase", 1.5, True, "heading")
        self.intro = scaled_label(
            "Your account was set up with an initial passphrase that someone else knows. "
            "Replace it with one only you know before you use Workbook.", 1.0)
        self.rule = scaled_label(describe_rule(), 1.0, object_name="subtle")
        describe(self.rule, "Passphrase rule")
        self.current = _field("Current passphrase", "The initial passphrase you were given",
                              password=True)
        self.new = _field("New passphrase", describe_rule(), password=True)
        self.repeat = _field("Repeat new passphrase", "Type the new passphrase again",
                             password=True)
        self.problems = scaled_label("", 0.95, object_name="subtle")
        describe(self.problems, "What the new passphrase still needs")
        self.problems.hide()
        self.message = message_label("Passphrase message")
        self.replace_button = QPushButton("Replace passphrase")
        self.replace_button.setAccessibleName("Replace passphrase")
        self.replace_button.setDefault(True)
        self.replace_button.setObjectName("primary")
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.setFlat(True)

        self.body.addWidget(self.title)
        self.body.addWidget(self.intro)
        self.body.addSpacing(8)
        self.body.addWidget(_caption("C&urrent passphrase", self.current))
        self.body.addWidget(self.current)
        self.body.addSpacing(6)
        self.body.addWidget(_caption("&New passphrase", self.new))
        self.body.addWidget(self.new)
        self.body.addWidget(self.rule)
        self.body.addWidget(self.problems)
        self.body.addSpacing(6)
        self.body.addWidget(_caption("&Repeat new passphrase", self.repeat))
        self.body.addWidget(self.repeat)
        self.body.addSpacing(6)
        self.body.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sign_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.replace_button)
        self.body.addSpacing(6)
        self.body.addLayout(buttons)

        self.new.textChanged.connect(self._show_problems)
        for field in (self.current, self.new):
            field.returnPressed.connect(self.focusNextChild)
        self.repeat.returnPressed.connect(self.submit)
        self.replace_button.clicked.connect(self.submit)
        self.sign_out_button.clicked.connect(self.sign_out_requested)

    def set_person(self, username: str, full_name: str) -> None:
        self._username, self._full_name = username, full_name

    def _problems(self, text: str) -> list[str]:
        return passphrase_problems(text, username=self._username, full_name=self._full_name)

    def _show_problems(self, text: str) -> None:
        found = self._problems(text) if text else []
        self.problems.setText("\n".join(f"• {problem}" for problem in found))
        self.problems.setVisible(bool(found))

    def show_error(self, text: str) -> None:
        self.message.setText(sentence(text))
        self.message.setProperty("kind", "error")
        self.message.show()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.current, self.new, self.repeat, self.replace_button):
            widget.setEnabled(not busy)

    def submit(self) -> None:
        current, new, repeat = self.current.text(), self.new.text(), self.repeat.text()
        if not current:
            self.show_error("enter the initial passphrase you were given")
            self.current.setFocus()
            return
        found = self._problems(new)
        if found:
            self.show_error(found[0])
            self.new.setFocus()
            return
        if new != repeat:
            self.show_error("the two new passphrases are not the same")
            self.repeat.clear()
            self.repeat.setFocus()
            return
        self.message.hide()
        self.submitted.emit(current, new)

    def reset(self) -> None:
        for field in (self.current, self.new, self.repeat):
            field.clear()
        self.message.clear()
        self.message.hide()
        self.problems.hide()
        self._username = self._full_name = ""
        self.set_busy(False)


def fingerprint_groups(fingerprint: str) -> list[str]:
    return fingerprint.split()


class FingerprintPage(_CardPage):
    """The newcomer's fingerprint, large, to be read aloud to the approver."""

    continue_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, width=CARD_WIDTH + 140)
        self.title = scaled_label("Your passphrase is set", 1.5, True, "heading")
        self.intro = scaled_label(
            "Next, a colleague who already holds the keys to your sections (usually your team "
            "manager) approves your access. Read these five groups of digits aloud to them, "
            "in person or by phone; they type what they hear into Workbook on their own "
            "screen. If it matches, you receive the keys the next time you sign in.", 1.0)
        self.fingerprint = scaled_label("", 2.2, True, "fingerprint")
        self.fingerprint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        describe(self.fingerprint, "Your fingerprint: read these digits aloud")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mono = QFont(self.fingerprint.font())
        mono.setFamilies(["DejaVu Sans Mono", "Consolas", "Menlo", "monospace"])
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2.0)
        self.fingerprint.setFont(mono)
        self.warning = scaled_label(
            "Never read it to someone who phoned you asking for it: the approver must be the "
            "one who asks.", 0.95, object_name="subtle")
        self.continue_button = QPushButton("Continue to Workbook")
        self.continue_button.setAccessibleName("Continue to Workbook")
        self.continue_button.setDefault(True)
        self.continue_button.setObjectName("primary")

        self.body.addWidget(self.title)
        self.body.addWidget(self.intro)
        self.body.addSpacing(12)
        self.body.addWidget(self.fingerprint)
        self.body.addSpacing(12)
        self.body.addWidget(self.warning)
        self.body.addSpacing(8)
        self.body.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignRight)
        self.continue_button.clicked.connect(self.continue_requested)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.fingerprint.setText("  ".join(fingerprint_groups(fingerprint)))

    def reset(self) -> None:
        self.fingerprint.clear()
