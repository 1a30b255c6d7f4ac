"""Settings read from the environment, as README.md documents them.

Each case starts a fresh interpreter, because settings are read once at import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-like-key-9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1",
    "DJANGO_ALLOWED_HOSTS": "smarketing.example.com",
    "DATABASE_URL": "postgres://smarketing@db.internal:5432/smarketing",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/1",
}


def run_python(code: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "EMAIL_URL"))
    }
    env.update(env_vars, DJANGO_SETTINGS_MODULE="smarketing.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(*names: str, **env_vars: str) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; " + "".join(
        f"print(repr(settings.{name}));" for name in names
    )
    result = run_python(code, **env_vars)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_local_defaults_need_no_services():
    engine, broker, eager, cache, email = read_settings(
        "DATABASES['default']['ENGINE']",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "CACHES['default']['BACKEND']",
        "EMAIL_BACKEND",
        DJANGO_DEBUG="1",
    )
    assert engine == "'django.db.backends.sqlite3'"
    assert broker == "'memory://'"
    assert eager == "True"
    assert cache == "'django.core.cache.backends.locmem.LocMemCache'"
    assert email == "'django.core.mail.backends.console.EmailBackend'"


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_variables_select_postgresql_redis_and_strict_security():
    engine, db_host, broker, eager, cache, hosts, ssl, hsts = read_settings(
        "DATABASES['default']['ENGINE']",
        "DATABASES['default']['HOST']",
        "CELERY_BROKER_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "CACHES['default']['BACKEND']",
        "ALLOWED_HOSTS",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        **PRODUCTION_ENV,
    )
    assert engine == "'django.db.backends.postgresql'"
    assert db_host == "'db.internal'"
    assert broker == "'redis://redis.internal:6379/0'"
    assert eager == "False"
    assert cache == "'django.core.cache.backends.redis.RedisCache'"
    assert hosts == "['smarketing.example.com']"
    assert ssl == "True"
    assert int(hsts) >= 31536000


def test_smtp_email_url_is_honoured():
    backend, host, port = read_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        DJANGO_DEBUG="1",
        EMAIL_URL="smtp://mailer:secret@smtp.example.com:587",
    )
    assert backend == "'django.core.mail.backends.smtp.EmailBackend'"
    assert host == "'smtp.example.com'"
    assert port == "587"


def test_filesystem_broker_gets_its_folders(tmp_path):
    (options,) = read_settings(
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        DJANGO_DEBUG="1",
        CELERY_BROKER_URL="filesystem://",
        CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "b"),
    )
    assert str(tmp_path / "b") in options
    assert (tmp_path / "b").is_dir()


def test_check_deploy_passes_with_production_like_variables():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL", "").startswith("redis://"), reason="CACHE_URL is not Redis"
)
def test_cache_round_trips_through_redis():
    from django.core.cache import cache

    cache.set("smarketing-test-key", {"answer": 42}, timeout=30)
    assert cache.get("smarketing-test-key") == {"answer": 42}
    cache.delete("smarketing-test-key")


def test_every_environment_variable_is_documented_in_the_readme_and_env_example():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    settings_source = (root / "smarketing" / "settings.py").read_text()
    names = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    readme = (root / "README.md").read_text()
    example = (root / ".env.example").read_text()

    assert names, "no variables found: the pattern no longer matches settings.py"
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
    assert sorted(name for name in names if f"\n{name}=" not in example) == []
