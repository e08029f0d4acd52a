"""The Zero to JupyterHub values: valid YAML, only the chart's sections, and the settings the
deployment guide promises (see hub/kubernetes/README.md for what is not tested)."""

from pathlib import Path

import yaml

from conftest import ROOT

CHART_SECTIONS = {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller", "ingress", "rbac", "debug",
                  "global", "custom", "imagePullSecret", "imagePullSecrets"}


def test_values_parse_and_use_chart_sections():
    values = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    assert set(values) <= CHART_SECTIONS
    single = values["singleuser"]
    assert single["defaultUrl"] == "/lab" and single["memory"]["limit"] and single["cpu"]["limit"]
    assert {p["display_name"] for p in single["profileList"]} >= {"Leerplein: docent"}
    mounts = single["storage"]["extraVolumeMounts"]
    assert any(m["mountPath"] == "/srv/nbgrader/exchange" for m in mounts)
    assert "access:services!service=leerplein-grading" in values["hub"]["loadRoles"]["leerplein-docent"]["scopes"]
    assert values["cull"]["enabled"] is True
    config = (ROOT / "hub" / "kubernetes" / "nbgrader_config.py").read_text()
    assert "/srv/nbgrader/exchange" in config
    assert Path(ROOT / "hub" / "kubernetes" / "Dockerfile").read_text().count("constraints.txt") == 1
