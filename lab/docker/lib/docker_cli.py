"""The lab's docker command: what Harbor's install.sh and an operator ask of it.

    docker --version | version        "Docker version 17.12.1-ce, build 7390fc6" (Harbor 1.4/1.5 want >= 1.10);
                                      on 2.x nodes (bin/docker27) Docker 27.5.1 (Harbor 2.x wants >= 20.10.10)
    docker compose ...                2.x nodes only: the compose plugin (compose_cli.py, `Docker Compose version v2.32.4`)
    docker run ... goharbor/prepare:TAG prepare ...
                                      2.x nodes only: the prepare image's code (docker_run.py)
    docker load [-i FILE] [-q]        reads a `docker save` archive (tar, tar.gz, ...): the whole
                                      archive must read cleanly, its manifest.json (or legacy
                                      `repositories`) names the images; they are recorded, not unpacked
    docker images                     what `load` recorded
    docker ps [-a] [-q]               the lab containers the docker-compose shim runs
    docker logs CONTAINER             a container's output
Nothing else: there is no Docker engine in the lab.
"""
import json
import os
import sys
import tarfile
import time

import containers

IMAGES = "/var/lib/lab-docker/images.json"


class Engine:
    """What `docker --version` / `docker version` say, and the plugin commands there are."""

    def __init__(self, version, build, api, go, plugins=()):
        self.version, self.build, self.api, self.go = version, build, api, go
        self.plugins = set(plugins)

    def version_line(self):
        return "Docker version %s, build %s" % (self.version, self.build)


ENGINE_17 = Engine("17.12.1-ce", "7390fc6", "1.35", "go1.9.4")             # what Harbor 1.4/1.5 VMs ran
ENGINE_27 = Engine("27.5.1", "9f9e405", "1.47", "go1.22.11", ("compose", "run"))  # a Harbor 2.x VM


def say(msg):
    sys.stderr.write(msg + "\n")


def read_images():
    try:
        with open(IMAGES) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def load_archive(stream, label):
    """{repo:tag or id: config id} from a docker-save archive; raises ValueError when unreadable."""
    manifest = repositories = None
    try:
        with tarfile.open(fileobj=stream, mode="r|*") as tar:
            for member in tar:  # every member is read: a truncated archive fails here, as in docker
                f = tar.extractfile(member) if member.isfile() else None
                data = f.read() if f else b""
                if member.name in ("manifest.json", "./manifest.json"):
                    manifest = json.loads(data)
                elif member.name in ("repositories", "./repositories"):
                    repositories = json.loads(data)
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        raise ValueError("Error processing tar file(exit status 1): %s: %s" % (label, e))
    found = {}
    for entry in manifest or []:
        cfg = str(entry.get("Config", "")).replace(".json", "")
        tags = entry.get("RepoTags") or []
        for tag in tags:
            found[tag] = "sha256:" + cfg.split("/")[-1]
        if not tags:
            found["sha256:" + cfg.split("/")[-1]] = "sha256:" + cfg.split("/")[-1]
    for repo, tags in (repositories or {}).items() if manifest is None else []:
        for tag, layer in tags.items():
            found["%s:%s" % (repo, tag)] = layer
    if manifest is None and repositories is None:
        raise ValueError("open /var/lib/docker/tmp/docker-import-lab/repositories: no such file or directory "
                         "(%s has neither manifest.json nor repositories: it is not a docker image archive)" % label)
    return found


def cmd_load(args):
    path = None
    i = 0
    while i < len(args):
        if args[i] in ("-i", "--input"):
            path = args[i + 1] if i + 1 < len(args) else None
            i += 2
        elif args[i].startswith("--input="):
            path = args[i].split("=", 1)[1]
            i += 1
        elif args[i] in ("-q", "--quiet"):  # docker's -q only hides progress bars
            i += 1
        else:
            say('"docker load" accepts no arguments.')
            return 1
    if path is None and sys.stdin.isatty():
        say("requested load from stdin, but stdin is empty")
        return 1
    try:
        if path:
            with open(path, "rb") as f:
                found = load_archive(f, path)
        else:
            found = load_archive(sys.stdin.buffer, "stdin")
    except OSError as e:
        say("open %s: %s" % (path, e.strerror.lower()))
        return 1
    except ValueError as e:
        say(str(e))
        return 1
    images = read_images()
    for ref, image_id in found.items():
        images[ref] = {"id": image_id, "loaded": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "archive": path or "stdin"}
        print("Loaded image: %s" % ref if not ref.startswith("sha256:") else "Loaded image ID: %s" % ref)
    os.makedirs(os.path.dirname(IMAGES), exist_ok=True)
    with open(IMAGES + ".tmp", "w") as f:
        json.dump(images, f, indent=1, sort_keys=True)
    os.rename(IMAGES + ".tmp", IMAGES)
    return 0


def cmd_images(_args):
    print("%-40s %-24s %-14s %s" % ("REPOSITORY", "TAG", "IMAGE ID", "LOADED"))
    for ref, info in sorted(read_images().items()):
        repo, _, tag = ref.rpartition(":")
        print("%-40s %-24s %-14s %s" % (repo, tag, info["id"].split(":")[-1][:12], info["loaded"]))
    return 0


def _all_records():
    return [r for p in containers.all_projects() for r in containers.records(p)]


def cmd_ps(args):
    show_all = bool({"-a", "--all"} & set(args))
    recs = [r for r in _all_records() if show_all or containers.running(r)]
    if {"-q", "--quiet"} & set(args):
        for r in recs:
            print(r["id"][:12])
        return 0
    print("%-14s %-40s %-40s %-22s %s" % ("CONTAINER ID", "IMAGE", "COMMAND", "STATUS", "NAMES"))
    for r in recs:
        state, code, _ = containers.status(r)
        shown = {"running": "Up", "restarting": "Restarting (%s)" % code}.get(state, "Exited (%s)" % code)
        print("%-14s %-40s %-40s %-22s %s" % (r["id"][:12], r["image"], '"%s"' % r["command"][:36], shown, r["name"]))
    return 0


def cmd_logs(args):
    names = [a for a in args if not a.startswith("-")]
    if len(names) != 1:
        say('"docker logs" requires exactly 1 argument.')
        return 1
    for r in _all_records():
        if names[0] in (r["name"], r["id"], r["id"][:12]):
            try:
                with open(containers.output_path(r), "rb") as f:
                    for line in f:
                        sys.stdout.write(line.decode(errors="replace").split(" ", 2)[-1])
            except FileNotFoundError:
                pass
            return 0
    say("Error: No such container: %s" % names[0])
    return 1


def cmd_compose(args):
    import compose_cli  # the plugin: the same shim as docker-compose, as compose v2
    return compose_cli.main(args, compose_cli.PLUGIN_V2)


def cmd_run(args):
    import docker_run
    return docker_run.main(args)


def main(argv, engine=ENGINE_17):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0 if argv else 1
    if argv[0] in ("-v", "--version"):
        print(engine.version_line())
        return 0
    if argv[0] == "version":
        print("Client:\n Version:\t%s\n API version:\t%s\n Go version:\t%s\n Git commit:\t%s\n"
              " OS/Arch:\tlinux/amd64\n\nServer:\n Engine:\n  Version:\t%s (harbor-ha lab shim: no engine)"
              % (engine.version, engine.api, engine.go, engine.build, engine.version))
        return 0
    commands = {"load": cmd_load, "images": cmd_images, "ps": cmd_ps, "logs": cmd_logs}
    if "compose" in engine.plugins:
        commands["compose"] = cmd_compose
    if "run" in engine.plugins:
        commands["run"] = cmd_run
    if argv[0] not in commands:
        say("docker: '%s' is not a docker command in the harbor-ha lab (this shim knows: --version, version, "
            "%s).\nSee 'docker --help'" % (argv[0], ", ".join(commands)))
        return 1
    if argv[0] == "compose":  # the plugin speaks for itself (its own version, its own errors)
        return commands["compose"](argv[1:])
    if os.geteuid() != 0:
        say("Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock")
        return 1
    return commands[argv[0]](argv[1:])
