"""The collection's own code driven without Ansible, for the benchmarks' floors.

DirectModule stands in for the CalicoModule of one task: the module's argument spec defaults plus
the given options as params, no check mode, no diff, and a resource store connected on first use.
The kind's apply() then runs exactly the code a task runs, minus Ansible's process start, argument
parsing and result handling.
"""
from ansible_collections.netops.calico.plugins.module_utils._datastore_settings import CONNECTION_ARGUMENT_SPEC
from ansible_collections.netops.calico.plugins.module_utils._module import CalicoModule


class DirectModule(object):
    # the CalicoModule methods a kind's apply() uses, on this object
    store = CalicoModule.store
    calico_version = CalicoModule.calico_version
    require_calico_version = CalicoModule.require_calico_version
    apply_output = CalicoModule.apply_output

    def __init__(self, argument_spec, **options):
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.params = dict((name, value.get("default")) for name, value in spec.items())
        self.params.update(options)
        self.check_mode = False
        self._diff = False
        self._store = None
        self._calico_version = None
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)

    def close(self):
        if self._store is not None:
            self._store.close()
            self._store = None
