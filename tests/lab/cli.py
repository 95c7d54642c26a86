"""`python -m tests.lab COMMAND`: run the lab from a shell.

    python -m tests.lab up [--topology FILE]   start etcd, the BIRDs and the node agents; wait
                                               until the starting topology is Established
    python -m tests.lab up --racks 16 --nodes-per-rack 6 --layout rr-per-rack
                                               the same on a generated fabric of that size
    python -m tests.lab status                 every node's BGP sessions (calicoctl-like tables)
    python -m tests.lab inventory [-o FILE]    write an Ansible inventory for the lab
    python -m tests.lab monitor -- CMD ARGS    run CMD while watching route continuity
    python -m tests.lab down                   stop everything by PID, remove the lab directory

`up` leaves a supervisor process running (`serve`): it owns etcd, the BIRD daemons and the agents
and stops them when `down` sends it SIGTERM. Everything lives in one directory (default
.tmp/lab in the repository; --dir to choose another, e.g. to run two labs), with `lab.json`
describing what runs where.
"""
import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time

import yaml

from tests.lab import REPO_ROOT
from tests.lab.topology import LAYOUTS, Topology, TopologyError

DEFAULT_DIR = os.path.join(REPO_ROOT, ".tmp", "lab")
STATE_FILE = "lab.json"
ERROR_FILE = "lab.error"
PID_FILE = "supervisor.pid"
LOG_FILE = "lab.log"


def running(pid):
    """True while `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (IOError, OSError, IndexError):
        return False
    return fields[0] != "Z"


# What the lab itself starts; nothing else is ever stopped by `down`.
LAB_PROGRAMS = ("bird", "bird6", "etcd")


def processes_using(path):
    """PIDs of live BIRD/etcd processes whose command line mentions `path`: the lab's own daemons
    when a supervisor died before recording them (never, say, a playbook using the inventory)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                cmdline = handle.read().decode("utf-8", "replace")
        except (IOError, OSError):
            continue
        program = os.path.basename(cmdline.split("\0", 1)[0])
        if program in LAB_PROGRAMS and path in cmdline and running(int(entry)):
            found.append(int(entry))
    return found


def load_state(directory):
    path = os.path.join(directory, STATE_FILE)
    try:
        with open(path) as handle:
            return json.load(handle)
    except (IOError, OSError):
        raise SystemExit("no lab is running in %s (no %s); start one with 'python -m tests.lab up'"
                         % (directory, STATE_FILE))


def _wait_gone(pids, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


# ---- commands ------------------------------------------------------------------------

def cmd_up(args):
    directory = os.path.abspath(args.dir)
    if os.path.exists(os.path.join(directory, STATE_FILE)):
        raise SystemExit("a lab is already up in %s; stop it first with 'python -m tests.lab down%s'"
                         % (directory, "" if args.dir == DEFAULT_DIR else " --dir " + args.dir))
    generated = args.racks is not None or args.nodes_per_rack is not None or args.layout is not None
    if generated and args.topology:
        raise SystemExit("--topology and --racks/--nodes-per-rack/--layout both describe the fabric: give one")
    try:  # fail here, clearly, on a bad file or size
        if generated:
            topology = Topology.generate(2 if args.racks is None else args.racks,
                                         3 if args.nodes_per_rack is None else args.nodes_per_rack,
                                         args.layout or "as-per-rack")
        else:
            Topology.load(args.topology)
    except TopologyError as exc:
        raise SystemExit(str(exc))
    if os.path.exists(directory):
        shutil.rmtree(directory)
    os.makedirs(directory)
    topology_path = os.path.abspath(args.topology) if args.topology else None
    if generated:
        topology_path = os.path.join(directory, "topology.yml")
        with open(topology_path, "w") as handle:
            yaml.safe_dump(topology.data, handle, sort_keys=False)
    command = [sys.executable, "-m", "tests.lab", "serve", "--dir", directory]
    if topology_path:
        command += ["--topology", topology_path]
    started = time.monotonic()
    with open(os.path.join(directory, LOG_FILE), "ab") as log:
        supervisor = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=log,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = started + args.timeout
    state_path = os.path.join(directory, STATE_FILE)
    while not os.path.exists(state_path):
        if supervisor.poll() is not None or time.monotonic() > deadline:
            if supervisor.poll() is None:
                supervisor.terminate()
                supervisor.wait(30)
            message = _read(os.path.join(directory, ERROR_FILE)) or _read(os.path.join(directory, LOG_FILE))
            shutil.rmtree(directory, ignore_errors=True)
            raise SystemExit("the lab did not come up: %s" % (message.strip() or "no output"))
        time.sleep(0.1)
    state = load_state(directory)
    print("Lab up in %.1f s (directory %s, supervisor pid %d)."
          % (time.monotonic() - started, directory, state["supervisor_pid"]))
    print("  etcd      %s" % ", ".join(state["etcd"]["endpoints"]))
    if not state.get("ipv6"):
        print("  IPv4 only (the IPv6 side needs root to create the lab's network namespace)")
    for tor in state["tors"]:
        print("  %-9s %s%s AS %s (BIRD socket %s)" % (
            tor["name"], tor["address"], " / " + tor["address6"] if tor.get("address6") else "",
            tor["as_number"], tor["socket"]))
    for node in state["nodes"]:
        print("  %-9s %s%s AS %s rack %s announces %s%s" % (
            node["name"], node["address"], " / " + node["address6"] if node.get("address6") else "",
            node["as_number"], node["rack"], node["pod_block"],
            " and " + node["pod_block6"] if node.get("socket6") else ""))
    print("Every configured session is Established. Next: 'python -m tests.lab status', "
          "'python -m tests.lab inventory', 'python -m tests.lab down'.")
    return 0


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()[-4000:]
    except (IOError, OSError):
        return ""


def cmd_serve(args):
    """The supervisor: runs the lab until SIGTERM/SIGINT."""
    from tests.lab.lab import Lab

    directory = os.path.abspath(args.dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with open(os.path.join(directory, PID_FILE), "w") as handle:
        handle.write("%d\n" % os.getpid())

    def terminate(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, terminate)
    lab = Lab(args.topology, workdir=directory)
    try:
        try:
            lab.start()
        except Exception as exc:
            with open(os.path.join(directory, ERROR_FILE), "w") as handle:
                handle.write("%s\n" % exc)
            return 1
        lab.write_state(os.path.join(directory, STATE_FILE))
        logging.info("lab up; waiting for SIGTERM")
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        logging.info("stopping the lab")
    finally:
        lab.stop()
    return 0


def cmd_down(args):
    directory = os.path.abspath(args.dir)
    if not os.path.exists(directory):
        print("No lab in %s: nothing to stop." % directory)
        return 0
    pids = []
    state = {}
    if os.path.exists(os.path.join(directory, STATE_FILE)):
        state = load_state(directory)
        pids = [state["supervisor_pid"], state["etcd"]["pid"]] + \
            [item[field] for item in state["nodes"] + state["tors"] for field in ("pid", "pid6") if item.get(field)]
    elif os.path.exists(os.path.join(directory, PID_FILE)):
        pids = [int(_read(os.path.join(directory, PID_FILE)).strip())]
    supervisor = pids[0] if pids else None
    if supervisor and running(supervisor):
        os.kill(supervisor, signal.SIGTERM)
        _wait_gone([supervisor], 60)
    leftovers = [pid for pid in pids[1:] if running(pid)] + \
        [pid for pid in processes_using(directory) if pid not in pids]
    for pid in leftovers:  # the supervisor died without cleaning up: stop them by PID
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if leftovers and not _wait_gone(leftovers, 20):
        for pid in leftovers:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        _wait_gone(leftovers, 10)
    if state.get("netns"):
        from tests.support.netns import Netns
        Netns(state["netns"]).delete()  # the supervisor deletes it; this is for one that died
    shutil.rmtree(directory, ignore_errors=True)
    still = [pid for pid in pids + leftovers if running(pid)]
    if still or os.path.exists(directory):
        raise SystemExit("could not stop everything: processes %s, directory %s"
                         % (still, "still there" if os.path.exists(directory) else "removed"))
    print("Lab stopped: %d process(es) stopped by PID, %s removed." % (len(set(pids + leftovers)), directory))
    return 0


def cmd_status(args):
    from tests.lab.lab import all_protocols, status_text

    state = load_state(os.path.abspath(args.dir))
    if args.json:
        print(json.dumps(state, indent=2))
        return 0
    print(status_text(state))
    for tor in state["tors"]:
        for address, socket_path in ((tor["address"], tor["socket"]), (tor.get("address6"), tor.get("socket6"))):
            if not socket_path:
                continue
            try:
                protocols = all_protocols(socket_path)
                print("\n%s (%s, AS %s): %s" % (tor["name"], address, tor["as_number"], ", ".join(
                    "%s %s" % (name, info) for name, info in sorted(protocols.items()))))
            except Exception as exc:
                print("\n%s (%s): BIRD cannot be read: %s" % (tor["name"], address, exc))
    return 0


def cmd_inventory(args):
    import yaml
    from tests.lab.lab import inventory

    directory = os.path.abspath(args.dir)
    state = load_state(directory)
    path = os.path.abspath(args.output or os.path.join(directory, "inventory.yml"))
    with open(path, "w") as handle:
        handle.write("# Ansible inventory of the netops.calico lab in %s\n" % directory)
        yaml.safe_dump(inventory(state), handle, default_flow_style=False, sort_keys=False)
    print(path)
    return 0


def cmd_monitor(args):
    from tests.lab.lab import monitor_for

    state = load_state(os.path.abspath(args.dir))
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        raise SystemExit("monitor needs a command to run: python -m tests.lab monitor -- CMD ARGS")
    with monitor_for(state, args.interval) as monitor:
        returncode = subprocess.call(command)
    report = monitor.report()
    print(report.text())
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report.as_dict(), handle, indent=2)
    if returncode:
        return returncode
    return 3 if (args.fail_on_gap and not report.ok) else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.lab", description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--dir", default=DEFAULT_DIR, help="lab directory (default: %(default)s)")
    commands = parser.add_subparsers(dest="command_name", required=True)
    up = commands.add_parser("up", help="start the lab and wait until it is Established")
    up.add_argument("--topology", help="topology file (default: tests/lab/topologies/default.yml)")
    up.add_argument("--timeout", type=float, default=90.0)
    up.add_argument("--racks", type=int, help="generate the fabric: this many racks (default 2)")
    up.add_argument("--nodes-per-rack", type=int, help="generate the fabric: Calico nodes per rack (default 3)")
    up.add_argument("--layout", choices=LAYOUTS, help="generate the fabric: as-per-rack (default; each rack its "
                    "own AS, eBGP between the ToRs) or rr-per-rack (one AS, each ToR its rack's route reflector)")
    up.set_defaults(func=cmd_up)
    serve = commands.add_parser("serve", help=argparse.SUPPRESS)
    serve.add_argument("--topology")
    serve.set_defaults(func=cmd_serve)
    down = commands.add_parser("down", help="stop every process of the lab and remove its directory")
    down.set_defaults(func=cmd_down)
    status = commands.add_parser("status", help="print every node's BGP sessions")
    status.add_argument("--json", action="store_true", help="print the lab's state (lab.json) instead")
    status.set_defaults(func=cmd_status)
    inv = commands.add_parser("inventory", help="write an Ansible inventory for the lab")
    inv.add_argument("-o", "--output", help="file to write (default: <dir>/inventory.yml)")
    inv.set_defaults(func=cmd_inventory)
    mon = commands.add_parser("monitor", help="run a command while watching route continuity")
    mon.add_argument("--interval", type=float, default=0.2)
    mon.add_argument("--json", help="also write the report as JSON to this file")
    mon.add_argument("--fail-on-gap", action="store_true", help="exit 3 when any node lost a route")
    mon.add_argument("command", nargs=argparse.REMAINDER)
    mon.set_defaults(func=cmd_monitor)
    # `--dir` is accepted after the command too
    for sub in (up, serve, down, status, inv, mon):
        sub.add_argument("--dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    return args.func(args)
