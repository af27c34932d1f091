"""The header's bell: how many notices the signed-in user has not read yet."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest

from .inbox import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """``notifications_unread``: a callable the template calls when it needs the number.

    Lazy, so a page that never shows the bell pays no query, and cached, so a page that shows
    the number twice pays one. An anonymous visitor costs nothing: the check happens inside,
    and a visitor without a session never touches the database for it. A callable rather than
    a ``SimpleLazyObject`` because templates call it and get a real ``int``, which
    ``{% blocktranslate count %}`` needs for choosing the plural form.
    """
    user = getattr(request, "user", None)

    @cache
    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return unread_count(user)

    return {"notifications_unread": count}
