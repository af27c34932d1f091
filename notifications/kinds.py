"""The kinds of notice, each registered by the app whose rule sends it.

The outbox delivers and renders notices without knowing the domain: an app that sends a kind of
notice registers, once, what it says — the subject, what happened, what to do next and the
link's words, as lazy translatable sentences filled in from the notice's context. A kind that
nobody registered still renders (its code as the subject), so a notice is never lost to a
missing text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: Text
    subject: Text | None = None
    what_happened: Text | None = None
    next_step: Text | None = None
    # A notice for staff opens the workspace, not "your application".
    link_label: Text | None = None
    # Account emails (verification, password reset) are mail, not notices about one's cases.
    in_inbox: bool = True
    # The SMS text (short, a reference at most); the link to the portal is appended to it
    # (notifications/sms/text.py). None: never by SMS.
    sms: Text | None = None
    # The notices that matter most (a decision, an information request due, a permit or
    # passport about to run out, an appointment tomorrow) go by e-mail and SMS unless the
    # person chose otherwise; the others by e-mail only.
    sms_by_default: bool = False


_KINDS: dict[str, NoticeKind] = {}


def register(kind: NoticeKind) -> str:
    """Register a kind (again replaces it); returns its code, for the caller's constant."""
    _KINDS[kind.code] = kind
    return kind.code


def notice_kind(code: str) -> NoticeKind | None:
    return _KINDS.get(code)


def notice_kinds() -> list[NoticeKind]:
    return list(_KINDS.values())


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


def kinds_outside_inbox() -> list[str]:
    return [code for code, kind in _KINDS.items() if not kind.in_inbox]


ACCOUNT = register(NoticeKind(code="account", label=_("Account email"), in_inbox=False))
DEFAULT_LINK_LABEL = _("Open your application")
