"""Create an API token and print it alone on standard output, for scripts to capture."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Create an API token for a user. Prints the token alone on stdout; it is not stored."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username the token acts as.")
        parser.add_argument(
            "--scopes", required=True, help="Comma-separated, e.g. leads:read,leads:write"
        )
        parser.add_argument("--expires-days", type=int, default=None)
        parser.add_argument("--name", default="", help="What uses the token.")

    def handle(self, *args, user: str, scopes: str, expires_days, name: str, **options):
        try:
            owner = User.objects.get(username=user)
        except User.DoesNotExist as error:
            raise CommandError(f"No user named “{user}”.") from error
        try:
            token, raw_token = services.api_token_create(
                user=owner,
                name=name or f"{user} token",
                scopes=scopes,
                expires_days=expires_days,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token {token.prefix}… for {owner.username} with {', '.join(token.scopes)}"
            + (f", expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "")
        )
        self.stdout.write(raw_token)
