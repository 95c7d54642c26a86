"""Helpers shared by integration tests: reading etcd the way calicoctl would, running real
ansible-playbook, running modules in separate processes."""
import json
import os
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREFIX = "/calico/resources/v3/projectcalico.org/"


def stored(etcd, key):
    """(parsed JSON, raw text, mod_revision) of a key read with etcdctl, or (None, None, 0)."""
    result = json.loads(etcd.etcdctl("get", key, "-w", "json").stdout)
    if not result.get("kvs"):
        return None, None, 0
    import base64

    raw = base64.b64decode(result["kvs"][0]["value"]).decode()
    return json.loads(raw), raw, int(result["kvs"][0]["mod_revision"])


def revision(etcd):
    """The cluster revision: unchanged means nothing at all was written."""
    return int(json.loads(etcd.etcdctl("get", "/", "-w", "json").stdout)["header"]["revision"])


def put(etcd, key, value):
    etcd.etcdctl("put", key, value if isinstance(value, str) else json.dumps(value))


def put_filters(etcd, *names):
    """BGPFilters (one export rule each) as calicoctl stores them, for peers that name them."""
    for name in names:
        put(etcd, PREFIX + "bgpfilters/" + name, {
            "kind": "BGPFilter", "apiVersion": "projectcalico.org/v3",
            "metadata": {"name": name, "uid": "3f1b0a52-9a51-4a31-a9ef-0d6cf4c1a0%02d" % (len(name) % 100),
                         "creationTimestamp": "2026-11-30T10:00:00Z"},
            "spec": {"exportV4": [{"action": "Accept"}]}})


def run_in_processes(calls):
    """Run [(module, args)] each in its own Python process, all at once; returns results."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO_ROOT, os.path.join(REPO_ROOT, ".tmp", "collections")]))
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.support.module_runner", name, json.dumps(args)],
                         cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, args in calls]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out))
    return results


def ansible_playbook(playbook_text, *options, **kwargs):
    """Run a playbook (YAML text) with the real ansible-playbook; returns CompletedProcess."""
    inventory = kwargs.pop("inventory", "localhost ansible_connection=local ansible_python_interpreter=%s\n"
                           % sys.executable)
    workdir = tempfile.mkdtemp(prefix="netops-calico-play-")
    playbook = os.path.join(workdir, "play.yml")
    inventory_path = os.path.join(workdir, "inventory")
    with open(playbook, "w") as handle:
        handle.write(playbook_text)
    with open(inventory_path, "w") as handle:
        handle.write(inventory)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, ".tmp", "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    env.update(kwargs.pop("env", {}))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory_path,
               playbook] + list(options)
    try:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False, **kwargs)
    finally:
        subprocess.run(["rm", "-rf", workdir], check=False)
