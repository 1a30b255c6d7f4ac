from django.db import connection
from django.http import HttpResponse


class HealthCheckMiddleware:
    """Answer ``/healthz`` before host validation and the HTTPS redirect.

    Container health checks call it as http://127.0.0.1:8000/healthz, a host that
    production's ALLOWED_HOSTS rightly does not list. 200 means the process serves and
    the database answers; 503 means it does not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any database failure means "unhealthy", whatever its type
            return HttpResponse("database unavailable", status=503, content_type="text/plain")
        return HttpResponse("ok", content_type="text/plain")
