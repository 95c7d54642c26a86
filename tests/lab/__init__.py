"""The lab: a real multi-node Calico BGP fabric on one machine (test tooling, not shipped).

Importing any tests.lab module makes the repository importable as
ansible_collections.netops.calico (the same link tests/conftest.py makes), so the lab runs
from a plain `python -m tests.lab ...` as well as under pytest. See tests/lab/README.md.
"""
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO_ROOT, ".tmp", "collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "netops", "calico")

if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    try:
        os.symlink(REPO_ROOT, _LINK)
    except FileExistsError:  # another process made it first
        pass
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)
