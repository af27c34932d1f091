"""Keeps the role groups and their admin permissions in place after every migrate.

Permissions are created by Django's own post_migrate handler, so a data migration on a fresh
database cannot see them; syncing here instead is idempotent and follows new models.
"""

from django.contrib.auth.models import Group, Permission

from .roles import OFFICER, SUPERVISOR, UNIVERSITY_STAFF

# Supervisors manage policy versions in the admin; officers work in their own workspace.
ROLE_PERMISSIONS = {
    OFFICER: [],
    UNIVERSITY_STAFF: [],
    SUPERVISOR: [
        ("rules", "view_policyversion"),
        ("rules", "add_policyversion"),
        ("rules", "change_policyversion"),
        ("rules", "view_programmelength"),
        ("rules", "add_programmelength"),
        ("rules", "change_programmelength"),
        ("rules", "delete_programmelength"),
        ("universities", "view_university"),
        ("universities", "view_province"),
    ],
}


def ensure_role_groups(**kwargs) -> None:
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [
            Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            for app_label, codename in codenames
        ]
        group.permissions.add(*[perm for perm in wanted if perm is not None])
