"""The grading service (rubric pages and Werkplek) listens where its environment says: on one
machine on 127.0.0.1 only (the hub's proxy is on the same host), in the Kubernetes grading pod on
every address so the `leerplein-grading` Service reaches it. The real service process is started
with the grading pod's own environment from hub/kubernetes/grading.yaml (paths mapped to a tmp dir)
and reached through an address of this machine that is not loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from conftest import ROOT
from hub_helpers import port_for

KUBE = ROOT / "hub" / "kubernetes"
PREFIX = "/services/leerplein-grading/"


def grading_manifests() -> tuple[dict, dict]:
    manifests = list(yaml.safe_load_all((KUBE / "grading.yaml").read_text()))
    pod = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]
    return pod, next(m for m in manifests if m["kind"] == "Service")


def pod_env(tmp_path: Path) -> dict[str, str]:
    """The grading container's env; /srv/... paths under tmp_path, the secret's token a dummy."""
    container = grading_manifests()[0]["containers"][0]
    env = {e["name"]: e.get("value", "dummy-token") for e in container["env"]}
    for name, value in env.items():
        if value.startswith("/srv/"):
            env[name] = str(tmp_path / value.lstrip("/"))
    env["LEERPLEIN_ROOT"] = str(ROOT)
    return env


def this_machines_address() -> str:
    """The first IPv4 address of this machine that is not loopback."""
    found = [a for a in subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
             if a.count(".") == 3 and not a.startswith("127.")]
    if not found:
        pytest.skip("this machine has no IPv4 address besides loopback")
    return found[0]


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def start_service(env: dict[str, str], port: int):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "LEERPLEIN_"))},
           **env, "LEERPLEIN_GRADING_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "leerplein.hub.grading_service"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not answers("127.0.0.1", port):  # it listens on loopback in both cases: wait until it does
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the grading service did not start:\n{proc.communicate()[0]}")
        time.sleep(0.2)
    return proc


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_in_the_grading_pod_the_service_is_reached_from_outside(tmp_path):
    address, port = this_machines_address(), port_for(50)
    proc = start_service(pod_env(tmp_path), port)
    try:
        page = requests.get(f"http://{address}:{port}{PREFIX}", allow_redirects=False, timeout=20)
        # not logged in: off to the hub's login (the hub decides who may enter)
        assert page.status_code == 302 and "/hub/" in page.headers["Location"]
    finally:
        stop(proc)


def test_on_one_machine_only_loopback_is_served(tmp_path):
    """The hub sets JUPYTERHUB_SERVICE_URL to the service's url (127.0.0.1:port); without it the
    default is 127.0.0.1 too. Either way another address of the machine is refused."""
    address, port = this_machines_address(), port_for(51)
    for url in (None, f"http://127.0.0.1:{port}"):
        env = pod_env(tmp_path)
        env.pop("JUPYTERHUB_SERVICE_URL", None)
        if url:
            env["JUPYTERHUB_SERVICE_URL"] = url
        proc = start_service(env, port)
        try:
            assert requests.get(f"http://127.0.0.1:{port}{PREFIX}", allow_redirects=False,
                                timeout=20).status_code == 302
            with pytest.raises(requests.ConnectionError):
                requests.get(f"http://{address}:{port}{PREFIX}", allow_redirects=False, timeout=5)
        finally:
            stop(proc)


def test_grading_yaml_listens_on_the_port_its_service_and_the_hub_use():
    from leerplein.hub.grading_service import listen_address

    pod, service = grading_manifests()
    container = pod["containers"][0]
    env = {e["name"]: e.get("value", "") for e in container["env"]}
    address, port = listen_address(env)
    assert address == "0.0.0.0"
    assert port == container["ports"][0]["containerPort"] == service["spec"]["ports"][0]["targetPort"]
    values = yaml.safe_load((KUBE / "values.yaml").read_text())
    assert values["hub"]["services"]["leerplein-grading"]["url"] == \
        f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"


def test_only_the_hubs_proxy_and_the_hub_may_connect_to_the_grading_pod():
    manifests = list(yaml.safe_load_all((KUBE / "grading.yaml").read_text()))
    policy = next(m for m in manifests if m["kind"] == "NetworkPolicy")
    pod_labels = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    [rule] = policy["spec"]["ingress"]
    assert rule["ports"] == [{"port": 8103}]
    # z2jh's own labels on its proxy and hub pods (chart templates, "jupyterhub.matchLabels")
    assert [f["podSelector"]["matchLabels"] for f in rule["from"]] == [
        {"app": "jupyterhub", "component": "proxy"}, {"app": "jupyterhub", "component": "hub"}]
