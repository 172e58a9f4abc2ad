"""Browser tests: the console in Debian's headless Chromium, driven by Playwright.

Nothing downloads a browser: Playwright is pointed at the system's ``chromium``
(``apt-get install chromium chromium-driver``; ``.ci/run`` installs it), launched with a
fresh profile per test. The app runs under a real uvicorn server on a loopback port in
this process, over local providers filled by the referral demo (``run_demo``, the
keyword analyzer, one worker) and the console's care, influence and people demo data
(``socialreferral.demo.console_data``), plus operators of every role, a flagged reward
and a fresh referral link.

Every test records the requests the page makes and fails if one leaves the test server,
and collects the browser console, failing on any Content-Security-Policy violation.
Screenshots go to ``$SOCIALREFERRAL_SCREENSHOT_DIR`` when set (``docs/console`` to
refresh the documentation's pictures), else to the test's temporary directory.

Without Chromium the tests are skipped, unless ``SOCIALREFERRAL_BROWSER_REQUIRED=1``
(the tox ``browser`` environment), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

# The web tests' helpers (operators, referral links, local providers) serve here too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--no-default-browser-check"]

pytestmark = pytest.mark.browser


def chromium_path() -> str | None:
    """The system's Chromium (``$SOCIALREFERRAL_CHROMIUM`` or on the PATH)."""
    explicit = os.environ.get("SOCIALREFERRAL_CHROMIUM")
    if explicit:
        return explicit
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _require_browser() -> str:
    path = chromium_path()
    required = os.environ.get("SOCIALREFERRAL_BROWSER_REQUIRED") == "1"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if required:
            pytest.fail("playwright is not installed (pip install 'socialreferral[browser]')")
        pytest.skip("playwright is not installed")
    if path is None:
        if required:
            pytest.fail("no chromium on the PATH (apt-get install chromium chromium-driver)")
        pytest.skip("no chromium on the PATH")
    return path


@dataclass
class LiveConsole:
    """The running app and what the tests need to know about it."""

    url: str
    providers: Any
    token: str
    reward_id: str
    shots: Path
    links: int = 0

    def new_link(self) -> str:
        """A fresh referral link for the same offer (a form not sent yet)."""
        from datetime import UTC, datetime

        from socialreferral.domain.links import sign_referral_token
        from socialreferral.domain.referrals import ReferralStatus
        from socialreferral.service.referrals import open_link, signing_key

        repositories = self.providers.repositories
        first = open_link(self.token, repositories=repositories,
                          secrets=self.providers.secrets)
        self.links += 1
        referral = repositories.referrals.create_referral(first.model_copy(update={
            "referral_id": f"ref_browser_{self.links}", "status": ReferralStatus.ISSUED,
            "created_at": datetime.now(UTC)}))
        key_id, key = signing_key(self.providers.secrets)
        token: str = sign_referral_token(referral.referral_id, referral.link_expires_at,
                                         key, key_id)
        return token


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    _require_browser()
    import uvicorn
    from console_helpers import add_operators, flagged_reward
    from web_helpers import META_SECRET, free_port, local_providers, now_utc, referral_offer

    from socialreferral.demo.console_data import seed_care, seed_influence, seed_people
    from socialreferral.demo.runner import run_demo
    from socialreferral.domain.operators import Role
    from socialreferral.service.operators import PasswordAuthenticator
    from socialreferral.service.referrals import recommend
    from socialreferral.web import create_app

    data_dir = tmp_path_factory.mktemp("browser") / "data"
    port = free_port()
    shots = Path(os.environ.get("SOCIALREFERRAL_SCREENSHOT_DIR")
                 or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with local_providers(data_dir, public_base_url=f"http://127.0.0.1:{port}",
                         client_rate={"requests": 100_000, "per_seconds": 60}) as providers:
        run_demo(providers, customers=24, posts=90, seed=11, workers=1)
        seed_care(providers, now_utc())
        seed_influence(providers, now_utc(), posts=3_000)
        seed_people(providers, now_utc(), data_dir / "directory.json")
        providers.secrets.set("meta-app-secret", META_SECRET)  # the demo made its own
        add_operators(providers, {role.value: (role,) for role in Role})
        now = now_utc()
        offer_id = referral_offer(providers, now)
        _, token = recommend(offer_id, repositories=providers.repositories,
                             secrets=providers.secrets, social=providers.social,
                             settings=providers.settings.referral,
                             public_base_url=providers.settings.web.public_base_url, now=now)
        reward_id = flagged_reward(providers, referrer_id="c1", n=7,
                                   flagged_at=now - timedelta(hours=5))
        from console_helpers import FAST_HASHER

        app = create_app(providers)
        app.state.console_auth.authenticator = PasswordAuthenticator(
            providers.repositories.operators, providers.settings.console, hasher=FAST_HASHER)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        try:
            yield LiveConsole(url=f"http://127.0.0.1:{port}", providers=providers,
                              token=token, reward_id=reward_id, shots=shots)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@dataclass
class Browser:
    """A page of a fresh Chromium profile, with its requests and console recorded."""

    page: Any
    live: LiveConsole
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        """Open ``path`` of the test server; return the response."""
        return self.page.goto(self.live.url + path)

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """Save a PNG screenshot as ``<name>.png``."""
        target = self.live.shots / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=full_page)
        return target

    def login(self, name: str) -> None:
        """Log in through the form, as a person would."""
        self.goto("/console/login")
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Password").fill("console-test-password")
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url("**/console/**")


@pytest.fixture
def browser(live: LiveConsole, tmp_path: Path) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = _require_browser()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, headless=True,
            args=BROWSER_ARGS, viewport={"width": 1280, "height": 900})
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(15_000)
            recorded = Browser(page=page, live=live)
            page.on("request", lambda request: recorded.requests.append(request.url))
            page.on("console", lambda message: recorded.console.append(
                f"{message.type}: {message.text}"))
            yield recorded
            outside = [u for u in recorded.requests
                       if not u.startswith((live.url, "data:", "about:"))]
            assert outside == [], f"requests left the test server: {outside}"
            violations = [m for m in recorded.console
                          if "Content Security Policy" in m or "Refused to" in m]
            assert violations == [], violations
        finally:
            context.close()
