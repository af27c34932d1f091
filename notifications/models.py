"""The transactional outbox: a notice is a row written with the change that causes it.

The row is committed or rolled back with that change, so a notice is never sent for something
that did not happen and never lost for something that did; Celery only delivers rows.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import kind_label


class Notification(models.Model):
    """One notice on one channel: a notice that goes by e-mail and SMS is two rows."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class DeliveryStatus(models.TextChoices):
        """What the SMS provider last said about a message it accepted (its status callback)."""

        ACCEPTED = "accepted", _("Accepted by the SMS provider")
        DELIVERED = "delivered", _("Delivered to the phone")
        UNDELIVERED = "undelivered", _("Not delivered")
        EXPIRED = "expired", _("Expired undelivered")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(
        _("channel"), max_length=5, choices=Channel.choices, default=Channel.EMAIL
    )
    # Account emails may go to an address that is not (yet) a user's primary one. Empty on an
    # SMS row, whose address is ``to_phone``.
    to_email = models.EmailField(_("address"), blank=True)
    # An SMS row's number, in E.164 (+905321234567); the verification code goes to a number
    # that is not verified yet, every other SMS to the recipient's verified number.
    to_phone = models.CharField(_("mobile number"), max_length=16, blank=True)
    # What the notice is about (an application, a permit...), as a generic reference: the
    # outbox knows no domain model. The owning model declares a GenericRelation to it, so its
    # notices go when it goes.
    about_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        # notification_about_idx (about_type, about_id) serves it: one index fewer to write
        # for every row written and every attempt recorded.
        db_index=False,
        related_name="+",
        verbose_name=_("about (type)"),
    )
    about_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # A code registered in ``kinds.py`` by the app that sends it.
    kind = models.CharField(_("kind"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Unique through a constraint (Meta): a unique field would also get a LIKE index on
    # PostgreSQL that no query uses and every insert writes.
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The in-app copy: the bell counts the recipient's unread notices. A notice sent by e-mail
    # and SMS is one notice in the inbox: its SMS row is not the in-app copy.
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    in_inbox = models.BooleanField(_("shown in the inbox"), default=True)
    # The SMS provider's id of the message, and what its status callback last reported.
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    delivery_status = models.CharField(
        _("delivery status"), max_length=12, choices=DeliveryStatus.choices, blank=True
    )
    delivery_status_at = models.DateTimeField(_("delivery status time"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due_idx"),
            models.Index(fields=["about_type", "about_id"], name="notification_about_idx"),
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            # One row per notice and channel: the writers insert ON CONFLICT (dedupe_key).
            models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key_unique"),
            # The provider's status callback finds its row by this id.
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=~models.Q(provider_message_id=""),
                name="notification_provider_message_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(channel="email", to_phone="")
                | models.Q(channel="sms", to_email="", to_phone__regex=r"^\+[1-9][0-9]{6,14}$"),
                name="notification_address_fits_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} → {self.address} ({self.get_state_display()})"

    @property
    def address(self) -> str:
        """Where the notice goes: the e-mail address or the mobile number."""
        return self.to_phone if self.channel == self.Channel.SMS else self.to_email

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


class ChannelPreference(models.Model):
    """How a person wants one kind of notice: by e-mail, by SMS, or both.

    No row means the kind's default (``NoticeKind.sms_by_default``: both; otherwise e-mail).
    An SMS goes only to a verified mobile number; without one every notice goes by e-mail.
    """

    class Channels(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        BOTH = "both", _("E-mail and SMS")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_channels",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    channels = models.CharField(_("channels"), max_length=5, choices=Channels.choices)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification channel preference")
        verbose_name_plural = _("notification channel preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="channel_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {kind_label(self.kind)} → {self.get_channels_display()}"
