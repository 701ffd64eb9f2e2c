from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    permission = apps.get_model("auth", "Permission").objects.get(
        content_type__app_label="erasure", codename="extend_request"
    )
    apps.get_model("auth", "Group").objects.get(name="Privacy officer").permissions.add(permission)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.get(name="Privacy officer")
    group.permissions.remove(*group.permissions.filter(codename="extend_request"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_grant_role_permissions"),
        ("erasure", "0003_legal_clock"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
