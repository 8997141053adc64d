"""make loadtest: simulated people on the production shape, figures printed.

Serves the demo city as docker-compose does (gunicorn with 3 workers,
production settings, PostgreSQL, Redis) on this machine, then runs a bounded
crowd of simulated people in the real role mix: office staff going through
lists and detail pages, team leaders filing daily logs, units reporting
progress with a file, leadership reading the dashboard. All of them sign in
within the first --rush seconds (the morning rush), then browse with 1-3 s
between requests for --duration seconds, and stop.

Prints p50/p95/p99 per page, errors, the web workers' memory over time, and
the server CPU per request (from the Server-Timing header the app sends when
SERVER_TIMING is on), ending with the lines the performance issue reads:
``load.p95_ms``, ``load.errors``, ``load.memory_growth``,
``load.cpu_ms_per_request``. Only 127.0.0.1.
"""

import argparse
import hashlib
import hmac
import http.client
import os
import random
import re
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

from prodshape import WEB_PORT, Deadline, Stack, say

PASSWORD = os.environ.get("DEMO_PASSWORD") or "Xuncha-demo-2026"
# The crowd's role mix (office 30, team members 25 plus the team leader, units 25,
# leadership 15) is made by scripts/faults_helpers.py load-users: one account each.
LIST_PAGES = {"problems.list", "items.list", "clues.list", "overdue.list", "targets.list"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUEUE_TICKET = re.compile(r'name="queue_ticket" value="([^"]+)"')
QUEUE_WAIT = re.compile(r'data-retry-ms="(\d+)"')
QUEUE_PLACE = re.compile(r"第 (\d+) 位")
SMALL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def totp(key_hex: str, at: float | None = None) -> str:
    counter = struct.pack(">Q", int((at or time.time()) // 30))
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.password_posts: list[int] = []  # per person who tried to sign in
        self.login_spans: list[tuple[float, float]] = []  # first post, signed in
        self.quoted_ms_per_place: list[float] = []  # the queue's wait / place: check time / slots

    def add(self, label: str, status: int, ms: float, cpu_ms: float | None) -> None:
        with self.lock:
            self.times[label].append(ms)
            if cpu_ms is not None:
                self.cpu[label].append(cpu_ms)
            if status >= 500 or status == 0:
                self.errors[label] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{label}: {status}")


class Person(threading.Thread):
    """One simulated person: their own connection, cookies and pace."""

    def __init__(
        self, who: tuple[str, str, str], start_at: float, stop_at: float, results: Results
    ):
        super().__init__(daemon=True)
        self.username, self.role, self.key = who
        self.start_at, self.stop_at, self.results = start_at, stop_at, results
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=60)
        self.seen: dict[str, list[str]] = defaultdict(list)
        self.retry_after = 3

    # --- HTTP ---------------------------------------------------------------------------

    def request(
        self, label: str, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        # A kept-alive connection the server closed while this person was
        # reading (gunicorn's gthread workers close idle ones after 2 s) fails
        # on its next request; a browser then sends it again on a new
        # connection, once, and so does this person.
        for attempt in (1, 2):
            reused = self.connection.sock is not None
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException):
                self.connection.close()
                if attempt == 1 and reused:
                    continue
                self.results.add(label, 0, (time.perf_counter() - started) * 1000, None)
                return 0, "", b""
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.retry_after = int(response.getheader("Retry-After") or 3)
        timing = response.getheader("Server-Timing") or ""
        match = re.search(r"cpu;dur=([\d.]+)", timing)
        self.results.add(label, status, elapsed, float(match.group(1)) if match else None)
        return status, response.getheader("Location") or "", content

    def get(self, label: str, path: str):
        return self.request(label, "GET", path)

    def post(self, label: str, path: str, fields: dict, files: dict | None = None):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        if not files:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            return self.request(label, "POST", path, body, "application/x-www-form-urlencoded")
        boundary = "----xuncha" + "".join(random.choices("0123456789abcdef", k=16))
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            label, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    # --- signing in (password, then the second factor where there is one) --------------

    def sign_in(self) -> bool:
        """The password form, then whatever the app asks next (the code step),
        following redirects until a page that asks nothing more. The whole of it,
        retries included, is timed as ``login.total``."""
        started = time.perf_counter()
        signed_in = self._sign_in()
        if signed_in:
            self.results.add("login.total", 200, (time.perf_counter() - started) * 1000, None)
            with self.results.lock:
                self.results.login_spans.append((started, time.perf_counter()))
        return signed_in

    def _sign_in(self) -> bool:
        self.get("login.page", "/accounts/login/")
        fields = {"username": self.username, "password": PASSWORD}
        status, location, content = self.post("login.password", "/accounts/login/", fields)
        posts = 1
        # 429: the sign-in queue (xuncha/accounts/signin_queue.py) gave a ticket
        # and a wait; like the page's script (static/js/signin_queue.js) the
        # person waits exactly that long and posts again with the ticket.
        for _ in range(200):
            if status != 429:
                break
            page = content.decode(errors="replace")
            ticket, wait = QUEUE_TICKET.search(page), QUEUE_WAIT.search(page)
            if ticket:
                fields["queue_ticket"] = ticket.group(1)
            if wait and (place := QUEUE_PLACE.search(page)):
                with self.results.lock:
                    self.results.quoted_ms_per_place.append(
                        int(wait.group(1)) / int(place.group(1))
                    )
            time.sleep(int(wait.group(1)) / 1000 if wait else self.retry_after)
            status, location, content = self.post("login.password", "/accounts/login/", fields)
            posts += 1
        with self.results.lock:
            self.results.password_posts.append(posts)
        for _ in range(5):
            if status != 302 or not location:
                return status == 200
            target = urllib.parse.urlsplit(location)
            path = target.path + (f"?{target.query}" if target.query else "")
            status, location, content = self.get("login.next", path)
            field = re.search(r'name="(otp_token|token|code)"', content.decode(errors="replace"))
            if status == 200 and field:
                status, location, _ = self.post(
                    "login.code", target.path, {field.group(1): totp(self.key)}
                )
        return False

    # --- what each role does ------------------------------------------------------------

    def open_list(self, label: str, path: str, detail: str) -> None:
        status, _, content = self.get(label, path)
        if status == 200:
            found = re.findall(detail, content.decode(errors="replace"))
            if found:
                self.seen[detail] = found[:20]

    def open_detail(self, label: str, detail: str) -> bytes:
        if not self.seen[detail]:
            return b""
        return self.get(label, random.choice(self.seen[detail]))[2]

    def office(self):
        random.choice(
            [
                lambda: self.open_list(
                    "problems.list", "/rounds/problems/", r'href="(/rounds/problems/\d+/)"'
                ),
                lambda: self.open_detail("problems.detail", r'href="(/rounds/problems/\d+/)"'),
                lambda: self.open_list(
                    "items.list", "/rectification/items/", r'href="(/rectification/items/\d+/)"'
                ),
                lambda: self.open_detail("items.detail", r'href="(/rectification/items/\d+/)"'),
                lambda: self.open_list("clues.list", "/clues/", r'href="(/clues/\d+/)"'),
                lambda: self.open_list(
                    "overdue.list", "/rectification/overdue/", r'href="(/rectification/items/\d+/)"'
                ),
                lambda: self.get("home", "/"),
            ]
        )()

    def leader(self):
        choice = random.random()
        if choice < 0.25:
            self.file_daily_log()
        elif choice < 0.5:
            self.open_list("problems.list", "/rounds/problems/", r'href="(/rounds/problems/\d+/)"')
        elif choice < 0.75:
            self.open_detail("problems.detail", r'href="(/rounds/problems/\d+/)"')
        else:
            _, _, content = self.get("home", "/")
            self.seen["log"] = re.findall(
                r'href="(/rounds/teams/\d+/logs/new/)"', content.decode(errors="replace")
            )

    def file_daily_log(self):
        if not self.seen["log"]:
            return
        path = self.seen["log"][0]
        self.get("worklog.form", path)
        day = time.strftime("%Y-%m-%d")
        fields = {
            "date": day,
            "interviews": 3,
            "documents": 12,
            "petitions": 1,
            "visits": 2,
            "site_checks": 0,
            "problems_found": 1,
            "narrative": "个别谈话3人次，调阅资料12份。",
        }
        self.post("worklog.post", path, fields)

    def member(self):
        random.choice(
            [
                lambda: self.open_list(
                    "problems.list", "/rounds/problems/", r'href="(/rounds/problems/\d+/)"'
                ),
                lambda: self.open_detail("problems.detail", r'href="(/rounds/problems/\d+/)"'),
                lambda: self.open_list(
                    "targets.list", "/rounds/targets/", r'href="(/rounds/targets/\d+/)"'
                ),
                lambda: self.get("home", "/"),
            ]
        )()

    def unit(self):
        choice = random.random()
        if choice < 0.3:
            self.open_list(
                "items.list", "/rectification/items/", r'href="(/rectification/items/\d+/)"'
            )
        elif choice < 0.7:
            self.open_detail("items.detail", r'href="(/rectification/items/\d+/)"')
        elif choice < 0.85:
            self.report_progress()
        else:
            self.get("home", "/")

    def report_progress(self):
        detail = r'href="(/rectification/items/\d+/)"'
        if not self.seen[detail]:
            return
        item = random.choice(self.seen[detail])
        page = self.get("items.detail", item)[2].decode(errors="replace")
        version = re.search(r'name="version" value="(\d+)"', page)
        if not version or f"{item}report/" not in page:
            return
        self.post(
            "item.report.post",
            f"{item}report/",
            {
                "version": version.group(1),
                "progress": random.randint(10, 90),
                "note": "按计划推进整改。",
            },
            files={"files": ("整改材料.pdf", SMALL_PDF)},
        )

    def leadership(self):
        (self.get("dashboard", "/dashboard/") if random.random() < 0.7 else self.get("home", "/"))

    def run(self):
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        if not self.sign_in():
            return
        act = getattr(self, self.role)
        while time.monotonic() < self.stop_at:
            try:
                act()
            except Exception as error:  # a broken page must not stop the person
                self.results.add("client.exception", 0, 0, None)
                self.results.error_samples.append(
                    f"{self.username}: {type(error).__name__}: {error}"
                )
            time.sleep(random.uniform(1, 3))


def web_worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def pbkdf2_reference_ms() -> float:
    """CPU milliseconds of one PBKDF2-SHA256 of 1,000,000 iterations (Django's
    password hasher's work) on this machine, best of three, taken after the run."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        hashlib.pbkdf2_hmac("sha256", b"reference", b"salt" * 4, 1_000_000)
        best = min(best, time.process_time() - started)
    return best * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(results: Results, memory: list[tuple[float, float]], duration: float) -> dict[str, str]:
    print(f"\n{'page':<20}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'cpu p50':>9}{'errors':>8}")
    worst_p95 = 0.0
    for label in sorted(results.times):
        times = results.times[label]
        cpu = results.cpu.get(label) or [0.0]
        p95 = percentile(times, 0.95)
        if not label.startswith("login"):
            worst_p95 = max(worst_p95, p95)
        print(
            f"{label:<20}{len(times):>7}{percentile(times, 0.5):>9.0f}{p95:>9.0f}"
            f"{percentile(times, 0.99):>9.0f}{statistics.median(cpu):>9.1f}{results.errors[label]:>8}"
        )
    requests = sum(len(t) for t in results.times.values())
    list_cpu = [c for label in LIST_PAGES for c in results.cpu.get(label, [])]
    first = [mb for at, mb in memory if at < 60] or [0.0]
    last = [mb for at, mb in memory if at > memory[-1][0] - 60] if memory else [0.0]
    growth = (statistics.mean(last) - statistics.mean(first)) / max(statistics.mean(first), 1) * 100
    logins = results.times.get("login.total", [])  # whole sign-ins, waits and retries included
    print(f"\nrequests: {requests} in {duration:.0f} s ({requests / duration:.1f}/s)")
    print(
        f"web workers' memory: {statistics.mean(first):.0f} MB (first minute) -> {statistics.mean(last):.0f} MB (last minute)"
    )
    for sample in results.error_samples[:10]:
        print(f"error: {sample}")
    machine_ms = pbkdf2_reference_ms()
    return {
        # A sign-in's own cost on this machine (issue #18's took 550-600 ms).
        # Not a scale for the pages' CPU: a CPU with SHA instructions (sha_ni)
        # runs PBKDF2 three times faster than one without, and Python code not.
        "load.machine_pbkdf2_ms": f"{machine_ms:.0f}",
        "load.requests_per_s": f"{requests / duration:.1f}",
        "load.login_p95_ms": f"{percentile(logins, 0.95):.0f}" if logins else "0",
        "load.login_p99_ms": f"{percentile(logins, 0.99):.0f}" if logins else "0",
        # Password posts (the first and every retry) per person who signed in or tried.
        # From the first sign-in's start to the last one's end, and what the
        # server's queue quotes per place (a password check / the slots): the
        # rush's floor is about people x that.
        "load.login_makespan_s": (
            f"{max(e for _, e in results.login_spans) - min(s for s, _ in results.login_spans):.1f}"
            if results.login_spans
            else "0"
        ),
        "load.queue_quoted_ms_per_place": (
            f"{statistics.median(results.quoted_ms_per_place):.0f}"
            if results.quoted_ms_per_place
            else "0"
        ),
        "load.password_posts_per_person": (
            f"{statistics.mean(results.password_posts):.2f}" if results.password_posts else "0"
        ),
        "load.p95_ms": f"{worst_p95:.0f}",
        "load.errors": str(sum(results.errors.values())),
        "load.memory_growth": f"{growth:.1f} %",
        "load.cpu_ms_per_request": f"{statistics.median(list_cpu):.1f}" if list_cpu else "0",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument(
        "--duration", type=int, default=180, help="seconds of browsing after the rush"
    )
    parser.add_argument("--rush", type=int, default=10, help="seconds in which everyone signs in")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn workers (docker-compose runs 3)"
    )
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Deadline("time limit reached")))
    signal.alarm(options.duration + options.rush + 1500)
    work = Path(tempfile.mkdtemp(prefix="xuncha-load-"))
    stack = Stack(work)
    stack.env.update({"SERVER_TIMING": "true", "WEB_WORKERS": str(options.workers)})
    figures: dict[str, str] = {}
    code = 1
    try:
        say(f"building the production shape in {work}")
        stack.start_postgres()
        stack.start_redis()
        stack.manage("migrate", "--noinput", env={"XUNCHA_ENV": "development"})
        stack.manage("seed_demo", env={"XUNCHA_ENV": "development"})
        stack.manage("collectstatic", "--noinput")
        crowd = [line.split() for line in stack.helper_lines("load-users", str(options.people))]
        stack.start_web(workers=options.workers)
        stack.start_worker()
        master = stack.processes["web"].pid
        results = Results()
        random.Random(7).shuffle(crowd)
        begin = time.monotonic()
        stop_at = begin + options.rush + options.duration
        people = [
            Person(tuple(who), begin + options.rush * i / max(1, len(crowd) - 1), stop_at, results)
            for i, who in enumerate(crowd)
        ]
        say(
            f"{len(crowd)} people sign in within {options.rush} s, then browse for {options.duration} s"
        )
        for person in people:
            person.start()
        memory = []
        while time.monotonic() < stop_at:
            memory.append((time.monotonic() - begin, rss_mb(web_worker_pids(master))))
            time.sleep(5)
        for person in people:
            person.join(timeout=70)
        figures = report(results, memory, time.monotonic() - begin)
        code = 0
    except Exception as error:
        say(f"stopped: {type(error).__name__}: {error}")
        log = work / "web.log"
        if log.exists():
            print(log.read_text(errors="replace")[-3000:])
    finally:
        signal.alarm(0)
        stack.close()
        for name, value in figures.items():
            print(f"{name}: {value}")
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
