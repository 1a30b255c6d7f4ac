"""What every campaign page needs: the campaign, if the user may see it."""

from django.http import Http404

from campaigns import selectors
from campaigns.models import Campaign


def campaign_or_404(request, pk: int) -> Campaign:
    campaign = selectors.campaign_visible_to(request.user, pk)
    if campaign is None:
        # 404, not 403: a seller must not learn that an unrelated campaign exists.
        raise Http404("No such campaign.")
    return campaign
