from django.contrib.auth.management import create_permissions
from django.db import migrations

# What each role may do (README.md, "Roles"). The Auditor reads everything and changes nothing;
# nobody but an Administrator sees Heap accounts.
READ = [
    "erasure.view_erasurerequest",
    "erasure.view_subject",
    "erasure.view_deletionbatch",
    "audit.view_auditevent",
]
ROLE_PERMISSIONS = {
    "Privacy officer": [
        *READ,
        "erasure.add_erasurerequest",
        "erasure.verify_request",
        "erasure.decide_request",
        "erasure.cancel_request",
        "erasure.annotate_request",
        "erasure.release_batch",
        "erasure.retry_batch",
    ],
    "Approver": [*READ, "erasure.approve_batch"],
    "Auditor": READ,
    "Administrator": [
        "erasure.view_heapaccount",
        "erasure.add_heapaccount",
        "erasure.change_heapaccount",
        "erasure.test_heapaccount",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrations run; create them now to grant them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group = group_model.objects.get(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_create_role_groups"),
        ("erasure", "0002_console_permissions_second_approval_notes"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
