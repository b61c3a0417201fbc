"""docker-compose.yml and the Dockerfile agree with the code they deploy.

No Docker engine runs here, so the stack itself is not started in CI; these checks catch what
breaks a compose deployment silently: a service command the CLI no longer has, an option it
dropped, a REIMBURSE_ variable no setting reads, a health check on a route that is gone, a
dependency on a service without a health check, an extra the image does not install.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from reimburse.api.app import create_app
from reimburse.cli import app as cli
from reimburse.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load(COMPOSE_TEXT)
DOCKERFILE = (ROOT / "Dockerfile").read_text()
INSTALL_SCRIPT = (ROOT / "docker" / "install-python-deps.sh").read_text()
APP_SERVICES = ("api", "worker", "beat")


def _cli_accepts(argv: list[str]) -> None:
    assert argv[0] == "reimburse", argv
    command = [a for a in argv[1:] if not a.startswith("-")][:1]
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, (argv, result.output)
    for option in (a for a in argv[1:] if a.startswith("--")):
        assert option.split("=")[0] in result.output, (argv, option)


def test_every_service_the_deployment_needs_is_there() -> None:
    services = COMPOSE["services"]
    assert {"api", "worker", "beat", "postgres", "redis"} <= set(services)
    for name, service in services.items():
        for dependency, how in (service.get("depends_on") or {}).items():
            assert dependency in services, (name, dependency)
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], (name, dependency)


def test_app_services_run_commands_the_cli_has() -> None:
    for name in APP_SERVICES:
        _cli_accepts(COMPOSE["services"][name]["command"])
    default = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert default is not None
    _cli_accepts(yaml.safe_load(default.group(1)))


def test_every_reimburse_variable_is_a_setting() -> None:
    fields = set(Settings.model_fields)
    # set ones, and the commented-out options (S3) a deployer uncomments
    names = set(COMPOSE["x-app"]["environment"]) | set(re.findall(r"#\s*(REIMBURSE_\w+):", COMPOSE_TEXT))
    assert "REIMBURSE_SECRET_KEY" in names and "REIMBURSE_BROKER_URL" in names
    for name in names:
        assert name.startswith("REIMBURSE_") and name.removeprefix("REIMBURSE_").lower() in fields, name


def test_the_image_installs_what_the_services_use() -> None:
    assert "docker/install-python-deps.sh" in DOCKERFILE
    install = re.search(r'pip install "\$project\[([\w,]+)\]"', INSTALL_SCRIPT)
    assert install is not None
    extras = set(install.group(1).split(","))
    environment = COMPOSE["x-app"]["environment"]
    assert environment["REIMBURSE_DATABASE_URL"].startswith("postgresql+psycopg") and "postgres" in extras
    assert "s3" in extras  # the commented-out S3 store needs boto3 in the image


def test_the_api_health_check_asks_a_route_the_app_serves(tmp_path: Path) -> None:
    check = " ".join(COMPOSE["services"]["api"]["healthcheck"]["test"])
    path = re.search(r"https?://[^/]+(/[\w/]*)", check)
    assert path is not None, check
    assert shlex.split(check)  # a well-formed command line
    with TestClient(create_app(Settings(environment="test", data_dir=tmp_path))) as client:
        assert client.get(path.group(1)).status_code == 200


def test_the_image_keeps_one_headless_opencv_and_ci_checks_it() -> None:
    # rapidocr-onnxruntime pulls the GUI build (needs libGL, absent from python:3.11-slim)
    assert "pip uninstall -y opencv-python" in INSTALL_SCRIPT.replace("$pip", "pip")
    assert "opencv-python-headless==" in INSTALL_SCRIPT
    assert "python:3.11-slim" in DOCKERFILE
    assert ".ci/image-deps" in (ROOT / ".ci" / "run").read_text()
