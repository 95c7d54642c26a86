"""Stopping a lab's processes (tests/support/processes.stop_processes): all at once, one grace
period, then SIGKILL for those that ignore SIGTERM."""
import subprocess
import sys

from tests.support.processes import stop_processes

IGNORES_SIGTERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); " \
                  "time.sleep(60)"


def test_every_process_is_gone_after_one_grace_even_those_that_ignore_sigterm():
    polite = [subprocess.Popen(["sleep", "60"]) for _index in range(5)]
    stubborn = [subprocess.Popen([sys.executable, "-c", IGNORES_SIGTERM], stdout=subprocess.PIPE, text=True)
                for _index in range(3)]
    for proc in stubborn:
        assert proc.stdout.readline().strip() == "ready"  # its handler is in place
    stop_processes(polite + stubborn, grace=0.5)
    assert [proc.returncode for proc in polite] == [-15] * 5  # SIGTERM
    assert [proc.returncode for proc in stubborn] == [-9] * 3  # SIGKILL after the grace
