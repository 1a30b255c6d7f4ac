from django.core.management.base import BaseCommand

from events import relay


class Command(BaseCommand):
    help = "Number and relay the domain events the relay missed (what the beat sweep does)."

    def handle(self, *args, **options) -> None:
        result = relay.events_sweep()
        self.stdout.write(
            f"Numbered {result['numbered']}, relayed {result['relayed']}, "
            f"re-sent {result['redelivered']} event(s)."
        )
