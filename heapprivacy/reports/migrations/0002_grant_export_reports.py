from django.contrib.auth.management import create_permissions
from django.db import migrations

# Who may export reports and download certificates (README.md, "Roles"): the Auditor, who
# exports everything, and the Privacy officer, who answers for the program.
GRANTED_TO = ["Auditor", "Privacy officer"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrations run; create this app's now to grant it.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="reports", codename="export_reports"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTED_TO):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="reports", codename="export_reports"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTED_TO):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_grant_role_permissions"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
