#!/usr/bin/env bash
# `make run`: the product on this machine with no servers to install. SQLite in
# db.sqlite3, a Celery worker with embedded beat on Kombu's filesystem broker (.broker/),
# e-mail printed to the console. Safe to run again: migrations and demo data are
# idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
PORT="${PORT:-8000}"

export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-filesystem://}"
export SMARKETING_BASE_URL="${SMARKETING_BASE_URL:-http://127.0.0.1:${PORT}}"
# One cache for the web server and the worker, so a breach found by the worker
# invalidates the dashboards the web server cached.
export CACHE_URL="${CACHE_URL:-filecache://$PWD/.cache/django}"

"$BIN/python" manage.py migrate --no-input -v 0
"$BIN/python" manage.py seed_demo

"$BIN/celery" -A smarketing worker -B --pool solo --loglevel WARNING &
worker_pid=$!
trap 'kill "$worker_pid" 2>/dev/null || true' EXIT INT TERM

cat <<BANNER

  Smarketing is running at http://127.0.0.1:${PORT}/
  Background jobs: Celery worker + beat on the embedded filesystem broker (pid ${worker_pid}).

  Demo logins (password for all: demo1234)
    marketer            marketing
    marketing_manager   marketing, manager
    seller, seller2     sales
    sales_manager       sales, manager
    executive           leadership
    admin               staff admin (also /admin/)

  API docs: http://127.0.0.1:${PORT}/api/v1/docs/
  Stop with Ctrl-C.

BANNER

"$BIN/python" manage.py runserver "127.0.0.1:${PORT}"
