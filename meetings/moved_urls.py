"""Where the weekly briefs used to be (/feedback/briefs/…): permanent redirects.

Mounted at feedback/briefs/ by smarketing.urls. Reading a page answers 301; a form
posted to an old address answers 308, which keeps the method and the body.
"""

from django.http import HttpResponseGone, HttpResponsePermanentRedirect
from django.urls import path
from django.views.generic import RedirectView


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


class Moved(RedirectView):
    permanent = True
    query_string = True

    def post(self, request, *args, **kwargs):
        url = self.get_redirect_url(*args, **kwargs)
        if url is None:  # as RedirectView.get() answers when there is nowhere to go
            return HttpResponseGone()
        return HttpResponsePermanentRedirectKeepMethod(url)


urlpatterns = [
    path("", Moved.as_view(pattern_name="meetings:briefs")),
    path("build/", Moved.as_view(pattern_name="meetings:brief_build")),
    path("<str:week>/", Moved.as_view(pattern_name="meetings:brief")),
    path("<str:week>/send/", Moved.as_view(pattern_name="meetings:brief_send")),
]
