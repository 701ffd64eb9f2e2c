from django.db import migrations

# The roles and what each may do are declared once, in heapprivacy/accounts/roles.py, and set by
# accounts.services.roles_sync after every migrate. This migration once wrote a copy of part of
# them; it stays, doing nothing, so that the migration graph is the same everywhere.


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_grant_role_permissions"),
        ("reports", "0001_initial"),
    ]

    operations = []
