# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calico v3 resources in etcd: keys, the stored JSON envelope, compare-and-swap writes, diffs.

For internal use by this collection. No Ansible imports. Works with any object that has the
get/get_prefix/commit methods of _datastore_etcd.EtcdDatastore (a fake one in unit tests).
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import random
import time
import uuid
from collections import OrderedDict, namedtuple
from datetime import datetime

from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, shown

API_VERSION = "projectcalico.org/v3"
KEY_PREFIX = "/calico/resources/v3/projectcalico.org/"
# The key plural of every kind the store reads or writes (registering a kind: one line here).
PLURALS = {
    "BGPConfiguration": "bgpconfigurations",
    "BGPPeer": "bgppeers",
    "BGPFilter": "bgpfilters",
    "Node": "nodes",
    "CalicoNodeStatus": "caliconodestatuses",
    "ClusterInformation": "clusterinformations",
}
# Metadata Calico manages itself: kept on update, hidden from diffs.
_METADATA_NOISE = ("uid", "creationTimestamp", "resourceVersion")
# calicoctl apply retries an update conflict up to 5 times; so do we.
DEFAULT_ATTEMPTS = 5


class ResourceError(CalicoError):
    """A stored resource is unusable or a write could not be made; the message says which key."""


class PartialApplyError(ResourceError):
    """A bulk apply failed after some of its transactions were committed."""


class ConflictError(ResourceError):
    """Other writers kept changing the resource while this one tried to."""


ApplyResult = namedtuple("ApplyResult", "changed action before after")


def kind_prefix(kind):
    return KEY_PREFIX + PLURALS[kind] + "/"


def resource_key(kind, name):
    return kind_prefix(kind) + name


def _timestamp():
    return datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")


def new_resource(kind, name, spec=None, labels=None, status=None):
    """A fresh resource as calicoctl create makes it: new uid and creationTimestamp; status, for a
    kind whose Go type stores one (see the kind's file)."""
    metadata = OrderedDict([("name", name), ("uid", str(uuid.uuid4())),
                            ("creationTimestamp", _timestamp())])
    if labels:
        metadata["labels"] = dict(labels)
    document = OrderedDict([("kind", kind), ("apiVersion", API_VERSION),
                            ("metadata", metadata), ("spec", OrderedDict(spec or {}))])
    if kind == "Node":
        document["status"] = {}
    if status is not None:
        document["status"] = status
    return document


# Go's encoding/json escapes these inside strings and writes other non-ASCII text as raw UTF-8.
_GO_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
               ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def encode(document):
    """The bytes stored in etcd: compact JSON as Go's encoder writes it, without resourceVersion."""
    stored = document
    metadata = document.get("metadata")
    if isinstance(metadata, dict) and "resourceVersion" in metadata:
        # Only the metadata level changes: shallow copies keep the caller's document intact
        # without a deep copy per resource (bulk writes encode thousands).
        stored = copy.copy(document)
        stored["metadata"] = copy.copy(metadata)
        del stored["metadata"]["resourceVersion"]
    text = json.dumps(stored, separators=(",", ":"), ensure_ascii=False)
    # these characters only ever occur inside JSON strings, so replacing them is safe
    for character, escape in _GO_ESCAPES:
        text = text.replace(character, escape)
    return text.encode("utf-8")


def decode(key_value, kind):
    """The resource stored at key_value (a KeyValue), with resourceVersion filled in.

    A value that is not JSON or not the expected kind raises ResourceError: such a value must
    be looked at by a person, never overwritten blindly.
    """
    try:
        document = json.loads(key_value.value.decode("utf-8"), object_pairs_hook=OrderedDict)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResourceError(
            "the value stored at %s is not valid JSON (%s); refusing to use or overwrite it: "
            "inspect it with 'etcdctl get %s'" % (key_value.key, exc, key_value.key))
    if not isinstance(document, dict) or document.get("kind") != kind:
        found = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise ResourceError(
            "the value stored at %s is a %s, not a %s; refusing to use or overwrite it" % (
                key_value.key, shown(found), kind))
    metadata = document.setdefault("metadata", OrderedDict())
    if not isinstance(metadata, dict) or not isinstance(document.get("spec", {}), dict):
        raise ResourceError("the value stored at %s has a malformed metadata or spec; refusing "
                            "to use or overwrite it" % key_value.key)
    metadata["resourceVersion"] = str(key_value.mod_revision)
    document.setdefault("spec", OrderedDict())
    return document


def decode_readable(key_values, kind):
    """(resources, problems): every value that decodes, and for each one that does not a sentence
    naming its key. Listings skip unreadable values, as Calico's own list does, but say so."""
    resources, problems = [], []
    for key_value in key_values:
        try:
            resources.append(decode(key_value, kind))
        except ResourceError as exc:
            problems.append(str(exc))
    return resources, problems


def without_noise(document):
    """A copy without the metadata Calico manages itself, for comparing and diffing."""
    if document is None:
        return None
    clean = copy.deepcopy(document)
    for field in _METADATA_NOISE:
        clean.get("metadata", {}).pop(field, None)
    return json.loads(json.dumps(clean))  # plain dicts, as Ansible returns them


def make_diff(before, after, header=None):
    """An Ansible diff dict of two resources, metadata noise hidden."""
    diff = {"before": without_noise(before) or {}, "after": without_noise(after) or {}}
    if header:
        diff["before_header"] = diff["after_header"] = header
    return diff


def as_plain(document):
    return None if document is None else json.loads(json.dumps(document))


class ResourceStore(object):
    """CRUD of Calico resources on a datastore, every write guarded by compare-and-swap."""

    def __init__(self, datastore):
        self.datastore = datastore
        # one sentence per unreadable stored value a listing skipped; the module warns with them
        self.warnings = []

    def get(self, kind, name):
        key_value = self.datastore.get(resource_key(kind, name))
        return decode(key_value, kind) if key_value else None

    def list(self, kind, decoded=None):
        """Every readable resource of a kind, from one prefix read. A value that cannot be read is
        skipped, as Calico's own list does, with a warning naming its key. decoded: a dict the
        caller keeps across calls ({key: (mod_revision, resource)}), so that a value that did not
        change since is not decoded again (a poll of large status reports); its resources are then
        shared between calls, to be read, not changed."""
        key_values = self.datastore.get_prefix(kind_prefix(kind))
        if decoded is None:
            resources, problems = decode_readable(key_values, kind)
        else:
            resources, problems = [], []
            for key_value in key_values:
                known = decoded.get(key_value.key)
                if known is None or known[0] != key_value.mod_revision:
                    fresh, failed = decode_readable([key_value], kind)
                    problems += failed
                    known = decoded[key_value.key] = (key_value.mod_revision, fresh[0] if fresh else None)
                if known[1] is not None:
                    resources.append(known[1])
        self.warnings.extend("skipped an unreadable %s: %s" % (kind, problem) for problem in problems)
        return resources

    def names(self, kind):
        """Names of every stored resource of a kind, from the keys alone."""
        prefix = kind_prefix(kind)
        return [key_value.key[len(prefix):] for key_value in self.datastore.get_prefix(prefix)]

    def delete_created(self, kind, created):
        """Delete resources by the revision that created them ({name: revision}), whatever was
        written to them since; one that was deleted, or deleted and created again, is left alone.
        Returns the names deleted."""
        from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import MAX_TXN_OPS, Write

        writes = [Write("delete_created", resource_key(kind, name), None, revision) for name, revision in created.items()]
        deleted = []
        for start in range(0, len(writes), MAX_TXN_OPS):
            chunk = writes[start:start + MAX_TXN_OPS]
            if self.datastore.commit(chunk) is None:
                # one of them is not the resource created then: the others one by one
                chunk = [write for write in chunk if self.datastore.commit([write]) is not None]
            deleted += [write.key[len(kind_prefix(kind)):] for write in chunk]
        return deleted

    def close(self):
        self.datastore.close()

    def apply_batch(self, kind, compute, check_mode=False, attempts=DEFAULT_ATTEMPTS, batch_size=None):
        return apply_batch(self, kind, compute, check_mode, attempts, batch_size)

    def ensure_writable(self):
        """Refuse writes while Calico has locked the datastore (datastoreReady false)."""
        info = self.get("ClusterInformation", "default")
        if info is not None and info["spec"].get("datastoreReady") is False:
            raise ResourceError(
                "the Calico datastore is not ready (clusterinformations/default has "
                "datastoreReady: false, e.g. during a migration or upgrade); no change was made. "
                "Retry once it is set back to true")

    def apply(self, kind, name, compute, check_mode=False, attempts=DEFAULT_ATTEMPTS):
        """Read-modify-write of one resource.

        compute(current) gets a private copy of the stored resource (or None) and returns the
        desired resource, or None for absent. On a concurrent change the resource is read and
        computed again, so no one else's update is lost.
        """
        key = resource_key(kind, name)
        for attempt in range(attempts):
            key_value = self.datastore.get(key)
            current = decode(key_value, kind) if key_value else None
            desired = compute(copy.deepcopy(current))
            if desired is None and current is None:
                return ApplyResult(False, None, None, None)
            if desired is not None and current is not None and \
                    json.dumps(without_noise(desired), sort_keys=True) == \
                    json.dumps(without_noise(current), sort_keys=True) and \
                    desired["metadata"].get("uid") == current["metadata"].get("uid"):
                return ApplyResult(False, None, current, current)
            action = "created" if current is None else ("deleted" if desired is None else "updated")
            self.ensure_writable()
            if check_mode:
                return ApplyResult(True, action, current, desired)
            if action == "created":
                revision = self.datastore.create(key, encode(desired))
            elif action == "deleted":
                revision = self.datastore.delete(key, key_value.mod_revision)
            else:
                revision = self.datastore.update(key, encode(desired), key_value.mod_revision)
            if revision is not None:
                if desired is not None:
                    desired["metadata"]["resourceVersion"] = str(revision)
                return ApplyResult(True, action, current, desired)
            # Lost a race: back off a little (jittered) so competing writers spread out.
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise ConflictError(
            "%s %s kept changing under concurrent writers; gave up after %d attempts, nothing "
            "was lost: run again" % (kind, name, attempts))


BatchResult = namedtuple("BatchResult", "results transactions writes")


def _merge_action(previous, action):
    if previous == "created" and action == "updated":
        return "created"
    return action


def _same_stored_value(value, stored):
    if value == stored:
        return True
    # Calico's Go encoder escapes <, > and & and may order keys differently: compare as JSON.
    try:
        return json.loads(value.decode("utf-8")) == json.loads(stored.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False


def apply_batch(store, kind, compute, check_mode=False, attempts=DEFAULT_ATTEMPTS, batch_size=None):
    """Read-modify-write of many resources of one kind, in as few transactions as etcd allows.

    One prefix read; compute(current) gets {name: resource} (decoded for this call; it may change
    them) and returns {name: desired resource, or None for absent} for the names it manages
    (others are left alone). Only the needed creates, updates and deletes are sent, batched into
    transactions of at most batch_size (etcd's --max-txn-ops, 128) guarded writes each. When a
    transaction fails its compare-and-swap (someone else wrote one of its keys), nothing of it was
    written: the kind is read again and compute runs again on what is stored now, so no one's
    change is lost; transactions already committed then compare equal and are not resent.
    A stored value that cannot be decoded is never overwritten: managing it raises ResourceError.

    Returns BatchResult(results={name: ApplyResult} in compute's order, transactions, writes).
    """
    from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import MAX_TXN_OPS, Write

    batch_size = min(batch_size or MAX_TXN_OPS, MAX_TXN_OPS)
    prefix = kind_prefix(kind)
    results = OrderedDict()
    transactions = writes_sent = 0
    writable_checked = False
    for attempt in range(attempts):
        stored = OrderedDict((key_value.key[len(prefix):], key_value)
                             for key_value in store.datastore.get_prefix(prefix))
        current, broken = OrderedDict(), {}
        for name, key_value in stored.items():
            try:
                current[name] = decode(key_value, kind)
            except ResourceError as exc:
                broken[name] = exc
        wanted = compute(current)
        writes, pending = [], {}
        for name, desired in wanted.items():
            if name in broken:
                raise broken[name]
            key_value = stored.get(name)
            key = prefix + name
            if desired is None:
                if key_value is not None:
                    writes.append(Write("delete", key, None, key_value.mod_revision))
                    pending[key] = (name, "deleted", key_value, None)
                    continue
            else:
                value = encode(desired)
                if key_value is None:
                    writes.append(Write("create", key, value, 0))
                    pending[key] = (name, "created", None, desired)
                    continue
                if not _same_stored_value(value, key_value.value):
                    writes.append(Write("update", key, value, key_value.mod_revision))
                    pending[key] = (name, "updated", key_value, desired)
                    continue
            if name not in results or not results[name].changed:
                results[name] = ApplyResult(False, None, desired, desired)
        if not writes:
            return BatchResult(results, transactions, writes_sent)
        if not writable_checked:
            store.ensure_writable()
            writable_checked = True
        conflict = False
        for start in range(0, len(writes), batch_size):
            chunk = writes[start:start + batch_size]
            revision = None if check_mode else _commit_counted(store, chunk, writes_sent, len(writes))
            if not check_mode:
                transactions += 1
                if revision is None:
                    conflict = True
                    break
                writes_sent += len(chunk)
            for write in chunk:
                name, action, key_value, desired = pending[write.key]
                previous = results.get(name)
                if previous is not None and previous.changed:
                    before, action = previous.before, _merge_action(previous.action, action)
                else:
                    before = decode(key_value, kind) if key_value is not None else None
                if desired is not None and revision is not None:
                    desired["metadata"]["resourceVersion"] = str(revision)
                results[name] = ApplyResult(True, action, before, desired)
        if not conflict:
            return BatchResult(results, transactions, writes_sent)
        # Lost a race: back off a little (jittered) so competing writers spread out.
        time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    message = ("%s resources kept changing under concurrent writers; gave up after %d attempts"
               % (kind, attempts))
    if writes_sent:
        raise PartialApplyError("%s; %d operations were committed before that and nothing was lost: "
                                "run the task again to complete it" % (message, writes_sent),
                                changed=True, committed=writes_sent)
    raise ConflictError(message + "; nothing was lost or written: run again")


def _commit_counted(store, chunk, committed, planned):
    """store.datastore.commit(chunk); a failure after earlier transactions were committed says
    how many operations were, and that a rerun completes the apply (it recomputes from what is
    stored)."""
    try:
        return store.datastore.commit(chunk)
    except CalicoError as exc:
        if not committed:
            raise
        raise PartialApplyError(
            "%s; %d of %d operations had been committed before this failure: run the task again to "
            "complete it" % (exc, committed, planned), changed=True, committed=committed)
