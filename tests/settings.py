"""Test settings: the real settings, with only what makes tests fast and hermetic changed.

The database still comes from DATABASE_URL, so CI runs the suite on PostgreSQL and a
laptop on SQLite.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "x" * 50)

from smarketing.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests; tests that need the real broker say so explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SECURE_SSL_REDIRECT = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Each xdist worker has its own database, so it gets its own cache keys too (CI's Redis
# is shared by the workers).
CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405

# Webhook receivers in tests listen on 127.0.0.1 over plain HTTP.
WEBHOOKS_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1"]
WEBHOOKS_REQUIRE_HTTPS = False
