"""What every leads page needs: the visible lead or a 404, a page of a list, a service call.

A service's refusal goes back onto the form with the status to answer: 400 for bad input
or a move that does not exist, 403 when not allowed, 409 when someone changed the lead.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404

from leads import selectors
from smarketing.errors import Conflict, DomainError
from smarketing.forms import add_service_errors


def visible_lead_or_404(user, pk: int):
    lead = selectors.lead_list_visible_to(user).filter(pk=pk).first()
    if lead is None:
        raise Http404("No such lead.")
    return lead


def page_of(request, queryset, size: int, param: str = "page"):
    return Paginator(queryset, size).get_page(request.GET.get(param))


def run_service(form, call) -> int:
    """Call a service; its errors go on the form. Returns the HTTP status to answer with."""
    try:
        call()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400
    except Conflict as error:
        form.add_error(None, error.message)
        return 409
    except DomainError as error:
        form.add_error(None, error.message)
        return 400
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You may not do this.")
        return 403
    return 200
