# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netops.calico contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a module finds its etcd datastore: the shared connection options and their precedence.

For internal use by this collection. No Ansible or etcd imports, so it is unit-testable alone.
Precedence, field by field: module option, then the environment variables calicoctl reads,
then the calicoctl configuration file, then the built-in default.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os

from ansible_collections.netops.calico.plugins.module_utils._errors import CalicoError, shown

DEFAULT_ENDPOINT = "http://127.0.0.1:2379"
DEFAULT_CALICOCTL_CONFIG = "/etc/calico/calicoctl.cfg"
DEFAULT_TIMEOUT = 5.0

# Argument spec shared by every datastore module; documented once in doc_fragments/etcd.py.
CONNECTION_ARGUMENT_SPEC = dict(
    etcd_endpoints=dict(type="list", elements="str"),
    etcd_ca_cert_file=dict(type="path"),
    etcd_cert_file=dict(type="path"),
    etcd_key_file=dict(type="path"),
    etcd_username=dict(type="str"),
    etcd_password=dict(type="str", no_log=True),
    etcd_timeout=dict(type="float"),
    calicoctl_config=dict(type="path"),
    calico_version=dict(type="str"),
)

# option name -> (calicoctl environment variable, CalicoAPIConfig spec field)
_SOURCES = (
    ("etcd_endpoints", "ETCD_ENDPOINTS", "etcdEndpoints"),
    ("etcd_ca_cert_file", "ETCD_CA_CERT_FILE", "etcdCACertFile"),
    ("etcd_cert_file", "ETCD_CERT_FILE", "etcdCertFile"),
    ("etcd_key_file", "ETCD_KEY_FILE", "etcdKeyFile"),
    ("etcd_username", "ETCD_USERNAME", "etcdUsername"),
    ("etcd_password", "ETCD_PASSWORD", "etcdPassword"),
)

# Inline PEM fields calicoctl also accepts; we only take file paths and say so.
_INLINE_PEM_FIELDS = ("etcdCACert", "etcdCert", "etcdKey")


class SettingsError(CalicoError):
    """The connection settings are unusable; the message names the option or file at fault."""


class ConnectionSettings(object):
    def __init__(self, endpoints, ca_cert_file=None, cert_file=None, key_file=None,
                 username=None, password=None, timeout=DEFAULT_TIMEOUT, sources=None):
        self.endpoints = endpoints
        self.ca_cert_file = ca_cert_file
        self.cert_file = cert_file
        self.key_file = key_file
        self.username = username
        self.password = password
        self.timeout = timeout
        # option name -> where its value came from ("option", "environment", a file path)
        self.sources = sources or {}

    @property
    def uses_tls(self):
        return any(endpoint.startswith("https://") for endpoint in self.endpoints)

    @property
    def credentials_in_clear(self):
        return bool(self.username) and not self.uses_tls

    def __repr__(self):
        # Never show the password, even in a debugger or a traceback.
        return "ConnectionSettings(endpoints=%r, tls=%r, username=%r)" % (
            self.endpoints, self.uses_tls, self.username)


def _split_endpoints(value):
    if isinstance(value, str):
        value = value.split(",")
    return [item.strip() for item in value if item and item.strip()]


def parse_endpoint(endpoint):
    """'https://10.0.0.1:2379' -> ('https', '10.0.0.1', 2379); IPv6 hosts in brackets."""
    scheme, separator, rest = endpoint.partition("://")
    if not separator or scheme not in ("http", "https"):
        raise SettingsError(
            "etcd_endpoints: %s must be a URL starting with http:// or https://" % shown(endpoint))
    hostport = rest.split("/", 1)[0]
    if hostport.startswith("["):
        if "]" not in hostport:
            raise SettingsError("etcd_endpoints: %s has an unclosed '['" % shown(endpoint))
        host, port_part = hostport[1:].split("]", 1)
        port_text = port_part[1:] if port_part.startswith(":") else ""
    elif hostport.count(":") == 1:
        host, port_text = hostport.split(":")
    else:
        host, port_text = hostport, ""
    if not host:
        raise SettingsError("etcd_endpoints: %s has no host" % shown(endpoint))
    if not port_text:
        return scheme, host, 2379
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError("etcd_endpoints: %s has an invalid port" % shown(endpoint))
    return scheme, host, int(port_text)


def load_calicoctl_config(path):
    """The spec of a calicoctl CalicoAPIConfig file as a dict."""
    import yaml  # only paid for when a calicoctl config file is actually read

    try:
        with open(path) as handle:
            document = yaml.safe_load(handle) or {}
    except (IOError, OSError) as exc:
        raise SettingsError("calicoctl_config: cannot read %s: %s" % (path, exc.strerror or exc))
    except yaml.YAMLError as exc:
        raise SettingsError("calicoctl_config: %s is not valid YAML: %s" % (path, exc))
    if not isinstance(document, dict) or document.get("kind", "CalicoAPIConfig") != "CalicoAPIConfig":
        raise SettingsError("calicoctl_config: %s is not a CalicoAPIConfig document" % path)
    spec = document.get("spec") or {}
    if not isinstance(spec, dict):
        raise SettingsError("calicoctl_config: %s has a spec that is not a mapping" % path)
    datastore_type = spec.get("datastoreType", "etcdv3")
    if datastore_type != "etcdv3":
        raise SettingsError(
            "calicoctl_config: %s uses datastoreType %r; this collection manages the etcdv3 "
            "datastore only" % (path, datastore_type))
    inline = [field for field in _INLINE_PEM_FIELDS if spec.get(field)]
    if inline:
        raise SettingsError(
            "calicoctl_config: %s embeds certificates inline (%s); save them to files and use "
            "etcdCACertFile/etcdCertFile/etcdKeyFile" % (path, ", ".join(inline)))
    return spec


def resolve_settings(params, environ=None):
    """Build ConnectionSettings from module params (a dict), the environment and the config file."""
    environ = os.environ if environ is None else environ
    config_path = params.get("calicoctl_config")
    if config_path:
        if not os.path.exists(config_path):
            raise SettingsError("calicoctl_config: %s does not exist" % config_path)
        file_spec = load_calicoctl_config(config_path)
    elif os.path.exists(DEFAULT_CALICOCTL_CONFIG):
        config_path = DEFAULT_CALICOCTL_CONFIG
        file_spec = load_calicoctl_config(config_path)
    else:
        file_spec = {}

    values, sources = {}, {}
    for option, env_name, file_field in _SOURCES:
        if params.get(option) not in (None, "", []):
            values[option], sources[option] = params[option], "option"
        elif environ.get(env_name):
            values[option], sources[option] = environ[env_name], "environment variable " + env_name
        elif file_spec.get(file_field):
            values[option], sources[option] = file_spec[file_field], config_path
        else:
            values[option] = None

    endpoints = _split_endpoints(values["etcd_endpoints"] or DEFAULT_ENDPOINT)
    if not endpoints:
        raise SettingsError("etcd_endpoints: no endpoint given")
    for endpoint in endpoints:
        parse_endpoint(endpoint)
    schemes = set(endpoint.split("://", 1)[0] for endpoint in endpoints)
    if len(schemes) > 1:
        raise SettingsError("etcd_endpoints: mixes http:// and https:// endpoints; use one scheme")
    if bool(values["etcd_cert_file"]) != bool(values["etcd_key_file"]):
        raise SettingsError("etcd_cert_file and etcd_key_file must be given together")
    if bool(values["etcd_username"]) != bool(values["etcd_password"]):
        raise SettingsError("etcd_username and etcd_password must be given together")
    for option in ("etcd_ca_cert_file", "etcd_cert_file", "etcd_key_file"):
        path = values[option]
        if path and not os.path.isfile(path):
            raise SettingsError("%s: %s (from %s) is not a readable file" % (option, path, sources[option]))
    if "https" in schemes and not values["etcd_ca_cert_file"]:
        raise SettingsError(
            "etcd_ca_cert_file: https:// endpoints need the CA certificate that signed the "
            "etcd server's certificate")

    timeout = params.get("etcd_timeout")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not math.isfinite(timeout) or timeout <= 0:
        raise SettingsError("etcd_timeout: must be a finite number of seconds above 0, got %s" % timeout)
    return ConnectionSettings(
        endpoints=endpoints,
        ca_cert_file=values["etcd_ca_cert_file"],
        cert_file=values["etcd_cert_file"],
        key_file=values["etcd_key_file"],
        username=values["etcd_username"],
        password=values["etcd_password"],
        timeout=float(timeout),
        sources=sources,
    )
