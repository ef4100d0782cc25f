"""The deployment files (deploy/) hang together: docker is not run here, so the compose file is
parsed and compared with the systemd units and the Celery routes it must serve."""

import configparser
import re
import shlex
from pathlib import Path

import yaml
from django.conf import settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def queues_of(command: list[str] | str) -> set[str]:
    words = shlex.split(command) if isinstance(command, str) else command
    return set(words[words.index("-Q") + 1].split(",")) if "-Q" in words else set()


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {
        settings.CELERY_TASK_DEFAULT_QUEUE
    }


def test_compose_has_the_production_shape():
    services = compose()["services"]

    assert {"db", "redis", "migrate", "web", "worker-sla", "worker-outbox", "beat"} <= set(services)
    beats = [s for s in services.values() if "beat" in s.get("command", [])]
    assert len(beats) == 1
    assert services["web"]["command"][0] == "gunicorn"
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_every_routed_queue_has_a_worker_and_the_sweep_has_one_of_its_own():
    services = compose()["services"]
    sla = queues_of(services["worker-sla"]["command"])
    outbox = queues_of(services["worker-outbox"]["command"])

    assert sla == {"sla"}
    assert sla | outbox == routed_queues()
    assert not sla & outbox


def test_the_systemd_units_run_the_same_processes_as_compose():
    services = compose()["services"]
    sla = unit("portal-worker-sla.service")["Service"]["ExecStart"]
    outbox = unit("portal-worker-outbox@.service")["Service"]["ExecStart"]
    beat = unit("portal-beat.service")["Service"]["ExecStart"]
    web = unit("portal-web.service")["Service"]["ExecStart"]

    assert queues_of(sla) == queues_of(services["worker-sla"]["command"])
    assert queues_of(outbox) == queues_of(services["worker-outbox"]["command"])
    assert " beat " in beat
    assert "gunicorn config.wsgi --config deploy/gunicorn.conf.py" in web
    wanted = unit("portal.target")["Unit"]["Wants"].split()
    assert {"portal-web.service", "portal-worker-sla.service", "portal-beat.service"} <= set(wanted)


def test_the_image_is_multi_stage_non_root_and_collects_static_files_at_build():
    dockerfile = (DEPLOY / "Dockerfile").read_text()

    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2
    assert "collectstatic --noinput" in dockerfile
    final_stage = dockerfile.rsplit("FROM ", 1)[1]
    assert re.search(r"^USER portal$", final_stage, re.MULTILINE)
    assert "HEALTHCHECK" in final_stage


def test_the_proxy_sets_the_security_headers_and_hides_metrics():
    conf = (DEPLOY / "nginx" / "portal.conf").read_text()

    for header in (
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Permissions-Policy",
    ):
        assert f"add_header {header}" in conf
    assert "location = /metrics { return 404; }" in conf
    assert "X-Request-ID $request_id" in conf
