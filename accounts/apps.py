from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from notifications.channels import register_phone_resolver

        from .groups import ensure_role_groups
        from .middleware import staff_signed_in
        from .mobile import verified_mobile

        # SMS notices go to the verified mobile number; the outbox asks through this function
        # (it imports no account model).
        register_phone_resolver(verified_mobile)

        # After the last app has migrated, so every permission exists.
        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        user_logged_in.connect(staff_signed_in, dispatch_uid="accounts.staff_signed_in")
