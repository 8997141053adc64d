"""The production shape on this machine, for make faults and make loadtest.

A private PostgreSQL cluster and a private Redis (their own ports and
folders, so nothing else on the machine is touched), the app under gunicorn
with production settings, a Celery worker and beat. Only 127.0.0.1.
"""

import contextlib
import http.cookiejar
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PG_PORT, REDIS_PORT, WEB_PORT = 55432, 56379, 58000
BASE = f"http://127.0.0.1:{WEB_PORT}"
TAG = os.path.basename(sys.argv[0]).removesuffix(".py")


class Deadline(Exception):
    pass


def say(message: str) -> None:
    print(f"[{TAG} {time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait_for(check, what: str, limit: float, every: float = 0.2):
    ends = time.monotonic() + limit
    while time.monotonic() < ends:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise Deadline(f"gave up waiting for {what} after {limit:.0f} s")


class Stack:
    """The processes and folders of one run, stopped and removed by close()."""

    def __init__(self, work: Path):
        self.work = work
        self.pgdata = work / "pg"
        self.data = work / "data"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))},
            "XUNCHA_ENV": "production",
            "DEBUG": "false",
            "XUNCHA_HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "AUDIT_HMAC_KEY": secrets.token_hex(32),
            "CROSSCHECK_ID_KEY": secrets.token_hex(32),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/xuncha",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "CELERY_RESULT_BACKEND": f"redis://127.0.0.1:{REDIS_PORT}/1",
            "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/2",
            "XUNCHA_DATA_DIR": str(self.data),
            "AUDIT_ANCHOR_FILE": str(work / "anchors" / "audit-anchors.log"),
            "LOG_LEVEL": "WARNING",
        }

    # --- PostgreSQL and Redis of our own ---------------------------------------------------

    def as_postgres(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def start_postgres(self) -> None:
        self.pgdata.mkdir(parents=True)
        shutil.chown(self.work, "postgres")
        shutil.chown(self.pgdata, "postgres")
        self.work.chmod(0o755)
        self.as_postgres(
            "initdb", "-D", str(self.pgdata), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        self.pg_ctl("start")
        self.as_postgres("createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "xuncha")

    def pg_ctl(self, action: str) -> None:
        options = f"-p {PG_PORT} -k {self.pgdata} -c listen_addresses=127.0.0.1"
        self.as_postgres(
            "pg_ctl",
            "-D",
            str(self.pgdata),
            "-o",
            options,
            "-l",
            str(self.pgdata / "log"),
            "-w",
            "-m",
            "fast",
            action,
        )

    def start_redis(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.work),
                "--pidfile",
                str(self.work / "redis.pid"),
                "--logfile",
                str(self.work / "redis.log"),
            ],
            check=True,
            timeout=30,
        )
        wait_for(self.redis_up, "Redis", 20)

    def redis_up(self) -> bool:
        result = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "ping"],
            capture_output=True,
            text=True,
            check=False,
            timeout=5,
        )
        return result.stdout.strip() == "PONG"

    def stop_redis(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"],
            capture_output=True,
            check=False,
            timeout=10,
        )
        wait_for(lambda: not self.redis_up(), "Redis to stop", 20)

    # --- the app -------------------------------------------------------------------------

    def manage(self, *args: str, env: dict | None = None, timeout: int = 1800) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def helper(self, *args: str) -> str:
        result = subprocess.run(
            [PYTHON, str(ROOT / "scripts" / "faults_helpers.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return result.stdout.strip().splitlines()[-1]

    def helper_lines(self, *args: str) -> list[str]:
        result = subprocess.run(
            [PYTHON, str(ROOT / "scripts" / "faults_helpers.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return [line for line in result.stdout.splitlines() if line.strip()]

    def spawn(self, name: str, *command: str) -> None:
        log = (self.work / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self, workers: int = 3, threads: int = 4) -> None:
        """As docker-compose.yml runs it: gthread workers, so a sign-in waiting
        for the password check holds a thread and the pages keep flowing."""
        self.spawn(
            "web",
            PYTHON,
            "-m",
            "gunicorn",
            "xuncha.wsgi:application",
            "--bind",
            f"127.0.0.1:{WEB_PORT}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            "60",
        )
        wait_for(lambda: status(f"{BASE}/healthz") == 200, "gunicorn", 60)

    def start_worker(self) -> None:
        self.spawn(
            "worker",
            PYTHON,
            "-m",
            "celery",
            "-A",
            "xuncha",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        )

    def start_beat(self) -> None:
        self.spawn(
            "beat",
            PYTHON,
            "-m",
            "celery",
            "-A",
            "xuncha",
            "beat",
            "--loglevel=WARNING",
            "--schedule",
            str(self.work / "beat-schedule"),
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)

    def close(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)
        with contextlib.suppress(Exception):
            self.stop_redis()
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self.pg_ctl("stop")


def status(url: str, cookies: http.cookiejar.CookieJar | None = None) -> int:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(cookies or http.cookiejar.CookieJar())
    )
    try:
        with opener.open(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 599


def session_for(stack: Stack, username: str) -> http.cookiejar.CookieJar:
    """A signed-in session for ``username``, made the way the login view makes
    one (second factor included), without typing a password and a code."""
    key = stack.helper("session", username)
    jar = http.cookiejar.CookieJar()
    jar.set_cookie(
        http.cookiejar.Cookie(
            0,
            "sessionid",
            key,
            None,
            False,
            "127.0.0.1",
            False,
            False,
            "/",
            True,
            False,
            None,
            False,
            None,
            None,
            {},
        )
    )
    return jar
