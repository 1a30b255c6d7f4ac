"""Take headless-Chromium screenshots of pages, logged in as a demo user.

    .venv/bin/python scripts/screenshot.py --base http://127.0.0.1:8000 --user seller \
        --out screenshots/ /leads/inbox/ /leads/

Uses Debian's /usr/bin/chromium through Playwright (no browser download).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="marketer")
    parser.add_argument("--password", default="demo1234")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        page.goto(f"{args.base}/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(f"{args.base}{path}")
            page.wait_for_load_state("networkidle")
            name = re.sub(r"[^a-zA-Z0-9]+", "_", f"{args.user}_{path}").strip("_") or "root"
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=args.full_page)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
