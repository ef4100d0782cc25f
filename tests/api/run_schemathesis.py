#!/usr/bin/env python
"""Fuzz the REST API from its own OpenAPI schema with schemathesis, as a customer and as staff.

A throwaway SQLite database in a temporary folder gets the migrations and the demo data, a
development server serves it on 127.0.0.1:8765, and schemathesis runs every operation of
/api/schema/ with the checks `not_a_server_error` and `response_schema_conformance`. The script
prints the counts (operations, test cases, failures) of each run and exits non-zero on any
failure, or when the server or the demo data cannot be set up.

    .venv/bin/python tests/api/run_schemathesis.py [--max-examples N] [--keep]

It is not a pytest module (pytest collects test_*.py only); .ci/run calls it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
PASSWORD = "demo-pass-2026"
PERSONAS = {"customer": "alice@acme.example", "staff": "manager@example.com"}
CHECKS = "not_a_server_error,response_schema_conformance"


def python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def schemathesis() -> str:
    venv = ROOT / ".venv" / "bin" / "schemathesis"
    found = str(venv) if venv.exists() else shutil.which("schemathesis")
    if not found:
        sys.exit("schemathesis is not installed (pip install -r requirements-dev.in)")
    return found


def manage(env: dict, *args: str) -> None:
    print(f"== manage.py {' '.join(args)}", flush=True)
    subprocess.run([python(), "manage.py", *args], cwd=ROOT, env=env, check=True)


def request(method: str, path: str, *, token: str = "", body: dict | None = None) -> dict:
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Token {token}"
    req = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def wait_for_server(server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped:\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(f"{BASE}/api/schema/", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    sys.exit(f"the server did not answer within 60 s:\n{log.read_text()[-4000:]}")


def token_for(email: str, env: dict) -> str:
    """A token for a demo user; staff add the current code of their authenticator (the demo
    manager's, printed by `manage.py otp_code`, which works with DEBUG only)."""
    body = {"username": email, "password": PASSWORD}
    if email == PERSONAS["staff"]:
        code = subprocess.run(
            [python(), "manage.py", "otp_code", email],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        body["otp_token"] = code
    return request("POST", "/api/v1/auth/token/", body=body)["token"]


def seed_ticket(token: str) -> None:
    """Give the fuzzer one real ticket of the customer to hit, besides random numbers."""
    contracts = request("GET", "/api/v1/contracts/", token=token)["results"]
    for contract in contracts:
        if contract["status"] != "active" or not contract["products"]:
            continue
        product = contract["products"][0]["code"]
        body = {
            "contract": contract["number"],
            "product": product,
            "version": "5.9",
            "priority": "P3",
            "subject": "Seeded by run_schemathesis.py",
            "description": "A ticket for the fuzzer to find.",
            "unmodified_build": True,
            "on_duty_name": "On duty",
            "on_duty_phone": "+86 138 0000 0000",
        }
        try:
            ticket = request("POST", "/api/v1/tickets/", token=token, body=body)
        except urllib.error.HTTPError as exc:
            print(f"   (no ticket under {contract['number']}: {exc.read().decode()[:200]})")
            continue
        print(f"   seeded ticket #{ticket['id']} under {contract['number']}")
        return


def run(persona: str, token: str, args, workdir: Path) -> dict:
    report = workdir / f"report-{persona}.json"
    command = [
        schemathesis(),
        "run",
        f"{BASE}/api/schema/",
        "--header",
        f"Authorization: Token {token}",
        "--header",
        "Accept-Language: en",
        "--checks",
        CHECKS,
        "--max-examples",
        str(args.max_examples),
        "--phases",
        args.phases,
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    print(f"== schemathesis as {persona} ({PERSONAS[persona]})", flush=True)
    completed = subprocess.run(command, cwd=workdir, check=False)
    counts = summarise(report)
    counts["exit"] = completed.returncode
    return counts


def summarise(report: Path) -> dict:
    """Operations, test cases and failures from schemathesis' JSON run report (4.x format)."""
    if not report.exists():
        return {"operations": 0, "cases": 0, "failures": "no report"}
    data = json.loads(report.read_text())
    cases = data.get("test_cases", {})
    return {
        "operations": data.get("operations", {}).get("tested", 0),
        "cases": cases.get("generated", 0),
        "failures": cases.get("with_failures", 0)
        + cases.get("errored", 0)
        + len(data.get("errors") or []),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="schemathesis-"))
    env = {
        **os.environ,
        "DJANGO_VAR_DIR": str(workdir / "var"),
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{workdir / 'var' / 'db.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_URL": "consolemail://",
        "PYTHONUNBUFFERED": "1",
    }
    log = workdir / "server.log"
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "demo_data")
        print(f"== runserver on {BASE} (log: {log})", flush=True)
        with log.open("w") as out:
            server = subprocess.Popen(
                [python(), "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_server(server, log)
        tokens = {persona: token_for(email, env) for persona, email in PERSONAS.items()}
        seed_ticket(tokens["customer"])
        results = {persona: run(persona, token, args, workdir) for persona, token in tokens.items()}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    errors = [line for line in log.read_text().splitlines() if "Internal Server Error" in line]
    print("== schemathesis summary")
    failed = bool(errors)
    for persona, counts in results.items():
        print(
            f"{persona}: {counts['operations']} operations, {counts['cases']} test cases, "
            f"{counts['failures']} failures (exit {counts['exit']})"
        )
        failed = failed or counts["exit"] != 0 or counts["failures"] != 0
    if errors:
        print(f"server log: {len(errors)} internal server errors, see {log}")
    if args.keep or failed:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
