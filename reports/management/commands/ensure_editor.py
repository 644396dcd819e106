import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure an editor account exists. Its password comes from DJANGO_SUPERUSER_PASSWORD, "
        "or is generated and printed once, when the account is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default=os.environ.get("DJANGO_SUPERUSER_USERNAME", "editor")
        )
        parser.add_argument("--email", default=os.environ.get("DJANGO_SUPERUSER_EMAIL", ""))

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True, "is_superuser": True}
        )
        user.groups.add(Group.objects.get(name="Editors"))
        if not created:
            self.stdout.write(f"Editor account “{username}” already exists.")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        generated = not password
        password = password or secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    f"Created editor account “{username}” with password: {password}\n"
                    "It is shown only this once."
                )
            )
        else:
            self.stdout.write(f"Created editor account “{username}” (password from environment).")
