# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The etcd connection shared by every module that reads or writes Calico's datastore.
    DOCUMENTATION = r"""
options:
  etcd_endpoints:
    description:
      - URLs of the etcd members that hold Calico's datastore, for example C(https://10.0.0.1:2379).
      - C(https://) endpoints use TLS. When a member does not answer, the module goes on with the next one.
      - When not set, taken from the environment variable E(ETCD_ENDPOINTS) (comma-separated, as calicoctl
        reads it), then from O(calicoctl_config), then C(http://127.0.0.1:2379).
    type: list
    elements: str
  etcd_ca_cert_file:
    description:
      - CA certificate that signed the etcd servers' certificates. Required with C(https://) endpoints.
      - Falls back to E(ETCD_CA_CERT_FILE), then to C(etcdCACertFile) in O(calicoctl_config).
    type: path
  etcd_cert_file:
    description:
      - Client certificate for etcd servers that require client certificates. Needs O(etcd_key_file).
      - Falls back to E(ETCD_CERT_FILE), then to C(etcdCertFile) in O(calicoctl_config).
    type: path
  etcd_key_file:
    description:
      - Private key of O(etcd_cert_file).
      - Falls back to E(ETCD_KEY_FILE), then to C(etcdKeyFile) in O(calicoctl_config).
    type: path
  etcd_username:
    description:
      - User for etcd authentication. Needs O(etcd_password).
      - Works on C(http://) endpoints too, but the token then travels in clear text and the module warns.
      - Falls back to E(ETCD_USERNAME), then to C(etcdUsername) in O(calicoctl_config).
    type: str
  etcd_password:
    description:
      - Password of O(etcd_username). Never logged or returned.
      - Falls back to E(ETCD_PASSWORD), then to C(etcdPassword) in O(calicoctl_config).
    type: str
  etcd_timeout:
    description:
      - Seconds to wait for each etcd request before trying the next endpoint.
      - Requests that fail because a member is down or a leader election is under way are retried
        across the endpoints for up to twice this time before the task fails.
      - Defaults to 5 seconds.
    type: float
  calicoctl_config:
    description:
      - Path of a calicoctl C(CalicoAPIConfig) file (datastoreType C(etcdv3)) to read connection settings from.
      - Defaults to C(/etc/calico/calicoctl.cfg) when that file exists.
      - Module options and environment variables take precedence over the file, field by field.
    type: path
  calico_version:
    description:
      - The Calico version the cluster runs, for example V(v3.31.2), used only when C(clusterinformations/default)
        records none (calico/node records its version there).
      - With a version known, a field or kind that this version of Calico does not know is refused before any
        write, naming the field and the version that introduced it (calicoctl of that version would refuse the
        resource). With none known, the modules warn and do not check.
    type: str
requirements:
  - etcd3 (Python library) on the host that runs the module
notes:
  - Writes go straight to Calico's etcd v3 datastore in the format calicoctl and calico/node read,
    guarded by compare-and-swap, so concurrent writers never lose each other's changes.
  - Set the connection once for all modules of this collection with
    C(module_defaults) and the action group C(group/netops.calico.calico).
  - Writes are refused while C(clusterinformations/default) says C(datastoreReady=false).
"""
