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


KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""
ROSTER = ("username,name,role,course\nhkdoc,Docent Hk,teacher,groep-a;groep-b\n"
          "hkanna,Anna Hk,student,groep-a\nhkbert,Bert Hk,student,groep-b\n")


def mensen_mount(values) -> str:
    """Where the hub pod sees the ConfigMap leerplein-mensen (the one Peiling and the leerkring read)."""
    [volume] = [v for v in values["hub"]["extraVolumes"] if v["name"] == "leerplein-mensen"]
    assert volume["configMap"]["name"] == "leerplein-mensen"
    [mount] = [m for m in values["hub"]["extraVolumeMounts"] if m["name"] == "leerplein-mensen"]
    assert mount.get("readOnly") is True and "subPath" not in mount  # a remade ConfigMap reaches the pod
    for service in ("peiling", "leerkring"):
        pod = next(m for m in yaml.safe_load_all((ROOT / "hub" / "kubernetes" / f"{service}.yaml").read_text())
                   if m["kind"] == "Deployment")["spec"]["template"]["spec"]
        assert any(v.get("configMap", {}).get("name") == "leerplein-mensen" for v in pod["volumes"]) or \
            service == "peiling"  # Peiling's roster is optional (LEERPLEIN_PEILING_MENSEN)
    return f"{mount['mountPath']}/mensen.json"


def hub_config(values, people_file: Path):
    """What the chart's jupyterhub_config.py makes of our values for KubeSpawner (extraEnv ->
    environment, profileList -> profile_list, then every hub.extraConfig in order), with the
    ConfigMap's path in the hub pod pointed at people_file."""
    from traitlets.config import Config

    path = mensen_mount(values)
    c = Config()
    c.KubeSpawner.environment = dict(values["singleuser"]["extraEnv"])
    c.KubeSpawner.profile_list = values["singleuser"]["profileList"]
    assert path in values["hub"]["extraConfig"]["leerplein-cohorts"]
    for _, snippet in sorted(values["hub"]["extraConfig"].items()):
        exec(snippet.replace(path, str(people_file)), {"c": c})
    return c


def spawned_env(c, name: str, options: dict, groups: tuple = ()) -> dict:
    """The environment of the pod a real KubeSpawner would create for her (no cluster needed)."""
    import asyncio

    from kubespawner import KubeSpawner

    async def spawn():
        spawner = KubeSpawner(config=c, _mock=True)
        spawner.user.name = name
        spawner.user.groups = list(groups)
        spawner.user_options = options
        await spawner.load_user_options()
        pod = await spawner.get_pod_manifest()
        [container] = pod.spec.containers
        return {e.name: e.value for e in container.env}

    # A browser test in the same worker may leave Playwright's loop running on this thread;
    # asyncio.run refuses a running loop, so the spawn gets a thread (and a loop) of its own.
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(spawn())).result()


@pytest.fixture
def cluster_config(tmp_path, monkeypatch):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)  # KubeSpawner loads one; nothing here talks to it
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))


def test_every_students_server_is_told_her_cohort_from_the_roster(tmp_path, cluster_config):
    from leerplein.course.cohorts import cohort_of, people_from_roster, write_people_file
    from leerplein.roster import read_roster

    values = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    roster, mensen = tmp_path / "roster.csv", tmp_path / "mensen" / "mensen.json"
    roster.write_text(ROSTER)
    people = people_from_roster(read_roster(roster))  # the course's copy, which the ConfigMap is made from
    write_people_file(mensen, people)
    c = hub_config(values, mensen)
    student, teacher = {"profile": "leerplein-armoede-en-bestaanszekerheid"}, {"profile": "leerplein-docent"}
    assert spawned_env(c, "hkanna", student)["LEERPLEIN_COHORT"] == cohort_of(people, "hkanna") == "groep-a"
    assert spawned_env(c, "hkbert", {})["LEERPLEIN_COHORT"] == cohort_of(people, "hkbert") == "groep-b"
    # she cannot choose it: not by options of her own; and the teachers' profile is not hers to pick
    with pytest.raises(ValueError, match="No such profile"):
        spawned_env(c, "hkanna", teacher)
    teacher_env = spawned_env(c, "hkdoc", teacher, groups=("leerplein-docenten",))
    assert teacher_env["LEERPLEIN_ROLE"] == "docent" and "LEERPLEIN_ROLE" not in spawned_env(c, "hkanna", student)
    try:
        env = spawned_env(c, "hkanna", {**student, "LEERPLEIN_COHORT": "groep-b",
                                        "environment": {"LEERPLEIN_COHORT": "groep-b"}})
    except ValueError:  # KubeSpawner may refuse options it does not know: as good
        env = {"LEERPLEIN_COHORT": "groep-a"}
    assert env["LEERPLEIN_COHORT"] == "groep-a"
    # no cohort for a teacher or a name the roster does not know (nothing released is listed)
    assert teacher_env["LEERPLEIN_COHORT"] == "" and cohort_of(people, "hkdoc") is None
    assert spawned_env(c, "hkonbekend", student)["LEERPLEIN_COHORT"] == ""
    # a remade ConfigMap counts from her next start
    people["hkanna"]["cursus"], people["hkanna"]["cursussen"] = "groep-b", ["groep-b"]
    write_people_file(mensen, people)
    assert spawned_env(c, "hkanna", student)["LEERPLEIN_COHORT"] == "groep-b"
    # no roster, or one that cannot be read: no cohort (fails closed), never a traceback at spawn
    for broken in (None, "{", "[1, 2]", '{"hkanna": "groep-a"}'):
        mensen.unlink(missing_ok=True)
        if broken is not None:
            mensen.write_text(broken)
        assert spawned_env(c, "hkanna", student)["LEERPLEIN_COHORT"] == ""
    mensen.write_text("{}")  # an empty roster: the one default cohort, as on one machine
    assert spawned_env(c, "hkanna", student)["LEERPLEIN_COHORT"] == cohort_of({}, "hkanna") == "leerplein"


def test_only_the_hub_sets_the_cohort():
    values = yaml.safe_load((ROOT / "hub" / "kubernetes" / "values.yaml").read_text())
    single = values["singleuser"]
    assert "LEERPLEIN_COHORT" not in single["extraEnv"]
    for profile in single["profileList"]:
        override = profile.get("kubespawner_override", {})
        assert "LEERPLEIN_COHORT" not in override.get("environment", {})
        assert "profile_options" not in profile  # no free choice a student could fill in
    assert "LEERPLEIN_COHORT" not in str(single)
