"""Run a collection module's real main() in-process, as Ansible would run it, and return its
result dict. Used by module unit tests and by integration tests against real servers."""
import contextlib
import importlib
import io
import json

from ansible.module_utils.common import warnings

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.17: modules read their arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(arguments):
        from ansible.module_utils import basic

        previous = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": arguments}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous


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
    # A real module process starts with no warnings; in-process runs must not inherit them.
    warnings._global_warnings.clear()
    warnings._global_deprecations.clear()
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


def main():
    """`python -m tests.support.module_runner NAME JSON_ARGS`: one real module run in its own
    process (for concurrency tests); prints the result as JSON."""
    import sys

    name, arguments = sys.argv[1], json.loads(sys.argv[2])
    try:
        result = run_module(name, arguments)
    except ModuleFailed as failure:
        result = failure.result
    print(json.dumps(result))


if __name__ == "__main__":
    main()
