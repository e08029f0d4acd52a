"""The Zero to JupyterHub values: valid YAML, only the chart's sections, and the settings the
deployment guide promises (see hub/kubernetes/README.md for what is not tested)."""

from pathlib import Path

import pytest
import yaml

from conftest import ROOT

CHART_SECTIONS = {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller", "ingress", "rbac", "debug",
                  "global", "custom", "imagePullSecret", "imagePullSecrets"}


def test_values_parse_and_use_chart_sections():
    values = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    assert set(values) <= CHART_SECTIONS
    single = values["singleuser"]
    assert single["defaultUrl"] == "/leerplein" and single["memory"]["limit"] and single["cpu"]["limit"]
    assert single["extraEnv"]["JUPYTER_CONFIG_PATH"].startswith("/etc/leerplein/student:")
    docent = next(p for p in single["profileList"] if p["display_name"] == "Leerplein: docent")
    assert docent["kubespawner_override"]["default_url"] == "/lab"
    assert docent["kubespawner_override"]["environment"]["JUPYTER_CONFIG_PATH"] == "/etc/leerplein/jupyter"
    # Peiling and the leerkring: service entries whose address is the Deployment's Service
    for name in ("peiling", "leerkring"):
        service = values["hub"]["services"][name]
        manifests = list(yaml.safe_load_all((ROOT / "hub" / "kubernetes" / f"{name}.yaml").read_text()))
        svc = next(m for m in manifests if m["kind"] == "Service")
        assert service["url"] == f"http://{svc['metadata']['name']}:{svc['spec']['ports'][0]['port']}"
        pod = next(m for m in manifests if m["kind"] == "Deployment")["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        env = {e["name"]: e for e in pod["containers"][0]["env"]}
        assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == f"hub.services.{name}.apiToken"
        assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == f"/services/{name}/"
        assert f"access:services!service={name}" in values["hub"]["loadRoles"]["leerplein-student"]["scopes"]
    mounts = single["storage"]["extraVolumeMounts"]
    assert any(m["mountPath"] == "/srv/nbgrader/exchange" for m in mounts)
    assert "access:services!service=leerplein-grading" in values["hub"]["loadRoles"]["leerplein-docent"]["scopes"]
    assert values["cull"]["enabled"] is True
    config = (ROOT / "hub" / "kubernetes" / "nbgrader_config.py").read_text()
    assert "/srv/nbgrader/exchange" in config
    from leerplein.course.course import exchange_factory_config

    assert exchange_factory_config().replace("'", '"') in config.replace("'", '"')  # every guarded exchange step
    assert Path(ROOT / "hub" / "kubernetes" / "Dockerfile").read_text().count("constraints.txt") == 1


SHARED_CHART = ROOT.parent / "shared" / "z2jh" / "jupyterhub"


def _merge(base, override):
    """Helm's merge of a values file over the chart's defaults: maps merge, everything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        return {k: _merge(base.get(k), v) if k in base else v for k, v in {**base, **override}.items()}
    return override


def test_every_student_pod_gets_its_own_uid_the_grader_can_check():
    """The hub pod runs the extraConfig snippet; collect in the grading pod uses
    leerplein.identity with LEERPLEIN_UID_SCHEME=hash. Both must give the same uid."""
    from types import SimpleNamespace

    from traitlets.config import Config

    from leerplein.identity import hashed_uid, hashed_uid_collisions

    values = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    c = Config()
    exec(values["hub"]["extraConfig"]["leerplein-uids"], {"c": c})  # as the chart's jupyterhub_config.py does
    names = ["anna", "bob", "eva", "j.devries@roc.nl", "ëlif", "lpxanna", "1000"]
    uids = [c.KubeSpawner.uid(SimpleNamespace(user=SimpleNamespace(name=n))) for n in names]
    assert uids == [hashed_uid(n) for n in names]
    assert len(set(uids)) == len(uids) and min(uids) >= 200_000 and 1000 not in uids and max(uids) < 2**31
    assert values["singleuser"]["extraEnv"]["LEERPLEIN_UID_SCHEME"] == "hash"
    assert hashed_uid_collisions([f"student{i}" for i in range(5000)]) == []


@pytest.mark.skipif(not SHARED_CHART.is_dir(), reason="the chart copy lives in ../shared/z2jh")
def test_values_merged_over_the_chart_defaults_pass_the_chart_schema():
    import jsonschema

    schema = yaml.safe_load((SHARED_CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((SHARED_CHART / "values.yaml").read_text())
    ours = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    merged = _merge(defaults, ours)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(merged), key=lambda e: list(e.path))
    assert errors == [], "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)
    broken = _merge(merged, {"singleuser": {"uid": "duizend"}})
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken)), "the schema check must be able to fail"
