"""The portal's user: one account per person, identified by email address."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.validators import fin_validator, latin_name_validator


class UserManager(DjangoUserManager):
    """Creates users by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Addresses differ only in case for people, never for us.
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A student, officer or supervisor. Roles are groups (officer, supervisor)."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Emails and letters are sent in this language."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Profile(models.Model):
    """What a student tells us about themselves once, before applying.

    Created only after the data-protection notice has been accepted
    (``services.privacy_notice_accept``): no personal data is collected before that.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    privacy_notice_version = models.CharField(_("data-protection notice version"), max_length=16)
    privacy_notice_accepted_at = models.DateTimeField(_("data-protection notice accepted"))
    surname = models.CharField(
        _("surname"), max_length=80, blank=True, validators=[latin_name_validator]
    )
    given_names = models.CharField(
        _("given names"), max_length=120, blank=True, validators=[latin_name_validator]
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The mobile number SMS notices go to, in E.164: set only once a code sent to it was
    # entered (``accounts.mobile``); a number being verified waits in its ``MobileCode``.
    mobile = models.CharField(_("verified mobile number"), max_length=16, blank=True)
    mobile_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    # Encrypted at rest like the application's copy (core/crypto.py).
    fin = EncryptedTextField(
        _("FIN (personal identification number)"),
        max_length=7,
        blank=True,
        validators=[fin_validator],
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part) or str(self.user)

    @property
    def is_complete(self) -> bool:
        return all((self.surname, self.given_names, self.date_of_birth, self.phone, self.fin))


class MobileCode(models.Model):
    """A one-time code sent by SMS to prove a mobile number is the person's.

    Only a keyed hash of the code is stored. The newest code of a user is the one that counts;
    each row also counts towards the limits on how often codes are sent (``accounts.mobile``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mobile_codes",
        verbose_name=_("user"),
    )
    number = models.CharField(_("mobile number"), max_length=16)
    code_hash = models.CharField(_("code (keyed hash)"), max_length=64)
    created_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    wrong_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobile verification code")
        verbose_name_plural = _("mobile verification codes")
        indexes = [models.Index(fields=["user", "created_at"], name="mobile_code_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.number} ({self.created_at:%Y-%m-%d %H:%M})"
