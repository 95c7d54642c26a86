# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible side shared by every module: argument spec, connection, the error boundary.

For internal use by this collection.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import (
    CONNECTION_ARGUMENT_SPEC,
    resolve_settings,
)
from ansible_collections.netops.calico.plugins.module_utils._datastore_store import (
    ResourceStore,
    as_plain,
    make_diff,
)
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError


def run_module(module, operation, cleanup=None):
    """The error boundary of every module: exit_json with operation(module)'s result dict; a
    CalicoError becomes one fail_json line (with its details, such as committed writes)."""
    try:
        result = operation(module)
    except CalicoError as exc:
        if cleanup:
            cleanup()
        module.fail_json(msg=str(exc), **exc.details)
    if cleanup:
        cleanup()
    module.exit_json(**result)


class CalicoModule(AnsibleModule):
    """An AnsibleModule with the shared etcd connection options and a lazy resource store."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        super(CalicoModule, self).__init__(argument_spec=spec, **kwargs)
        self._store = None

    @property
    def store(self):
        """The ResourceStore, connected on first use (so bad input fails before any I/O)."""
        if self._store is None:
            # etcd3 and gRPC are imported only by the tasks that talk to the datastore
            from ansible_collections.netops.calico.plugins.module_utils._datastore_etcd import EtcdDatastore

            settings = resolve_settings(self.params)
            if settings.credentials_in_clear:
                self.warn("etcd_username/etcd_password are sent to %s without TLS, in clear text; "
                          "use https:// endpoints" % ", ".join(settings.endpoints))
            self._store = ResourceStore(EtcdDatastore(settings))
        return self._store

    def apply_output(self, result, kind, name):
        """The task result of one ResourceStore.apply: changed, action, the resource as stored
        (or as it would be, in check mode) and, with --diff, the diff."""
        output = dict(changed=result.changed, action=result.action, resource=as_plain(result.after))
        if self._diff:
            output["diff"] = make_diff(result.before, result.after, "%s %s" % (kind, name))
        return output

    def run(self, operation):
        run_module(self, operation, self._finish)

    def _finish(self):
        if self._store is not None:
            for warning in self._store.warnings:
                self.warn(warning)
            self._store.close()
