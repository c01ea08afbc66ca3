"""`prefect.yaml` is deployable: every entrypoint is a Prefect flow, every parameter is one the
flow takes and passes its validation, `options` are `Settings` fields, schedules parse as
cron, and the work pool is defined (and documented with the command that creates it).

Checked with Prefect's own loaders (`load_flow_from_entrypoint`, `CronSchedule`), so what
passes here is what `prefect deploy --all` would accept.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint
from pydantic import ValidationError

from medcodes.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = CONFIG["deployments"]


def _flow(entrypoint: str) -> Flow:
    path, _, name = entrypoint.partition(":")
    assert (REPO / path).is_file(), f"entrypoint file {path} does not exist"
    return load_flow_from_entrypoint(f"{REPO / path}:{name}")


def deployment_problems(deployment: dict) -> list[str]:
    """Everything in one deployment that `prefect deploy` or its first run would reject."""
    problems = []
    flow = _flow(deployment["entrypoint"])
    if not isinstance(flow, Flow):
        return [f"{deployment['entrypoint']} is not a Prefect flow"]
    parameters = deployment.get("parameters", {})
    unknown = sorted(set(parameters) - set(flow.parameters.properties))
    if unknown:
        problems.append(f"parameters {unknown} are not parameters of {flow.name}")
    else:
        try:
            flow.validate_parameters(parameters)
        except Exception as exc:  # noqa: BLE001 - Prefect raises several kinds; all are failures here
            problems.append(f"parameters fail validation: {exc}")
    options = parameters.get("options") or {}
    unknown_options = sorted(set(options) - set(Settings.model_fields))
    if unknown_options:
        problems.append(f"options {unknown_options} are not Settings fields")
    else:
        try:
            Settings(**options)
        except ValidationError as exc:
            problems.append(f"options fail Settings validation: {exc}")
    for schedule in deployment.get("schedules", []):
        try:
            CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone"))
        except (KeyError, ValidationError) as exc:
            problems.append(f"schedule {schedule} is not a cron schedule: {exc}")
    return problems


def _pool_names() -> set[str]:
    return {pool["name"] for pool in CONFIG.get("definitions", {}).get("work_pools", {}).values()}


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_deployment_is_valid(deployment):
    assert deployment_problems(deployment) == []


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_work_pool_is_defined_and_documented(deployment):
    name = deployment["work_pool"]["name"]
    assert name in _pool_names()
    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    assert f"prefect work-pool create {name}" in operations


def test_deployment_names_are_unique_and_scheduled():
    names = [d["name"] for d in DEPLOYMENTS]
    assert names and len(names) == len(set(names))
    assert all(d.get("schedules") for d in DEPLOYMENTS)


@pytest.mark.parametrize("break_it, expected", [
    (lambda d: d["parameters"].__setitem__("out_dirr", d["parameters"].pop("out_dir")), "out_dirr"),
    (lambda d: d["parameters"].__setitem__("sources", "not-a-list"), "fail validation"),
    (lambda d: d["parameters"]["options"].__setitem__("re_parse", True), "re_parse"),
    (lambda d: d["parameters"]["options"].__setitem__("keep_snapshots", 0), "Settings validation"),
    (lambda d: d["schedules"][0].__setitem__("cron", "0 25 * * *"), "not a cron schedule"),
    (lambda d: d.__setitem__("entrypoint", "flows/refresh.py:no_such_flow"), "no_such_flow"),
])
def test_the_checks_catch_mistakes(break_it, expected):
    broken = copy.deepcopy(DEPLOYMENTS[0])
    break_it(broken)
    try:
        problems = deployment_problems(broken)
    except Exception as exc:  # noqa: BLE001 - a loader error is a caught mistake too
        problems = [f"{type(exc).__name__}: {exc}"]
    assert any(expected in p for p in problems), problems
