from django.db import migrations

# The roles and what each may do are declared once, in heapprivacy/accounts/roles.py, and set by
# accounts.services.roles_sync after every migrate. This migration once wrote a copy of part of
# them; it stays, doing nothing, so that the migration graph is the same everywhere.


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = []
