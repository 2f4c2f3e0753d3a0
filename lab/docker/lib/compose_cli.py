"""The lab's docker-compose: the commands Harbor's install.sh and operators use.

    docker-compose [-f FILE]... [-p NAME] COMMAND     (and `docker compose ...` on 2.x nodes)
      version | --version             "docker-compose version 1.19.0, build 9e633ef"
                                      (`docker compose`: "Docker Compose version v2.32.4")
      ps [-q] [--services] [SERVICE...] containers of the services in the files (stopped ones too)
      up -d [--force-recreate] [--no-deps] [--remove-orphans] [SERVICE...]
      down [-v] [--remove-orphans] [-t N]
      stop | start | restart [-t N] [SERVICE...]
      rm [-f] [-s] [SERVICE...]       logs [SERVICE...]       config
Without -f: ./docker-compose.yml (or .yaml) plus docker-compose.override.yml when present,
or $COMPOSE_FILE. Progress goes to stderr and errors are `ERROR: ...` with exit 1, as
docker-compose 1.x does. `up` returns once every program was started; it never waits
for health (nor does docker-compose).
"""
import fcntl
import json
import os
import sys

import yaml

import containers
import etc_hosts
from compose_file import ComposeError, Project, parse_depends_on
from images import UnknownImage

# The version line, and `version --short`: docker-compose 1.19 (Harbor 1.x VMs) or the compose
# plugin v2 of a Harbor 2.x VM (`docker compose`, which Harbor 2.x's install.sh prefers).
STANDALONE_V1 = ("docker-compose version 1.19.0, build 9e633ef", "1.19.0")
PLUGIN_V2 = ("Docker Compose version v2.32.4", "2.32.4")


class Usage(Exception):
    pass


def parse_global(argv):
    files, name, i = [], None, 0
    while i < len(argv):
        a = argv[i]
        if a in ("-f", "--file", "-p", "--project-name", "--project-directory", "-H", "--host", "--log-level"):
            if i + 1 >= len(argv):
                raise Usage("%s needs a value" % a)
            if a in ("-f", "--file"):
                files.append(argv[i + 1])
            elif a in ("-p", "--project-name"):
                name = argv[i + 1]
            i += 2
        elif a.startswith("--file="):
            files.append(a.split("=", 1)[1])
            i += 1
        elif a in ("-v", "--version"):
            return files, name, ["version"]
        elif a in ("--verbose", "--no-ansi", "--tls", "--skip-hostname-check"):
            i += 1
        elif a.startswith("-"):
            raise Usage("unknown option %s" % a)
        else:
            return files, name, argv[i:]
    return files, name, []


def default_files():
    if os.environ.get("COMPOSE_FILE"):
        return os.environ["COMPOSE_FILE"].split(os.environ.get("COMPOSE_PATH_SEPARATOR", ":"))
    for base in ("docker-compose.yml", "docker-compose.yaml"):
        if os.path.exists(base):
            over = [o for o in ("docker-compose.override.yml", "docker-compose.override.yaml") if os.path.exists(o)]
            return [base] + over[:1]
    raise ComposeError("Can't find a suitable configuration file in this directory or any\n"
                       "        parent. Are you in the right directory?\n\n"
                       "        Supported filenames: docker-compose.yml, docker-compose.yaml")


def split_opts(args, flags, valued=()):
    """(options dict, positional args) for a subcommand."""
    opts, rest, i = {}, [], 0
    while i < len(args):
        a = args[i]
        if a in valued:
            opts[a] = args[i + 1] if i + 1 < len(args) else ""
            i += 2
            continue
        if a.startswith("-") and a not in flags:
            raise Usage("unknown option %s" % a)
        if a.startswith("-"):
            opts[a] = True
        else:
            rest.append(a)
        i += 1
    return opts, rest


def say(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def selected(project, names):
    for n in names:
        if n not in project.services:
            raise ComposeError("No such service: %s" % n)
    return names or list(project.services)


def project_records(project, names=None):
    wanted = set(names or project.services)
    order = {s: i for i, s in enumerate(project.start_order())}
    recs = [r for r in containers.records(project.name) if r["service"] in wanted]
    return sorted(recs, key=lambda r: order.get(r["service"], 0))


def orphans(project):
    return [r for r in containers.records(project.name) if r["service"] not in project.services]


def warn_orphans(project, opts):
    found = orphans(project)
    if found and "--remove-orphans" in opts:
        containers.stop(found)
        for r in found:
            say("Removing orphan container \"%s\" ... done" % r["name"])
            containers.remove(r)
    elif found:
        say("WARNING: Found orphan containers (%s) for this project. If you removed or renamed this "
            "service in your compose file, you can run this command with the --remove-orphans flag "
            "to clean it up." % ", ".join(r["name"] for r in found))


def networks_path(project):
    return os.path.join(containers.state_dir(project.name), "networks")


def cmd_up(project, args):
    opts, names = split_opts(args, {"-d", "--detach", "--no-color", "--no-deps", "--force-recreate",
                                    "--no-recreate", "--no-build", "--remove-orphans", "--no-start"},
                             valued=("-t", "--timeout"))
    if not ({"-d", "--detach"} & set(opts)):
        raise ComposeError("the lab's docker-compose runs services detached only: use `up -d`")
    selected(project, names)
    order = project.start_order()
    if names and "--no-deps" in opts:
        order = [s for s in order if s in names]
    elif names:
        needed = set()

        def need(s):
            if s not in needed:
                needed.add(s)
                for d in parse_depends_on(project.services[s].get("depends_on")):
                    need(d)
        for n in names:
            need(n)
        order = [s for s in order if s in needed]
    warn_orphans(project, opts)
    addrs = containers.addresses(project)
    specs = {}
    for s in order:
        try:
            specs[s] = containers.build_spec(project, s, addrs[s])
        except UnknownImage as e:
            raise ComposeError("for %s  %s" % (s, e))
    made = open(networks_path(project)).read().split() if os.path.exists(networks_path(project)) else []
    for net, cfg in project.networks.items():
        full = "%s_%s" % (project.name, net)
        if not (cfg or {}).get("external") and full not in made:
            say('Creating network "%s" with the default driver' % full)
            made.append(full)
    with open(networks_path(project), "w") as f:
        f.write("\n".join(made) + "\n")
    etc_hosts.set_block(project.name, [(addrs[s], project.names_of(s)) for s in sorted(project.services, key=addrs.get)])
    try:
        containers.ensure_bridge(project, addrs)
    except containers.StartFailed as e:
        raise ComposeError(str(e))
    failed, changed = {}, set()
    for s in order:
        name = project.container_name(s)
        deps = parse_depends_on(project.services[s].get("depends_on"))
        if [d for d in deps if d in failed]:
            failed[s] = "dependency failed: %s" % ", ".join(d for d in deps if d in failed)
            continue
        rec = containers.load_record(project.name, s)
        # As compose 1.x: a service whose dependency was (re)created is recreated too.
        same = rec is not None and rec.get("hash") == containers.spec_hash(specs[s]) and not changed & set(deps)
        if rec and containers.running(rec) and same and "--force-recreate" not in opts:
            say("%s is up-to-date" % name)
            continue
        if rec and (not same or "--force-recreate" in opts) and "--no-recreate" not in opts:
            containers.stop([rec])
            containers.remove(rec)
            rec, action = None, "Recreating"
        else:
            action = "Starting" if rec else "Creating"
        try:
            containers.start(specs[s], rec)
            say("%s %s ... done" % (action, name))
            if action != "Starting":
                changed.add(s)
        except containers.StartFailed as e:
            say("%s %s ... error" % (action, name))
            failed[s] = str(e)
    if failed:
        for s, why in failed.items():
            say("\nERROR: for %s  Cannot start service %s: %s" % (s, s, why))
        raise ComposeError("Encountered errors while bringing up the project.")


def cmd_down(project, args):
    opts, _ = split_opts(args, {"-v", "--volumes", "--remove-orphans"}, valued=("-t", "--timeout", "--rmi"))
    timeout = int(opts.get("-t") or opts.get("--timeout") or 10)
    recs = list(reversed(project_records(project)))
    live = [r for r in recs if containers.running(r)]
    for r in live:
        say("Stopping %s ... " % r["name"])
    containers.stop(live, timeout)
    for r in live:
        say("Stopping %s ... done" % r["name"])
    warn_orphans(project, opts)
    for r in recs:
        containers.remove(r)
        say("Removing %s ... done" % r["name"])
    etc_hosts.set_block(project.name, [])
    containers.remove_bridge(project)
    if os.path.exists(networks_path(project)):
        ours = {"%s_%s" % (project.name, n) for n in project.networks}
        made = open(networks_path(project)).read().split()
        for net in [n for n in made if n in ours]:
            say("Removing network %s" % net)
        with open(networks_path(project), "w") as f:
            f.write("".join(n + "\n" for n in made if n not in ours))


def cmd_ps(project, args):
    opts, names = split_opts(args, {"-q", "--quiet", "--services", "-a", "--all"})
    selected(project, names)
    if "--services" in opts:
        print("\n".join(names or project.services))
        return
    recs = project_records(project, names)
    if {"-q", "--quiet"} & set(opts):
        for r in recs:
            print(r["id"])
        return
    rows = [("Name", "Command", "State", "Ports")]
    for r in sorted(recs, key=lambda r: r["name"]):
        state, code, restarts = containers.status(r)
        shown = {"running": "Up", "restarting": "Restarting (exit %s)" % code}.get(state, "Exit %s" % code)
        if restarts and state == "running":
            shown += " (restarted %d)" % restarts
        cmd = r["command"] if len(r["command"]) <= 30 else r["command"][:26] + " ..."
        rows.append((r["name"], cmd, shown, ", ".join(_port_text(p) for p in r["ports"])))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("   ".join(h.center(w) for h, w in zip(rows[0], widths)).rstrip())
    print("-" * (sum(widths) + 9))
    for row in rows[1:]:
        print("   ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _port_text(p):
    parts = p.split(":")
    host_ip = parts[0] if len(parts) == 3 else "0.0.0.0"
    return "%s:%s->%s/tcp" % (host_ip, parts[-2] if len(parts) > 1 else parts[-1], parts[-1])


def cmd_stop(project, args):
    opts, names = split_opts(args, set(), valued=("-t", "--timeout"))
    live = [r for r in project_records(project, selected(project, names)) if containers.running(r)]
    containers.stop(list(reversed(live)), int(opts.get("-t") or opts.get("--timeout") or 10))
    for r in live:
        say("Stopping %s ... done" % r["name"])


def cmd_start(project, args):
    _, names = split_opts(args, set())
    recs = [r for r in project_records(project, selected(project, names)) if not containers.running(r)]
    if not recs and not project_records(project, names):
        raise ComposeError("No containers to start")
    failed = []
    for r in recs:
        with open(r["spec"]) as f:
            spec = json.load(f)
        try:
            containers.start(spec, r)
            say("Starting %s ... done" % r["name"])
        except containers.StartFailed as e:
            failed.append("for %s  Cannot start service %s: %s" % (r["service"], r["service"], e))
    if failed:
        raise ComposeError("\n".join(failed))


def cmd_restart(project, args):
    opts, names = split_opts(args, set(), valued=("-t", "--timeout"))
    cmd_stop(project, (["-t", opts["-t"]] if "-t" in opts else []) + names)
    cmd_start(project, names)


def cmd_rm(project, args):
    opts, names = split_opts(args, {"-f", "--force", "-s", "--stop", "-v"})
    recs = project_records(project, selected(project, names))
    if {"-s", "--stop"} & set(opts):
        containers.stop([r for r in recs if containers.running(r)])
    gone = [r for r in recs if not containers.running(r)]
    if not gone:
        say("No stopped containers")
    for r in gone:
        containers.remove(r)
        say("Removing %s ... done" % r["name"])


def cmd_logs(project, args):
    _, names = split_opts(args, {"--no-color", "-f", "--follow", "-t", "--timestamps"}, valued=("--tail",))
    recs = project_records(project, selected(project, names))
    width = max([len(r["name"]) for r in recs] or [0])
    for r in recs:
        try:
            with open(containers.output_path(r), "rb") as f:
                for line in f:
                    text = line.decode(errors="replace").rstrip("\n").split(" ", 2)[-1]
                    print("%s | %s" % (r["name"].ljust(width), text))
        except FileNotFoundError:
            pass


def cmd_config(project, _args):
    doc = {"version": "2", "services": project.services, "networks": project.networks}
    print(yaml.safe_dump(doc, default_flow_style=False, sort_keys=True), end="")


COMMANDS = {"up": cmd_up, "down": cmd_down, "ps": cmd_ps, "stop": cmd_stop, "start": cmd_start,
            "restart": cmd_restart, "rm": cmd_rm, "logs": cmd_logs, "config": cmd_config}


def main(argv, flavour=STANDALONE_V1):
    try:
        files, name, rest = parse_global(argv)
        if not rest or rest[0] in ("help", "-h", "--help"):
            print(__doc__.strip())
            return 0 if rest else 1
        if rest[0] == "version":
            print(flavour[0] if "--short" not in rest else flavour[1])
            return 0
        if rest[0] not in COMMANDS:
            raise Usage("no such command: %s" % rest[0])
        if os.geteuid() != 0:
            raise ComposeError("Couldn't connect to Docker daemon at http+docker://localunixsocket - is it running?\n\n"
                               "If it's at a non-standard location, specify the URL with the DOCKER_HOST environment variable.")
        project = Project(files or default_files(), name)
        lock = open(os.path.join(containers.state_dir(project.name), ".lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)
        COMMANDS[rest[0]](project, rest[1:])
        return 0
    except Usage as e:
        say("%s\n\n%s" % (e, __doc__.strip()))
        return 1
    except ComposeError as e:
        say("ERROR: %s" % e)
        return 1
