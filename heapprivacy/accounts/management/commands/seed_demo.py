"""Seed the demo workspace once: one user per role. Prints the credentials on every run."""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create

DEMO_USERS = {
    "officer": [Role.OFFICER],
    "approver": [Role.APPROVER],
    "auditor": [Role.AUDITOR],
    "admin": [Role.ADMINISTRATOR],
}


class Command(BaseCommand):
    help = "Create the demo users (once) and print their credentials."

    def handle(self, *args: object, **options: object) -> None:
        credentials = self._credentials_file()
        if not credentials.exists():
            self._seed(credentials)
        self.stdout.write("Demo users (password in var/demo-credentials.json):")
        for username, password in json.loads(credentials.read_text()).items():
            self.stdout.write(f"  {username:<10} {password}")

    def _credentials_file(self) -> Path:
        return Path(settings.VAR_DIR) / "demo-credentials.json"

    def _seed(self, credentials: Path) -> None:
        passwords = {}
        for username, roles in DEMO_USERS.items():
            if User.objects.filter(username=username).exists():
                continue
            passwords[username] = secrets.token_urlsafe(12)
            user_create(username, passwords[username], roles, email=f"{username}@demo.invalid")
        credentials.touch(mode=0o600)
        credentials.write_text(json.dumps(passwords, indent=2))
