"""Take full-page screenshots of Cercle's key pages, as a newcomer sees them.

`make screenshots` runs this with the project's virtual environment. It builds its own
site under var/screenshots/site (its own SQLite database, media and static files, never
the ones `make run` uses), loads the demo there (`cercle migrate`, `cercle demo`,
`cercle collectstatic`), starts `cercle serve --no-periodic` on a free port, logs in
with the demo accounts and saves one PNG per page, language and width:

    var/screenshots/<language>-<width>/<page>.png

French pages are seen by Camille (camille@metropole.example) in the generated community
"pratiques-1", English pages by Alice (alice@bikes.example) in "Urban Cycling
Practitioners". The server is stopped at the end, whatever happens. A page that is
missing or an element that is absent (the composer's "Preview" button...) gives a
warning and the page as it is, never a crash.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# settings.DEMO_PASSWORD: the demo's password, published in the README.
PASSWORD = "cercle-demo-2026"  # noqa: S105
DEMO_ARGS = ["--members", "200", "--months", "12", "--seed", "1"]  # the Makefile's DEMO_ARGS
WIDTHS = (1280, 390)
HEIGHTS = {1280: 800, 390: 844}
PAGES = (
    "visitor-home",
    "member-home",
    "community-home",
    "space",
    "topic",
    "question",
    "composer",
    "search",
    "directory",
    "profile",
    "library",
    "wiki-article",
    "event",
    "calendar",
    "cockpit",
    "next-actions",
    "community-mail",
    "email-settings",
)


@dataclass(frozen=True)
class Reader:
    """Who looks at the pages of one language, where, and what they search for."""

    language: str
    locale: str
    email: str
    community: str
    search: str
    draft_title: str
    draft_body: str


READERS = (
    Reader(
        language="fr",
        locale="fr-FR",
        email="camille@metropole.example",
        community="pratiques-1",
        search="rétrospective",
        draft_title="Comment animer une rétrospective avec une équipe à distance ?",
        draft_body=(
            "Nous sommes **douze**, répartis dans trois villes. Nos rétrospectives en visio "
            "s'essoufflent :\n\n- peu de prises de parole ;\n- toujours les mêmes idées.\n\n"
            "Quels formats ont marché chez vous ?"
        ),
    ),
    Reader(
        language="en",
        locale="en-GB",
        email="alice@bikes.example",
        community="urban-cycling",
        search="cargo",
        draft_title="Which lights do you trust for winter commuting?",
        draft_body=(
            "Our commute is **dark both ways** from November.\n\n- dynamo or battery?\n"
            "- how bright is too bright for others?\n\nShare your set-up!"
        ),
    ),
)


@dataclass
class Run:
    """What a run produced: the files, and what went wrong on the way."""

    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        print(f"warning: {message}", file=sys.stderr, flush=True)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/screenshots.py",
        description=(
            "Build a demo site of its own under var/screenshots/site (SQLite database, "
            "media, static files: never those of `make run`), serve it with `cercle serve "
            "--no-periodic` on a free port, and save full-page PNGs of the key pages "
            "(visitor and member homes, community home, space, topic, question, composer "
            "with preview, search, directory, profile, library, wiki article, event, "
            "calendar, cockpit, next actions) at 1280 and 390 pixels wide, in French "
            "(Camille) and English (Alice), into var/screenshots/<language>-<width>/. "
            "The server is stopped at the end, even on error."
        ),
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=OUT,
        help="Where the pictures and the demo site go (default: var/screenshots).",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="Port to serve on (default: a free one)."
    )
    parser.add_argument(
        "--reuse-site",
        action="store_true",
        help="Keep the demo site of the previous run instead of building a new one "
        "(faster; the demo's dates then stay those of that run).",
    )
    parser.add_argument(
        "--languages",
        default="fr,en",
        help="Comma-separated languages among fr and en (default: fr,en).",
    )
    parser.add_argument(
        "--widths",
        default=",".join(str(width) for width in WIDTHS),
        help="Comma-separated viewport widths in pixels (default: 1280,390).",
    )
    parser.add_argument(
        "--pages",
        default="",
        help=f"Comma-separated pages to take (default: all of {', '.join(PAGES)}).",
    )
    parser.add_argument(
        "--chromium",
        default=CHROMIUM,
        help=f"The Chromium to drive (default: {CHROMIUM}; Playwright's own when absent).",
    )
    return parser.parse_args(argv)


# --- The demo site ------------------------------------------------------------------------------


def site_environment(site: Path) -> dict[str, str]:
    """The environment of every command run on the screenshots' site: its own var
    directory and database, whatever the caller's environment points to."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERCLE_", "DATABASE_"))}
    env["CERCLE_VAR_DIR"] = str(site)
    env["DATABASE_URL"] = f"sqlite:///{site / 'cercle.sqlite3'}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cercle(*args: str, env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "cercle", *args]
    print("$ cercle " + " ".join(args), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 - our own command


def build_site(site: Path, env: dict[str, str]) -> None:
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    cercle("migrate", "--noinput", "--verbosity", "0", env=env)
    cercle("demo", "--quiet", *DEMO_ARGS, env=env)
    cercle("collectstatic", "--noinput", "--verbosity", "0", env=env)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(port: int, env: dict[str, str], log: Path) -> Iterator[str]:
    """`cercle serve` on `port` until the block ends, however it ends."""
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "cercle", "serve", "--bind", f"127.0.0.1:{port}",
        "--no-periodic", "--no-task-worker", "--web-workers", "2", "--stop-timeout", "5",
    ]  # fmt: skip
    print(f"$ cercle {' '.join(command[3:])}  (log: {log})", flush=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_up(base, process)
            yield base
        finally:
            stop(process)


def wait_until_up(base: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cercle serve stopped (exit code {process.returncode})")
        with (
            suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"cercle serve did not answer on {base} within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets `cercle serve` stop its workers; whatever remains is killed."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # stray children of the session, if any
    print("Server stopped.", flush=True)


# --- Where the pages are ------------------------------------------------------------------------


def page_addresses(reader: Reader, run: Run) -> dict[str, str]:
    """Each page's path, found in the demo site's database by reversing Cercle's URL
    names (Django is set up on the site's environment before this is called)."""
    from django.db.models import Count, Q  # noqa: PLC0415 - Django is set up by then
    from django.urls import reverse  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from cercle.accounts.models import User  # noqa: PLC0415
    from cercle.communities.models import Community  # noqa: PLC0415
    from cercle.conversations.models import Topic  # noqa: PLC0415
    from cercle.events.models import Event  # noqa: PLC0415
    from cercle.wiki.models import Article  # noqa: PLC0415

    community = Community.objects.get(slug=reader.community)
    slug = community.slug
    space = community.spaces.get(is_default=True)
    topics = Topic.objects.filter(space=space, is_hidden=False, merged_into=None)

    def discussion() -> str:
        topic = topics.exclude(kind="question").order_by("-reply_count", "-pk").first()
        return _url(topic)

    def question() -> str:
        solved = topics.filter(kind="question").exclude(accepted_answer=None)
        return _url(solved.order_by("-reply_count", "-pk").first())

    def profile() -> str:
        # An active member other than the reader, who wrote the most here.
        person = (
            User.objects.filter(memberships__community=community, memberships__status="active")
            .exclude(email=reader.email)
            .annotate(written=Count("posts", filter=Q(posts__topic__community=community)))
            .order_by("-written", "pk")
            .first()
        )
        if person is None:
            raise LookupError("nobody else in the community")
        return reverse("profile", args=[person.handle])

    def wiki_article() -> str:
        articles = Article.objects.filter(community=community)
        return _url(articles.exclude(source_topic=None).order_by("-pk").first())

    def event() -> str:
        events = Event.objects.filter(community=community)
        upcoming = events.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()
        return _url(upcoming or events.order_by("-starts_at").first())

    finders: dict[str, Callable[[], str]] = {
        "member-home": lambda: reverse("home"),
        "community-home": lambda: reverse("community", args=[slug]),
        "space": lambda: reverse("space", args=[slug, space.slug]),
        "topic": discussion,
        "question": question,
        "composer": lambda: reverse("topic_new", args=[slug, space.slug]) + "?kind=question",
        "search": lambda: reverse("search") + "?" + urlencode({"q": reader.search}),
        "directory": lambda: reverse("community_people", args=[slug]),
        "profile": profile,
        "library": lambda: reverse("knowledge:library", args=[slug]),
        "wiki-article": wiki_article,
        "event": event,
        "calendar": lambda: reverse("animation:calendar", args=[slug]),
        "cockpit": lambda: reverse("analytics:cockpit", args=[slug]),
        "next-actions": lambda: reverse("nextactions:queue", args=[slug]),
        "community-mail": lambda: reverse("mailin:settings", args=[slug]),
        "email-settings": lambda: reverse("notification_settings"),
    }
    found = {"visitor-home": "/"}
    for name, finder in finders.items():
        try:
            found[name] = finder()
        except Exception as error:
            run.warn(f"{reader.language}: no address for {name}: {error!r}")
    return found


def _url(item: Any) -> str:
    if item is None:
        raise LookupError("none in the demo")
    return str(item.get_absolute_url())


# --- Taking the pictures ------------------------------------------------------------------------


def settle(page: Page) -> None:
    """Fonts loaded and lazy images in: what a reader sees after a moment."""
    with suppress(Exception):
        page.wait_for_load_state("networkidle", timeout=5000)
    with suppress(Exception):
        page.evaluate("document.fonts.ready.then(() => true)")
    with suppress(Exception):
        page.evaluate(
            "() => document.querySelectorAll('img[loading=lazy]')"
            ".forEach(img => img.loading = 'eager')"
        )
        page.wait_for_load_state("networkidle", timeout=3000)


def visit(page: Page, base: str, path: str, name: str, run: Run, label: str) -> bool:
    try:
        response = page.goto(base + path, wait_until="load", timeout=60_000)
    except Exception as error:
        run.warn(f"{label}: {name} ({path}) did not load: {error}")
        return False
    if response is not None and response.status >= 400:
        run.warn(f"{label}: {name} ({path}) answered {response.status}")
    settle(page)
    return True


def log_in(page: Page, base: str, email: str, run: Run, label: str) -> None:
    from django.urls import reverse  # noqa: PLC0415

    page.goto(base + reverse("account_login"), wait_until="load")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state("load")
    if "/accounts/login" in page.url:
        run.warn(f"{label}: logging in as {email} failed; pages are taken as a visitor")


def compose(page: Page, reader: Reader, run: Run, label: str) -> None:
    """Write a question and ask for its preview, if the composer offers one."""
    for selector, text in (("#id_title", reader.draft_title), ("#id_body", reader.draft_body)):
        field = page.locator(selector)
        if field.count():
            field.first.fill(text)
        else:
            run.warn(f"{label}: the composer has no {selector}")
    preview = page.get_by_role("button", name="Preview").or_(
        page.get_by_role("button", name="Aperçu")
    )
    preview = preview.or_(page.get_by_role("tab", name="Preview")).or_(
        page.get_by_role("tab", name="Aperçu")
    )
    if not preview.count():
        run.warn(f"{label}: the composer has no Preview button; taken without preview")
        return
    try:
        preview.first.click(timeout=5000)
        page.wait_for_timeout(800)
        settle(page)
    except Exception as error:
        run.warn(f"{label}: clicking Preview failed: {error}")


def shoot(page: Page, path: Path, run: Run, label: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
    except Exception as error:
        run.warn(f"{label}: no picture of {path.name}: {error}")
        return
    run.files.append(path)


def take(
    browser: Browser,
    base: str,
    reader: Reader,
    width: int,
    wanted: list[str],
    out: Path,
    run: Run,
) -> None:
    label = f"{reader.language}-{width}"
    addresses = page_addresses(reader, run)
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHTS.get(width, 800)},
        locale=reader.locale,
        is_mobile=width < 600,
        has_touch=width < 600,
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        for name in wanted:
            if name != "visitor-home":
                continue
            if visit(page, base, "/", name, run, label):
                shoot(page, out / label / f"{name}.png", run, label)
        log_in(page, base, reader.email, run, label)
        for name in wanted:
            if name == "visitor-home" or name not in addresses:
                continue
            if not visit(page, base, addresses[name], name, run, label):
                continue
            if name == "composer":
                compose(page, reader, run, label)
            shoot(page, out / label / f"{name}.png", run, label)
    finally:
        context.close()


def launch(chromium: str) -> tuple[Any, Browser]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    playwright = sync_playwright().start()
    options: dict[str, Any] = {"headless": True, "args": ["--no-sandbox", "--disable-gpu"]}
    if Path(chromium).exists():
        options["executable_path"] = chromium
    else:
        print(f"{chromium} is missing: using Playwright's own Chromium.", flush=True)
    try:
        return playwright, playwright.chromium.launch(**options)
    except Exception:
        playwright.stop()
        raise


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    out: Path = arguments.out.resolve()
    languages = [code.strip() for code in arguments.languages.split(",") if code.strip()]
    readers = [reader for reader in READERS if reader.language in languages]
    widths = [int(width) for width in arguments.widths.split(",") if width.strip()]
    wanted = [p.strip() for p in arguments.pages.split(",") if p.strip()] or list(PAGES)
    unknown = sorted(set(wanted) - set(PAGES)) + sorted(set(languages) - {"fr", "en"})
    if unknown:
        print(f"Unknown pages or languages: {', '.join(unknown)}", file=sys.stderr)
        return 2
    site = out / "site"
    env = site_environment(site)
    if not (arguments.reuse_site and (site / "cercle.sqlite3").exists()):
        build_site(site, env)
    # This process reads the site's database too, to find the pages' addresses.
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CERCLE_", "DATABASE_"))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cercle.settings")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs beside the ORM
    import django  # noqa: PLC0415

    django.setup()
    for reader in readers:  # no picture of an earlier run is left to be mistaken for new
        for width in widths:
            for name in wanted:
                (out / f"{reader.language}-{width}" / f"{name}.png").unlink(missing_ok=True)
    run = Run()
    port = arguments.port or free_port()
    with server(port, env, site / "server.log") as base:
        playwright, browser = launch(arguments.chromium)
        try:
            for reader in readers:
                for width in widths:
                    print(f"Taking {reader.language} pages at {width} px...", flush=True)
                    take(browser, base, reader, width, wanted, out, run)
        finally:
            browser.close()
            playwright.stop()
    print(f"\n{len(run.files)} screenshots:")
    for path in run.files:
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if run.warnings:
        print(f"\n{len(run.warnings)} warnings (see above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
