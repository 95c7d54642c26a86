# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The etcd v3 client of the collection: the only file that imports the etcd client library.

For internal use by this collection. It speaks in keys, bytes and revisions; the Calico
resource model lives in _datastore_store.py. Every call fails over to the next endpoint when one
does not answer, and every failure becomes a DatastoreError with one actionable sentence.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
from collections import namedtuple

from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import parse_endpoint
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, shown

# One stored key: key (str), value (bytes), mod_revision and version (ints).
KeyValue = namedtuple("KeyValue", "key value mod_revision version")

# One guarded write for commit(): kind is "create" (only if absent), "update" or "delete"
# (only if the key's mod_revision still equals mod_revision).
Write = namedtuple("Write", "kind key value mod_revision")
# create: the key must not exist; update, delete: its mod_revision must be the one read;
# delete_created: it must still be the key created at revision mod_revision, however often it was
# updated since (a request other writers keep updating: calico/node's status reports)
WRITE_KINDS = ("create", "update", "delete", "delete_created")

# Server default of --max-txn-ops: the most operations one transaction may carry.
MAX_TXN_OPS = 128

# gRPC's default 4 MiB limit on a response is one prefix read of ~11,000 BGP peers; a rack-scale
# bulk run reads more than that in one request.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024


# gRPC details of failures that another round cannot cure: nothing listens, TLS does not fit, the
# name does not resolve. Anything else (a leader election, a timeout) is waited out.
_HARD_FAILURES = ("connection refused", "failed to connect", "ssl", "handshake", "certificate",
                  "name resolution", "dns", "could not resolve")


class DatastoreError(CalicoError):
    """The datastore could not be used; the message says which endpoint and what failed."""


def _load_client_library():
    # etcd3's generated protobuf modules predate protobuf 4; the pure-Python protobuf backend
    # still loads them, so no protobuf pin is forced on the user. Must be set before protobuf
    # is first imported in this process.
    os.environ.setdefault("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python")
    try:
        import etcd3
        import grpc
    except ImportError as exc:
        raise DatastoreError(
            "the Python library etcd3 is required on the host that runs this module "
            "(pip install etcd3): %s" % exc)
    except TypeError as exc:  # protobuf refusing the old descriptors despite the setting
        raise DatastoreError(
            "the etcd3 library cannot load with the installed protobuf (%s); set "
            "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python for the module's Python" % exc)
    return etcd3, grpc


def _grpc_details(exc):
    """The most specific text gRPC gave for a failed call (etcd3 wraps RpcErrors)."""
    for error in (exc, getattr(exc, "__context__", None)):
        details = getattr(error, "details", None)
        if callable(details):
            try:
                text = details()
            except Exception:  # a wrapped error without gRPC state
                continue
            if text:
                return " ".join(text.split())
    return str(exc) or exc.__class__.__name__


def _grpc_code_name(exc):
    for error in (exc, getattr(exc, "__context__", None)):
        code = getattr(error, "code", None)
        if callable(code):
            try:
                return code().name
            except Exception:
                continue
    return None


class EtcdDatastore(object):
    """A connection to an etcd v3 cluster given by ConnectionSettings."""

    # gRPC codes after which the next endpoint may succeed
    _RETRY_ON_NEXT = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "UNKNOWN")

    def __init__(self, settings):
        self.settings = settings
        self._etcd3, self._grpc = _load_client_library()
        self._client = None
        self._endpoint_index = 0
        # count of guarded writes sent, for tests and benchmarks
        self.writes_sent = 0
        self.transactions_sent = 0

    @property
    def endpoint(self):
        return self.settings.endpoints[self._endpoint_index]

    def _connect(self, endpoint):
        _scheme, host, port = parse_endpoint(endpoint)
        if ":" in host:
            host = "[%s]" % host
        kwargs = dict(host=host, port=port, timeout=self.settings.timeout,
                      grpc_options=[("grpc.max_receive_message_length", MAX_RESPONSE_BYTES)])
        if endpoint.startswith("https://"):
            kwargs.update(ca_cert=self.settings.ca_cert_file,
                          cert_cert=self.settings.cert_file, cert_key=self.settings.key_file)
        if self.settings.username:
            kwargs.update(user=self.settings.username, password=self.settings.password)
        client = self._etcd3.client(**kwargs)
        if self.settings.username and not endpoint.startswith("https://"):
            # gRPC refuses call credentials on a plaintext channel; the token is already in
            # the client's per-call metadata, so drop the credentials object (token in clear).
            client.call_credentials = None
        return client

    def _describe_failure(self, endpoint, exc):
        code = _grpc_code_name(exc)
        details = _grpc_details(exc)
        if code in ("UNAUTHENTICATED", "PERMISSION_DENIED") or "authentication" in details.lower() \
                or "permission denied" in details.lower():
            return "etcd at %s rejected the credentials of user %s: %s" % (
                endpoint, shown(self.settings.username), details)
        if "ssl" in details.lower() or "handshake" in details.lower() or "certificate" in details.lower():
            return "TLS with etcd at %s failed (check etcd_ca_cert_file, etcd_cert_file and etcd_key_file): %s" % (
                endpoint, details)
        return "etcd at %s: %s" % (endpoint, details)

    def _call(self, operation):
        """Run operation(client), failing over to the next endpoint when one does not answer.

        Rounds over all endpoints go on for up to twice etcd_timeout, so a leader election
        (a few seconds after a member dies) is waited out instead of failing the task; a round in
        which every endpoint refused the connection or failed TLS ends the wait at once.
        """
        failures = []
        endpoints = self.settings.endpoints
        deadline = time.monotonic() + 2 * self.settings.timeout
        while True:
            first = self._endpoint_index
            hard_failures = 0
            for offset in range(len(endpoints)):
                index = (first + offset) % len(endpoints)
                endpoint = endpoints[index]
                try:
                    if self._client is None or index != self._endpoint_index:
                        self._close_client()
                        self._endpoint_index = index
                        self._client = self._connect(endpoint)
                    return operation(self._client)
                except (self._etcd3.exceptions.Etcd3Exception, self._grpc.RpcError) as exc:
                    code = _grpc_code_name(exc)
                    message = self._describe_failure(endpoint, exc)
                    retryable = (code in self._RETRY_ON_NEXT or code is None) and \
                        not message.startswith("etcd at %s rejected" % endpoint)
                    if not retryable:
                        raise DatastoreError(message)
                    failures.append(message)
                    if any(marker in _grpc_details(exc).lower() for marker in _HARD_FAILURES):
                        hard_failures += 1
                    self._close_client()
                except ValueError as exc:  # raised by the client for inconsistent TLS arguments
                    raise DatastoreError("etcd at %s: %s" % (endpoint, exc))
            if hard_failures == len(endpoints) or time.monotonic() >= deadline:
                break
            time.sleep(0.3)
        # the last round says best what is wrong now
        last_round = failures[-len(endpoints):]
        if len(endpoints) == 1:
            raise DatastoreError("cannot reach the etcd datastore: %s" % last_round[0])
        raise DatastoreError("cannot reach any etcd endpoint (%d tried): %s" % (
            len(endpoints), "; ".join(last_round)))

    def _close_client(self):
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # closing a broken channel must not hide the real error
                pass
            self._client = None

    def close(self):
        self._close_client()

    # ---- reads ------------------------------------------------------------------------

    @staticmethod
    def _key_value(key, value, meta):
        return KeyValue(key, value, meta.mod_revision, meta.version)

    def get(self, key):
        """The KeyValue at key, or None."""
        value, meta = self._call(lambda client: client.get(key))
        if meta is None:
            return None
        return self._key_value(key, value, meta)

    def get_prefix(self, prefix):
        """Every KeyValue under prefix, sorted by key, read in one request."""
        response = self._call(lambda client: client.get_prefix_response(prefix, sort_order="ascend"))
        return [KeyValue(kv.key.decode("utf-8"), kv.value, kv.mod_revision, kv.version)
                for kv in response.kvs]

    def revision(self):
        """The cluster's current revision."""
        response = self._call(lambda client: client.get_response("/calico/"))
        return response.header.revision

    # ---- guarded writes ---------------------------------------------------------------

    def commit(self, writes):
        """Apply writes in one transaction, all or none, each guarded by compare-and-swap.

        Returns the revision of the commit, or None when any guard failed (nothing written).
        """
        writes = list(writes)
        if not writes:
            raise ValueError("commit() needs at least one write")
        if len(writes) > MAX_TXN_OPS:
            raise ValueError("a transaction holds at most %d operations" % MAX_TXN_OPS)

        def run(client):
            # The request is built in place: handing ready-made messages to a constructor makes
            # the pure-Python protobuf backend copy each one, which doubled the cost of a full
            # transaction. Same guards as etcd3's Version/Mod compares.
            rpc = self._etcd3.etcdrpc
            request = rpc.TxnRequest()
            for write in writes:
                if write.kind not in WRITE_KINDS:
                    raise ValueError("unknown write kind %r" % write.kind)
                key = write.key.encode("utf-8") if isinstance(write.key, str) else write.key
                compare = request.compare.add()
                compare.key = key
                compare.result = rpc.Compare.EQUAL
                if write.kind == "create":
                    compare.target = rpc.Compare.VERSION
                    compare.version = 0
                elif write.kind == "delete_created":
                    compare.target = rpc.Compare.CREATE
                    compare.create_revision = int(write.mod_revision)
                else:
                    compare.target = rpc.Compare.MOD
                    compare.mod_revision = int(write.mod_revision)
                operation = request.success.add()
                if write.kind in ("delete", "delete_created"):
                    operation.request_delete_range.key = key
                else:
                    operation.request_put.key = key
                    operation.request_put.value = write.value
            return client.kvstub.Txn(request, client.timeout, credentials=client.call_credentials,
                                     metadata=client.metadata)

        response = self._call(run)
        self.transactions_sent += 1
        if not response.succeeded:
            return None
        self.writes_sent += len(writes)
        return response.header.revision

    def create(self, key, value):
        return self.commit([Write("create", key, value, 0)])

    def update(self, key, value, mod_revision):
        return self.commit([Write("update", key, value, mod_revision)])

    def delete(self, key, mod_revision):
        return self.commit([Write("delete", key, None, mod_revision)])
