#!/usr/bin/env python3
"""Screenshots of the main pages, on a desktop (1280×800) and a phone (390×844), into
docs/screenshots/ (`make screenshots`).

Like `make run`: a throw-away SQLite database and media folder, migrate, seed_demo,
rebuild_search_index, then the development server on a free port with DEBUG=true. Headless
Chromium (Debian's /usr/bin/chromium, or CHROMIUM=...) driven by Playwright signs in as the demo
personas and saves each page as an optimized PNG; the server and the temporary files are removed
at the end, whatever happens.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--language en] [--only home,search]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "demo-portal-2026"
OFFICER = "officer.fr@demo.example"
RIGHT_HOLDER = "lumina.admin@demo.example"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}

# The ids of the demo rows the pages show, printed as JSON by the temporary server's database.
IDS_SCRIPT = """
import json
from alerts.models import Alert, Case, DeconflictionHit, Operation
from authentication_guides.models import Guide
from brands.models import Brand
brand = Brand.objects.get(name="Lumina", owner__name="Lumina Watches")
print(json.dumps({
    "brand": brand.pk,
    "product": brand.products.order_by("pk").first().pk,
    "guide": Guide.objects.filter(brand=brand, language="en").order_by("pk").first().pk,
    "alert": Alert.objects.filter(brand=brand).order_by("pk").first().pk,
    "case": Case.objects.filter(brand=brand).order_by("pk").first().pk,
    "hit_case": DeconflictionHit.objects.order_by("pk").first().first_id,
    "operation": Operation.objects.get(name="Operation Hourglass (demo)").pk,
}))
"""


@dataclass(frozen=True)
class Shot:
    name: str  # file name without the size and extension
    user: str | None  # who is signed in (None: anonymous)
    path: str  # URL path, formatted with the demo ids
    scroll_to: str = ""  # CSS selector of what should be at the top of the picture


SHOTS = [
    Shot("sign-in", None, "/accounts/login/"),
    Shot("officer-home", OFFICER, "/"),
    Shot("search-results", OFFICER, "/search/?q=lumina+chrono"),
    Shot("product", OFFICER, "/catalogue/products/{product}/"),
    Shot("guide", OFFICER, "/guides/{guide}/", scroll_to="#indicators"),
    Shot("scan", OFFICER, "/search/scan/"),
    Shot("case", OFFICER, "/cases/{case}/"),
    Shot("inbox", RIGHT_HOLDER, "/inbox/"),
    Shot("brand", RIGHT_HOLDER, "/catalogue/brands/{brand}/"),
    Shot("alert", OFFICER, "/alerts/{alert}/"),
    Shot("deconfliction", OFFICER, "/cases/{hit_case}/", scroll_to="#deconfliction"),
    Shot("operation-results", OFFICER, "/operations/{operation}/results/"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )
    return result.stdout if capture else ""


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped (exit {server.returncode}).")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 (http://127.0.0.1)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The server did not answer at {url} within {timeout:.0f} s.")


def save_png(data: bytes, target: Path) -> int:
    """Quantized to a 256-colour palette and optimized: these are flat UI pages, so the text stays
    sharp and a page weighs a few tens of kilobytes."""
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(target, format="PNG", optimize=True)
    return target.stat().st_size


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"Could not sign in as {email} (still on {page.url}).")


def capture(base: str, ids: dict, out: Path, shots: list[Shot]) -> list[tuple[Path, int]]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size_name, (width, height) in SIZES.items():
                phone = size_name == "phone"
                contexts = {}
                for shot in shots:
                    if shot.user not in contexts:
                        context = browser.new_context(
                            viewport={"width": width, "height": height},
                            device_scale_factor=1,
                            is_mobile=phone,
                            has_touch=phone,
                            locale="en-GB",
                        )
                        if shot.user:
                            sign_in(context.new_page(), base, shot.user)
                        contexts[shot.user] = context
                    page = contexts[shot.user].new_page()
                    response = page.goto(base + shot.path.format(**ids))
                    page.wait_for_load_state("networkidle")
                    if response is None or response.status >= 400:
                        status = response.status if response else "no response"
                        raise SystemExit(f"{shot.path} answered {status} for {shot.user or 'a visitor'}.")
                    if shot.scroll_to:
                        page.locator(shot.scroll_to).first.evaluate("e => e.scrollIntoView({block: 'start'})")
                    target = out / f"{shot.name}-{size_name}.png"
                    size = save_png(page.screenshot(), target)
                    saved.append((target, size))
                    print(f"  {target.name}  {size / 1024:.0f} KB", flush=True)
                    page.close()
                for context in contexts.values():
                    context.close()
        finally:
            browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="Folder of the PNGs.")
    parser.add_argument("--language", default="en", help="Language of every demo person (en, fr, es).")
    parser.add_argument("--only", default="", help="Comma-separated page names (default: all).")
    options = parser.parse_args()
    shots = [s for s in SHOTS if not options.only or s.name in options.only.split(",")]
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or CHROMIUM=/path).")

    started = time.monotonic()
    out = Path(options.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="ipm-screenshots-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        PYTHONUNBUFFERED="1",
    )
    server = None
    try:
        print("Preparing a temporary demo database...", flush=True)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo", capture=True)
        manage(env, "rebuild_search_index", capture=True)
        # The saved language wins over the browser's: one language for every picture.
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            f"from accounts.models import User; User.objects.update(language={options.language!r})",
        )
        ids = json.loads(manage(env, "shell", "--no-imports", "-c", IDS_SCRIPT, capture=True).strip().splitlines()[-1])

        log = open(workdir / "server.log", "w")  # noqa: SIM115 (closed with the temporary folder)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until_up(base, server)
        print(f"Server up at {base}; capturing {len(shots)} pages × {len(SIZES)} sizes...", flush=True)
        saved = capture(base, ids, out, shots)
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)
    total = sum(size for _path, size in saved)
    print(f"{len(saved)} screenshots, {total / 1024 / 1024:.2f} MB, in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
