"""The broker is down during a move: the move succeeds, its notice goes out once later."""

import pytest

from accounts.models import Notification
from accounts.roles import Role
from events import catalog
from events.models import Event, HandlerRun
from leads.models import Lead, Stage
from tests.factories import LeadFactory, UserFactory
from tests.outage.conftest import needs_outage_tools, run_product, wait_until

pytestmark = [
    needs_outage_tools,
    pytest.mark.django_db(transaction=True),
]

MOVE = """
from accounts.models import User
from leads.models import Lead
from leads.services import lead_transition
lead = Lead.objects.get(pk={lead})
lead_transition(lead=lead, action="qualify", actor=User.objects.get(pk={marketer}),
                owner=User.objects.get(pk={seller}))
print("moved")
"""


def test_a_move_with_the_broker_down_succeeds_and_is_notified_once_when_it_is_back(
    redis_server, product_env, worker_for
):
    marketer = UserFactory(role=Role.MARKETER)
    seller = UserFactory(role=Role.SELLER, email="seller@example.com")
    lead = LeadFactory(stage=Stage.LEAD)
    env = product_env(redis_server.url)  # nothing listens there yet: the broker is down

    output = run_product(env, MOVE.format(lead=lead.pk, marketer=marketer.pk, seller=seller.pk))

    assert output.strip() == "moved"
    assert Lead.objects.get(pk=lead.pk).stage == Stage.MQL
    handed_over = Event.objects.get(type=catalog.LEAD_HANDED_OVER)
    assert handed_over.dispatched_at is None  # waiting in the outbox
    assert not Notification.objects.exists()

    redis_server.start()
    worker = worker_for(env)
    worker.start()
    run_product(env, "from events import relay; print(relay.events_sweep())")
    wait_until(lambda: Notification.objects.filter(recipient=seller).exists())
    # The sweep runs again (beat, every minute): it sends nothing twice.
    run_product(env, "from events import relay; print(relay.events_sweep())")
    wait_until(lambda: Event.objects.filter(handled_at__isnull=True).count() == 0)
    worker.stop()

    assert Notification.objects.filter(recipient=seller, kind="handover").count() == 1
    mails = [path.read_text() for path in product_env.mail_folder.iterdir()]
    handover_mails = [mail for mail in mails if "New MQL" in mail]
    assert len(handover_mails) == 1
    assert HandlerRun.objects.get(
        event=handed_over, handler="leads.handlers.notify_new_owner"
    ).done_at
