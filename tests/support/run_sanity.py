"""Run `ansible-test sanity` on the whole collection, offline.

ansible-test needs the collection at .../ansible_collections/netops/calico, and bootstraps pip
in its virtualenvs with a get-pip script it downloads from the internet. We copy the checkout
into such a path and pre-seed ansible-test's cache with a small stand-in that installs pip (and
the other packages this ansible-test's version bootstraps) from wheels fetched once from the
package index, so nothing else is downloaded. Any ansible-core: run it with the Python of the
virtualenv whose ansible-test should run. Air-gapped users can use this script the same way.
"""
import os
import shutil
import subprocess
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE_DIR = os.path.expanduser("~/.ansible/test/cache")

STAND_IN = '''"""Stand-in for get-pip.py: installs pip from the wheel beside this file (offline)."""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
wheel = os.path.join(here, "pip-%(version)s-py3-none-any.whl")
sys.path.insert(0, wheel)
# get-pip.py flags that pip itself does not know
arguments = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", "--no-index", "--find-links", here] + arguments
runpy.run_module("pip", run_name="__main__", alter_sys=True)
'''


def bootstrap_packages():
    """{package: version} this ansible-test installs into its virtualenvs first (pip, and with
    older ansible-core setuptools and wheel)."""
    from ansible_test._internal import python_requirements

    class Python(object):
        version = "%d.%d" % sys.version_info[:2]

    return python_requirements.get_venv_packages(Python())


def seed_pip_cache():
    """The stand-in get-pip for this ansible-test's pip version, and the wheels it installs."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    packages = bootstrap_packages()
    cached = [name.lower() for name in os.listdir(CACHE_DIR)]
    missing = ["%s==%s" % (name, version) for name, version in sorted(packages.items())
               if not any(entry.startswith("%s-%s-" % (name, version)) for entry in cached)]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--only-binary", ":all:", "-d", CACHE_DIR] + missing, check=True)
    with open(os.path.join(CACHE_DIR, "get_pip_%s.py" % packages["pip"].replace(".", "_")), "w") as handle:
        handle.write(STAND_IN % {"version": packages["pip"]})


def collection_files():
    listing = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                             check=True, capture_output=True).stdout.decode()
    return [path for path in listing.split("\0") if path and os.path.isfile(os.path.join(REPO_ROOT, path))]


def main():
    seed_pip_cache()
    workdir = tempfile.mkdtemp(prefix="netops-calico-sanity-")
    try:
        target = os.path.join(workdir, "ansible_collections", "netops", "calico")
        for path in collection_files():
            destination = os.path.join(target, path)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy2(os.path.join(REPO_ROOT, path), destination)
        ansible_test = os.path.join(os.path.dirname(sys.executable), "ansible-test")
        command = [ansible_test, "sanity", "--venv", "--python",
                   "%d.%d" % sys.version_info[:2], "--color", "no"] + sys.argv[1:]
        print("+ " + " ".join(command), flush=True)
        return subprocess.call(command, cwd=target)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
