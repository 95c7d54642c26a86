"""Every module and role documents itself through ansible-doc (what users read first)."""
import os
import re
import subprocess
import sys

import pytest

from tests.integration.helpers import REPO_ROOT

MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
ROLES = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, "roles"))
               if os.path.isfile(os.path.join(REPO_ROOT, "roles", name, "meta", "argument_specs.yml"))) \
    if os.path.isdir(os.path.join(REPO_ROOT, "roles")) else []


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO_ROOT, ".tmp", "collections"),
               ANSIBLE_NOCOLOR="1")
    return subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc")] + list(args),
                          env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("module", MODULES)
def test_module_renders_with_examples(module):
    result = ansible_doc("netops.calico." + module)
    assert result.returncode == 0, result.stderr
    assert "EXAMPLES" in result.stdout and "netops.calico.%s:" % module in result.stdout
    assert "[WARNING]" not in result.stderr, result.stderr


def takes_etcd_options(module):
    with open(os.path.join(REPO_ROOT, "plugins", "modules", module + ".py")) as handle:
        return "netops.calico.etcd" in handle.read()


def test_the_action_group_lists_every_datastore_module():
    import yaml

    with open(os.path.join(REPO_ROOT, "meta", "runtime.yml")) as handle:
        runtime = yaml.safe_load(handle)
    datastore_modules = [module for module in MODULES if takes_etcd_options(module)]
    assert sorted(runtime["action_groups"]["calico"]) == datastore_modules
    assert len(datastore_modules) == len(MODULES) - 1  # all but calico_node_status, which reads BIRD


@pytest.mark.parametrize("role", ROLES)
def test_role_argument_spec_renders(role):
    result = ansible_doc("-t", "role", "netops.calico." + role)
    assert result.returncode == 0, result.stderr
    # ansible-doc marks names up (*main* without colour, escapes with it)
    assert re.search(r"ENTRY POINT: \W*main\b", result.stdout), result.stdout[:500]


def test_the_inventory_plugin_renders_with_examples():
    result = ansible_doc("-t", "inventory", "netops.calico.calico_nodes")
    assert result.returncode == 0, result.stderr
    assert "EXAMPLES" in result.stdout and "plugin: netops.calico.calico_nodes" in result.stdout
    for option in ("keyed_groups", "compose", "cache", "etcd_endpoints", "calico_version"):
        assert option in result.stdout
    assert "[WARNING]" not in result.stderr, result.stderr
