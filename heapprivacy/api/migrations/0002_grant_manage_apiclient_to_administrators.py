from django.contrib.auth.management import create_permissions
from django.db import migrations

# Administrators create and revoke API clients (README.md, "Roles"); nobody else does.
GRANTS = {"Administrator": ["manage_apiclient"]}


def grant(apps, schema_editor):
    # Permissions are normally created after migrations run; create this app's now to grant them.
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = group_model.objects.get(name=role)
        for codename in codenames:
            group.permissions.add(
                permission_model.objects.get(content_type__app_label="api", codename=codename)
            )


def revoke(apps, schema_editor):
    permission_model = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *permission_model.objects.filter(
                content_type__app_label="api", codename__in=GRANTS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0001_create_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
