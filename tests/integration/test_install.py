"""Install as users install: the built archive, into a fresh virtualenv, as README.collection.md
says, then a playbook that uses the collection against a real etcd. And nothing the installed
collection ships points at a file that does not ship."""
import os
import re
import subprocess
import sys
import tarfile

import yaml

from tests.integration.helpers import PREFIX, REPO_ROOT, stored


def build(tmp_path):
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    result = subprocess.run([galaxy, "collection", "build", "--output-path", str(tmp_path), REPO_ROOT],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    with open(os.path.join(REPO_ROOT, "galaxy.yml")) as handle:
        version = yaml.safe_load(handle)["version"]
    return str(tmp_path / ("netops-calico-%s.tar.gz" % version)), version


def test_the_shipped_readme_points_only_at_what_ships(tmp_path):
    archive, version = build(tmp_path)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        readme = tar.extractfile("README.collection.md").read().decode()
    assert "COPYING" in names and "README.md" not in names
    assert "GNU GENERAL PUBLIC LICENSE" in open(os.path.join(REPO_ROOT, "COPYING")).read()
    for forbidden in ("make demo", "make test", "make bench", "tests/", ".ci/", "Makefile"):
        assert forbidden not in readme, forbidden
    for path in set(re.findall(r"`((?:playbooks|roles|plugins|meta)/[^`\s]+)`", readme)):
        assert any(name == path.rstrip("/") or name.startswith(path.rstrip("/") + "/") for name in names), path
    assert "netops-calico-%s.tar.gz" % version in readme  # the install command names this archive
    # every source file's header names the licence file that ships
    for name in names:
        if name.endswith(".py") and name.startswith("plugins/"):
            text = tar_text(archive, name)
            assert "see COPYING" in text, name


def tar_text(archive, name):
    with tarfile.open(archive) as tar:
        return tar.extractfile(name).read().decode()


def test_a_fresh_virtualenv_installs_the_archive_as_the_readme_says_and_runs_a_playbook(etcd, tmp_path):
    archive, version = build(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / "bin"
    import ansible
    env = dict((key, value) for key, value in os.environ.items()
               if not key.startswith(("ANSIBLE_", "PYTHONPATH", "VIRTUAL_ENV")))
    env.update(HOME=str(home), ANSIBLE_NOCOLOR="1", PATH="%s:%s" % (bin_dir, os.environ["PATH"]))
    pip = subprocess.run([str(bin_dir / "pip"), "install", "--quiet", "ansible-core==%s" % ansible.__version__],
                         capture_output=True, text=True, env=env, timeout=600, check=False)
    assert pip.returncode == 0, pip.stderr
    # README.collection.md, Install, command by command (cd to the archive's directory)
    installed = subprocess.run(["ansible-galaxy", "collection", "install", os.path.basename(archive)],
                               cwd=os.path.dirname(archive), capture_output=True, text=True, env=env,
                               timeout=300, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    requirements = home / ".ansible" / "collections" / "ansible_collections" / "netops" / "calico" / "requirements.txt"
    deps = subprocess.run(["pip", "install", "--quiet", "-r", str(requirements)], capture_output=True, text=True,
                          env=env, timeout=600, check=False)
    assert deps.returncode == 0, deps.stderr
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump([{
        "hosts": "localhost", "gather_facts": False,
        "module_defaults": {"group/netops.calico.calico": {"etcd_endpoints": etcd.endpoints}},
        "tasks": [
            {"name": "Set the default AS", "netops.calico.calico_bgp_config": {"as_number": 64513}},
            {"name": "Read it back", "netops.calico.calico_bgp_config_info": {}, "register": "bgp"},
            {"name": "Check", "ansible.builtin.assert": {"that": ["bgp.calicoctl.asNumber == '64513'"]}},
        ]}]))
    run = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", "-e",
                          "ansible_python_interpreter=%s" % (bin_dir / "python"), str(playbook)],
                         capture_output=True, text=True, env=env, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "failed=0" in run.stdout
    assert stored(etcd, PREFIX + "bgpconfigurations/default")[0]["spec"]["asNumber"] == 64513
