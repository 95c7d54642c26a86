from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.netops.calico.plugins.module_utils import _datastore_settings
from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import (
    SettingsError,
    parse_endpoint,
    resolve_settings,
)


@pytest.fixture(autouse=True)
def no_system_calicoctl_config(monkeypatch, tmp_path):
    # The tests must not depend on whether this machine has /etc/calico/calicoctl.cfg.
    monkeypatch.setattr(_datastore_settings, "DEFAULT_CALICOCTL_CONFIG", str(tmp_path / "absent.cfg"))


def write_config(tmp_path, spec_lines, kind="CalicoAPIConfig"):
    path = tmp_path / "calicoctl.cfg"
    path.write_text("apiVersion: projectcalico.org/v3\nkind: %s\nmetadata: {}\nspec:\n%s" % (
        kind, "".join("  %s\n" % line for line in spec_lines)))
    return str(path)


def test_default_endpoint_when_nothing_is_given():
    settings = resolve_settings({}, environ={})
    assert settings.endpoints == ["http://127.0.0.1:2379"]
    assert settings.timeout == 5.0
    assert not settings.uses_tls


def test_option_beats_environment_beats_file(tmp_path):
    config = write_config(tmp_path, ['etcdEndpoints: "http://file-a:2379,http://file-b:2379"',
                                     "etcdUsername: file-user", "etcdPassword: file-pass"])
    environ = {"ETCD_ENDPOINTS": "http://env-a:2379, http://env-b:2379", "ETCD_USERNAME": "env-user",
               "ETCD_PASSWORD": "env-pass"}
    from_file = resolve_settings({"calicoctl_config": config}, environ={})
    assert from_file.endpoints == ["http://file-a:2379", "http://file-b:2379"]
    assert from_file.username == "file-user"
    assert from_file.sources["etcd_endpoints"] == config

    from_env = resolve_settings({"calicoctl_config": config}, environ=environ)
    assert from_env.endpoints == ["http://env-a:2379", "http://env-b:2379"]
    assert from_env.username == "env-user"
    assert from_env.sources["etcd_username"] == "environment variable ETCD_USERNAME"

    from_option = resolve_settings({"calicoctl_config": config, "etcd_endpoints": ["http://opt:2379"],
                                    "etcd_username": "opt-user", "etcd_password": "opt-pass"}, environ=environ)
    assert from_option.endpoints == ["http://opt:2379"]
    assert (from_option.username, from_option.password) == ("opt-user", "opt-pass")


def test_default_calicoctl_config_is_read_when_it_exists(tmp_path, monkeypatch):
    config = write_config(tmp_path, ['etcdEndpoints: "http://from-default-file:2379"'])
    monkeypatch.setattr(_datastore_settings, "DEFAULT_CALICOCTL_CONFIG", config)
    assert resolve_settings({}, environ={}).endpoints == ["http://from-default-file:2379"]


def test_tls_files_come_from_the_file_per_field(tmp_path):
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    config = write_config(tmp_path, ['etcdEndpoints: "https://10.0.0.1:2379"',
                                     "etcdCACertFile: %s" % (tmp_path / "ca.pem"),
                                     "etcdCertFile: %s" % (tmp_path / "cert.pem"),
                                     "etcdKeyFile: %s" % (tmp_path / "key.pem")])
    settings = resolve_settings({"calicoctl_config": config}, environ={})
    assert settings.uses_tls
    assert settings.ca_cert_file == str(tmp_path / "ca.pem")
    assert settings.key_file == str(tmp_path / "key.pem")


@pytest.mark.parametrize("spec_lines, kind, message", [
    (['datastoreType: "kubernetes"'], "CalicoAPIConfig", "etcdv3 datastore only"),
    (['etcdCACert: "-----BEGIN CERTIFICATE-----"'], "CalicoAPIConfig", "inline"),
    ([], "BGPPeer", "not a CalicoAPIConfig"),
])
def test_unusable_calicoctl_config(tmp_path, spec_lines, kind, message):
    config = write_config(tmp_path, spec_lines, kind=kind)
    with pytest.raises(SettingsError, match=message) as error:
        resolve_settings({"calicoctl_config": config}, environ={})
    assert str(error.value).startswith("calicoctl_config:")


def test_missing_and_malformed_calicoctl_config(tmp_path):
    with pytest.raises(SettingsError, match="calicoctl_config: .* does not exist"):
        resolve_settings({"calicoctl_config": str(tmp_path / "nope.cfg")}, environ={})
    bad = tmp_path / "bad.cfg"
    bad.write_text("spec: [unclosed\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        resolve_settings({"calicoctl_config": str(bad)}, environ={})


@pytest.mark.parametrize("params, message", [
    ({"etcd_endpoints": ["10.0.0.1:2379"]}, "etcd_endpoints: .* http:// or https://"),
    ({"etcd_endpoints": ["http://10.0.0.1:99999"]}, "etcd_endpoints: .* invalid port"),
    ({"etcd_endpoints": ["http://a:2379", "https://b:2379"]}, "mixes http:// and https://"),
    ({"etcd_endpoints": ["https://a:2379"]}, "etcd_ca_cert_file: https:// endpoints need"),
    ({"etcd_username": "calico"}, "etcd_username and etcd_password must be given together"),
    ({"etcd_cert_file": "/x"}, "etcd_cert_file and etcd_key_file must be given together"),
    ({"etcd_ca_cert_file": "/does/not/exist.pem"}, "etcd_ca_cert_file: /does/not/exist.pem .* not a readable file"),
    ({"etcd_timeout": 0}, "etcd_timeout: must be a finite number of seconds above 0"),
    ({"etcd_timeout": float("nan")}, "etcd_timeout: must be a finite number of seconds above 0"),
    ({"etcd_timeout": float("inf")}, "etcd_timeout: must be a finite number of seconds above 0"),
    ({"etcd_endpoints": ["http://[::1:2379"]}, "unclosed"),
])
def test_bad_connection_settings_name_the_option(params, message):
    with pytest.raises(SettingsError, match=message):
        resolve_settings(params, environ={})


@pytest.mark.parametrize("endpoint, parsed", [
    ("http://127.0.0.1:2379", ("http", "127.0.0.1", 2379)),
    ("https://etcd.example:12379/", ("https", "etcd.example", 12379)),
    ("http://[fd00::1]:2379", ("http", "fd00::1", 2379)),
    ("http://etcd", ("http", "etcd", 2379)),
])
def test_parse_endpoint(endpoint, parsed):
    assert parse_endpoint(endpoint) == parsed


def test_password_never_in_repr():
    settings = resolve_settings({"etcd_username": "u", "etcd_password": "s3cret-value"}, environ={})
    assert "s3cret-value" not in repr(settings)
    assert settings.credentials_in_clear
