# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Ansible side shared by every module: argument spec, connection, the error boundary.

For internal use by this collection.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

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
from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, ValidationError, shown


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


def parse_version(text):
    """(major, minor, patch) of 'v3.31.2', '3.31', 'v3.32.0-0.dev-12-gabc', or None."""
    match = re.match(r"v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?", text) if isinstance(text, str) else None
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


class CalicoModule(AnsibleModule):
    """An AnsibleModule with the shared etcd connection options and a lazy resource store."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        super(CalicoModule, self).__init__(argument_spec=spec, **kwargs)
        self._store = None
        self._calico_version = None  # (version tuple or None, where it was found), read once

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

    def calico_version(self):
        """(major, minor, patch) of the Calico the cluster runs and where that was found: the
        calicoVersion calico/node records in clusterinformations/default, else the calico_version
        option; (None, None) when neither says."""
        if self._calico_version is None:
            found = (None, None)
            information = self.store.get("ClusterInformation", "default")
            recorded = ((information or {}).get("spec") or {}).get("calicoVersion")
            if parse_version(recorded):
                found = (parse_version(recorded), "clusterinformations/default records calicoVersion %s" % recorded)
            elif self.params.get("calico_version"):
                version = parse_version(self.params["calico_version"])
                if version is None:
                    raise ValidationError("calico_version", "%s is not a Calico version (such as v3.31.2)"
                                          % shown(self.params["calico_version"]))
                found = (version, "calico_version is %s" % self.params["calico_version"])
            else:
                self.warn("the datastore records no Calico version (clusterinformations/default has no "
                          "calicoVersion) and calico_version is not set, so fields are not checked against the "
                          "Calico version the cluster runs")
            self._calico_version = found
        return self._calico_version

    def require_calico_version(self, fields):
        """Refuse, before any write, fields ([(option or kind, 'major.minor')]) newer than the
        Calico the cluster runs: calico/node and calicoctl of that version do not know them."""
        fields = [(name, since) for name, since in fields if since]
        if not fields:
            return
        version, source = self.calico_version()
        if version is None:
            return
        too_new = [(name, since) for name, since in fields if parse_version(since)[:2] > version[:2]]
        if too_new:
            raise ValidationError(", ".join(name for name, _since in too_new), "%s; the cluster runs Calico %s "
                                  "(%s), whose calico/node and calicoctl do not know it" % (
                                      "; ".join("%s needs Calico v%s or later" % item for item in too_new),
                                      ".".join(map(str, version)), source))

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
