"""Test-wide setup: make the repository importable as ansible_collections.netops.calico."""
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(REPO_ROOT, ".tmp", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "netops", "calico")

if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(REPO_ROOT, _LINK)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
if REPO_ROOT not in sys.path:
    # tests.support / tests.lab helpers
    sys.path.insert(0, REPO_ROOT)
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)

pytest_plugins = ["tests.support.fixtures", "tests.support.bird_fixtures"]
