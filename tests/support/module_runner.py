"""Run a collection module's real main() in-process, as Ansible would run it, and return its
result dict. Used by module unit tests and by integration tests against real servers."""
import contextlib
import importlib
import io
import json

from ansible.module_utils.testing import patch_module_args


class ModuleFailed(AssertionError):
    def __init__(self, result):
        super(ModuleFailed, self).__init__(result.get("msg"))
        self.result = result


def run_module(name, args, check_mode=False, diff=False, expect_failure=False):
    """Result dict of netops.calico.<name> with args. Raises ModuleFailed when the module fails
    (unless expect_failure, which asserts that it failed and returns the result)."""
    module = importlib.import_module("ansible_collections.netops.calico.plugins.modules." + name)
    arguments = dict(args)
    arguments["_ansible_check_mode"] = check_mode
    arguments["_ansible_diff"] = diff
    stdout = io.StringIO()
    with patch_module_args(arguments), contextlib.redirect_stdout(stdout):
        try:
            module.main()
        except SystemExit:
            pass
    output = stdout.getvalue()
    # AnsibleModule prints exactly one JSON document; anything else (a traceback) is a bug.
    result = json.loads(output)
    if expect_failure:
        assert result.get("failed"), "expected %s to fail, got %r" % (name, result)
        return result
    if result.get("failed"):
        raise ModuleFailed(result)
    return result
