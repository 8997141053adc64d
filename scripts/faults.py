"""make faults: the production shape on this machine, with faults made on purpose.

Builds a private PostgreSQL cluster and a private Redis (their own ports and
folders, so nothing else on the machine is touched), serves the app with
gunicorn (3 workers, production settings), runs a Celery worker and beat, and
then:

1. kills the worker with SIGKILL while it produces a document, starts a new
   one, and times how long until the document is done
   (``faults.job_recovery_s``);
2. restarts PostgreSQL under the running web workers and counts the error
   answers that follow (``faults.pg_restart_errors``);
3. stops Redis and counts error answers of the dashboard and the other pages
   that do not need the broker (``faults.redis_down_errors``);
4. backs the data up, restores it into an empty database and verifies it
   (``backup.restore_s``, ``backup.verified``); ``--city`` first loads the
   bench's city-scale data set.

Bounded: every wait has a limit, the whole run stops after --limit seconds,
and everything it started is stopped and removed at the end. Only 127.0.0.1.
"""

import argparse
import contextlib
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from prodshape import BASE, PG_PORT, Deadline, Stack, say, session_for, status, wait_for


def count_errors(urls: list[str], jar, rounds: int) -> tuple[int, int]:
    errors = total = 0
    for _ in range(rounds):
        for url in urls:
            code = status(url, jar)
            total += 1
            errors += code >= 500
    return errors, total


def job_state(stack: Stack, job_id: int) -> dict:
    import psycopg2  # the app's own driver, from the venv this runs in

    with (
        contextlib.closing(
            psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="xuncha")
        ) as db,
        db.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT status, attempts, message FROM reports_reportjob WHERE id = %s", [job_id]
        )
        state, attempts, message = cursor.fetchone()
    return {"status": state, "attempts": attempts, "message": message}


def fault_worker_killed(stack: Stack) -> float:
    job_id = int(stack.helper("request-ledger", "office"))
    wait_for(lambda: job_state(stack, job_id)["status"] == "running", "the job to start", 120, 0.05)
    stack.kill("worker")  # kill -9, mid-job
    killed = time.monotonic()
    say(f"worker killed while job #{job_id} was running; starting a new worker")
    stack.start_worker()
    final = wait_for(
        lambda: (s := job_state(stack, job_id))["status"] in ("done", "failed") and s,
        "the job",
        300,
        1,
    )
    recovery = time.monotonic() - killed
    say(f"job #{job_id} {final['status']} after {recovery:.1f} s (attempts {final['attempts']})")
    if final["status"] != "done":
        raise RuntimeError(f"the job failed: {final['message']}")
    return recovery


def fault_postgres_restart(stack: Stack, jar) -> int:
    urls = [f"{BASE}/healthz", f"{BASE}/", f"{BASE}/rounds/"]
    count_errors(urls, jar, 6)  # every web worker holds a persistent connection now
    stack.pg_ctl("restart")
    errors, total = count_errors(urls, jar, 12)
    say(f"after a PostgreSQL restart: {errors} error answers of {total}")
    return errors


def fault_redis_down(stack: Stack, jar) -> int:
    urls = [f"{BASE}/dashboard/", f"{BASE}/", f"{BASE}/rounds/"]
    stack.stop_redis()
    try:
        errors, total = count_errors(urls, jar, 4)
        health = status(f"{BASE}/healthz")
    finally:
        stack.start_redis()
    say(f"with Redis down: {errors} error answers of {total}; /healthz answered {health}")
    return errors


def backup_and_restore(stack: Stack) -> tuple[float, int]:
    passphrase = stack.work / "passphrase"
    passphrase.write_text(secrets.token_urlsafe(24))
    out = stack.manage(
        "backup", "--out", str(stack.work / "backups"), "--passphrase-file", str(passphrase)
    )
    say(out.strip().splitlines()[0])
    (backup,) = (stack.work / "backups").glob("*.xcb")
    stack.as_postgres("createdb", "-h", "127.0.0.1", "-p", str(PG_PORT), "restored")
    restored_env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/restored",
        "MEDIA_ROOT": str(stack.work / "restored-media"),
        "AUDIT_ANCHOR_FILE": str(stack.work / "restored-anchors" / "audit-anchors.log"),
    }
    out = stack.manage(
        "restore", str(backup), "--passphrase-file", str(passphrase), env=restored_env
    )
    figures = dict(line.split(": ", 1) for line in out.splitlines() if line.startswith("backup."))
    say(next(line for line in out.splitlines() if line.startswith("已恢复")))
    return float(figures["backup.restore_s"]), int(figures["backup.verified"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--city", action="store_true", help="load the bench's city-scale data first"
    )
    parser.add_argument("--limit", type=int, default=1800, help="stop after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    options = parser.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Deadline("time limit reached")))
    signal.alarm(options.limit)
    work = Path(tempfile.mkdtemp(prefix="xuncha-faults-"))
    stack = Stack(work)
    figures: dict[str, str] = {}
    try:
        say(f"building the production shape in {work}")
        stack.start_postgres()
        stack.start_redis()
        stack.manage("migrate", "--noinput", env={"XUNCHA_ENV": "development"})
        stack.manage("seed_demo", env={"XUNCHA_ENV": "development"})
        if options.city:
            say("loading the city-scale data set (bench)")
            # The dashboard's figures need every part of the shared data set; one run each.
            stack.manage(
                "bench",
                "--scale",
                "city",
                "--only",
                "dashboard.",
                "--runs",
                "1",
                env={"XUNCHA_ENV": "development"},
            )
        stack.manage("collectstatic", "--noinput")
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        jar = session_for(stack, "leadership")

        figures["faults.job_recovery_s"] = f"{fault_worker_killed(stack):.1f}"
        figures["faults.pg_restart_errors"] = str(fault_postgres_restart(stack, jar))
        figures["faults.redis_down_errors"] = str(fault_redis_down(stack, jar))
        restore_s, verified = backup_and_restore(stack)
        figures["backup.restore_s"] = f"{restore_s:.1f}"
        figures["backup.verified"] = str(verified)
    except Exception as error:
        say(f"stopped: {type(error).__name__}: {error}")
        for name in ("web", "worker", "beat"):
            log = work / f"{name}.log"
            if log.exists():
                print(f"--- {name}.log (tail)\n{log.read_text(errors='replace')[-3000:]}")
        return_code = 1
    else:
        return_code = 0
    finally:
        signal.alarm(0)
        stack.close()
        for name, value in figures.items():
            print(f"{name}: {value}")
        if options.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return return_code


if __name__ == "__main__":
    sys.exit(main())
