"""The built collection holds what users run, and none of the test tooling."""
import os
import subprocess
import sys
import tarfile

from tests.integration.helpers import REPO_ROOT


def test_built_collection_keeps_test_tooling_out(tmp_path):
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    result = subprocess.run([galaxy, "collection", "build", "--output-path", str(tmp_path), REPO_ROOT],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    import yaml
    with open(os.path.join(REPO_ROOT, "galaxy.yml")) as handle:
        version = yaml.safe_load(handle)["version"]
    with tarfile.open(str(tmp_path / ("netops-calico-%s.tar.gz" % version))) as archive:
        names = archive.getnames()
    assert "plugins/modules/calico_bgp_peer.py" in names
    assert "plugins/module_utils/_datastore_etcd.py" in names
    assert "roles/bgp_peering/meta/argument_specs.yml" in names
    assert "playbooks/rack_rollout.yml" in names
    assert "meta/runtime.yml" in names and "requirements.txt" in names
    tooling = [name for name in names if name.split("/")[0] in (
        "tests", "extensions", ".ci", "Makefile", "pytest.ini", ".venv", ".tmp", ".ansible-lint", ".gitignore")]
    assert tooling == []
