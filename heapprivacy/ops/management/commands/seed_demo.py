"""Seed the demo workspace once: one user per role and a Heap account on the local sandbox.

Prints the credentials on every run. The sandbox address and key match the Procfile.
"""

import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from heapprivacy.accounts.roles import Role
from heapprivacy.accounts.services import user_create
from heapprivacy.audit.actors import Actor
from heapprivacy.erasure.accounts import heap_account_create
from heapprivacy.erasure.models import HeapAccount

SANDBOX_URL = "http://127.0.0.1:8765"
SANDBOX_APP_ID = "1234567890123"
SANDBOX_API_KEY = "sandbox-demo-api-key"

# A cast that can finish what the demo shows: what one officer creates or imports, the other
# approves (four eyes).
DEMO_USERS = {
    "officer": [Role.OFFICER],
    "officer2": [Role.OFFICER],
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
        if not HeapAccount.objects.filter(label="demo-sandbox").exists():
            heap_account_create(
                label="demo-sandbox",
                app_id=SANDBOX_APP_ID,
                api_key=SANDBOX_API_KEY,
                actor=Actor.system("manage.py seed_demo"),
                deletion_base_url=SANDBOX_URL,
                ingestion_base_url=SANDBOX_URL,
            )
        self.stdout.write(f"Heap account 'demo-sandbox' points at the sandbox on {SANDBOX_URL}")
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
