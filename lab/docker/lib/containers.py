"""Lab "containers": one supervised process tree per compose service, recorded on disk.

State lives in the node's private /var/lib/lab-compose/<project>/:
    <service>.json       the container record (id, name, image, ports, address, PID, config hash)
    <service>.spec.json  what runner.py carries out (volumes, image recipe, environment, logging)
    <service>.status     written by runner.py: running | restarting | exited (+ exit code)
    <service>.out        the program's output, also sent to the logging driver
    <service>.runner.log the runner's own errors
A container is running while its `unshare` process (the recorded PID) is alive; it is
stopped by SIGTERM to its runner (which passes the image's stop signal on), then SIGKILL
after the timeout. Every PID is checked against its command line before it is signalled.

Addresses: Harbor 1.x projects share the node's network namespace, each service on its own
loopback address 127.0.X.N. Harbor 2.x projects (goharbor/* images), where core, portal,
registryctl, jobservice and nginx all listen on 8080, get a bridge of their own on the node,
lcbrX with 172.31.X.1/24, as docker's project network: services that share the node's
network namespace have their address 172.31.X.N on that bridge; a service whose image needs a
namespace of its own (nginx) gets a veth on the bridge (runner.py), and its published ports
are forwarded from the node to it, as docker-proxy does.
"""
import hashlib
import json
import os
import secrets
import select
import shlex
import signal
import socket
import subprocess
import time
import zlib

import releases
from compose_file import parse_networks, split_volume
from images import PYTHON3, UnknownImage, is_harbor2, recipe_for, split_image

STATE_ROOT = "/var/lib/lab-compose"
RUNNER = os.path.join(os.path.dirname(os.path.realpath(__file__)), "runner.py")
START_TIMEOUT_S = 20
BASE_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
# Where goharbor/harbor-core keeps its schema scripts (make/photon/core/Dockerfile: COPY
# ./make/migrations /harbor/migrations; WORKDIR /harbor; pgsql.go: migrations/postgresql/).
CORE_MIGRATIONS = "/harbor/migrations/postgresql"


class StartFailed(Exception):
    pass


def state_dir(project_name):
    d = os.path.join(STATE_ROOT, project_name)
    os.makedirs(d, mode=0o700, exist_ok=True)
    return d


def _third_octet(project):
    return 10 + zlib.crc32(project.name.encode()) % 200


def bridge_of(project):
    """The project's bridge {name, gateway, prefix} for Harbor 2.x projects; None for 1.x."""
    if not any(is_harbor2(s.get("image")) for s in project.services.values()):
        return None
    x = _third_octet(project)
    return {"name": "lcbr%d" % x, "gateway": "172.31.%d.1" % x, "prefix": 24}


def addresses(project):
    """Each service's own address: 127.0.X.N (1.x) or 172.31.X.N on the project bridge (2.x).
    X from the project name (so two projects on a node do not collide), N from the sorted
    service names (stable for a given set)."""
    net = "172.31" if bridge_of(project) else "127.0"
    third = _third_octet(project)
    return {s: "%s.%d.%d" % (net, third, 2 + i) for i, s in enumerate(sorted(project.services))}


def _ip(*args):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    return r.returncode, r.stderr.strip()


def _link_exists(name):
    return _ip("link", "show", "dev", name)[0] == 0  # not /sys/class/net: sysfs may be another namespace's


def ensure_bridge(project, addrs):
    """The 2.x project's bridge, up, with the addresses of the services that share the node's
    network namespace (an own-namespace service's address is on its veth instead)."""
    br = bridge_of(project)
    if br is None:
        return
    if not _link_exists(br["name"]):
        code, err = _ip("link", "add", br["name"], "type", "bridge")
        if code != 0:
            raise StartFailed("cannot create the project network %s: %s" % (br["name"], err))
    _ip("link", "set", br["name"], "up")
    wanted = ["%s/%d" % (br["gateway"], br["prefix"])]
    for s, addr in addrs.items():
        try:
            own = recipe_for(project.services[s].get("image") or "").own_netns
        except UnknownImage:
            own = False  # `up` refuses it anyway
        if not own:
            wanted.append("%s/%d" % (addr, br["prefix"]))
    for cidr in wanted:
        code, err = _ip("addr", "replace", cidr, "dev", br["name"])
        if code != 0:
            raise StartFailed("cannot put %s on %s: %s" % (cidr, br["name"], err))


def remove_bridge(project):
    br = bridge_of(project)
    if br and _link_exists(br["name"]):
        _ip("link", "del", br["name"])


def _volume_mounts(project, service, sdir):
    out = []
    for spec in project.services[service].get("volumes") or []:
        host, target, mode = split_volume(spec)
        if host is None:  # anonymous volume
            host = os.path.join(sdir, "volumes", service, target.strip("/").replace("/", "_"))
        elif not host.startswith(("/", ".", "~")):  # named volume
            host = os.path.join(sdir, "volumes", host)
        else:
            host = project.host_path(host)
        out.append({"source": host, "target": os.path.normpath(target), "ro": "ro" in mode.split(",")})
    return out


def build_spec(project, service, addr):
    """Everything runner.py needs for SERVICE; raises images.UnknownImage for a foreign image."""
    sdef = project.services[service]
    image = sdef.get("image") or ""
    command = sdef.get("command")
    if isinstance(command, str):
        command = shlex.split(command)
    recipe = recipe_for(image, command)
    ports = [str(p) for p in sdef.get("ports") or []]
    env = dict(BASE_ENV, HOSTNAME=socket.gethostname())
    env.update(project.env_of(service))
    env.update(LAB_SERVICE_NAME=service, LAB_SERVICE_ADDR=addr, LAB_IMAGE=image, LAB_SERVICE_PORTS=",".join(ports))
    sdir = state_dir(project.name)
    mounts = _volume_mounts(project, service, sdir)
    if is_harbor2(image):
        # Which release's image this is (its tag, else the bundle the project folder came
        # from): the stand-ins play it, core gets its migrations where the image has them, and
        # a new release changes the spec, so `up -d` recreates the container as docker does
        # for a new image under the same tag.
        try:
            release = releases.resolve(image, project.directory)
        except releases.NoRelease as e:
            raise UnknownImage(str(e))
        env["LAB_HARBOR_RELEASE"] = release
        if split_image(image)[0].endswith("/harbor-core"):
            mounts.append({"source": releases.migrations(release), "target": CORE_MIGRATIONS, "ro": True})
    return {
        "project": project.name, "service": service, "state_dir": sdir, "image": image,
        "mounts": mounts, "recipe": recipe.as_dict(), "env": env,
        "restart": str(sdef.get("restart") or "no"), "logging": sdef.get("logging") or {},
        "ports": ports, "name": project.container_name(service), "names": project.names_of(service), "address": addr,
        "networks": sorted(parse_networks(sdef.get("networks"))),
        "bridge": bridge_of(project) if recipe.own_netns else None,
    }


def spec_hash(spec):
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _path(project_name, service, suffix):
    return os.path.join(STATE_ROOT, project_name, service + suffix)


def load_record(project_name, service):
    try:
        with open(_path(project_name, service, ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def records(project_name):
    d = os.path.join(STATE_ROOT, project_name)
    if not os.path.isdir(d):
        return []
    names = sorted(n[:-5] for n in os.listdir(d) if n.endswith(".json") and not n.endswith(".spec.json"))
    return [r for r in (load_record(project_name, n) for n in names) if r]


def all_projects():
    return sorted(os.listdir(STATE_ROOT)) if os.path.isdir(STATE_ROOT) else []


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _is_ours(pid, rec):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return argv[:1] == [b"unshare"] and RUNNER.encode() in argv and rec["spec"].encode() in argv


def running(rec):
    pid = rec.get("pid") or 0
    return pid > 0 and _alive(pid) and _is_ours(pid, rec)


def status(rec):
    """('running' | 'restarting' | 'exited', exit code or None, restarts)."""
    try:
        with open(_path(rec["project"], rec["service"], ".status")) as f:
            st = json.load(f)
    except (OSError, ValueError):
        st = {"state": "running"}
    if running(rec):
        return st.get("state", "running"), st.get("exit_code"), st.get("restarts", 0)
    if st.get("state") == "exited":
        return "exited", st.get("exit_code"), st.get("restarts", 0)
    return "exited", 137, st.get("restarts", 0)  # killed before the runner could write its status


def _write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    os.rename(tmp, path)


def start(spec, rec=None):
    """Starts the container for SPEC (reusing REC's id when given); returns the new record.

    Returns once the program was exec'd, as docker does; raises StartFailed with the reason
    when the volumes, the entrypoint steps or the exec failed."""
    project, service = spec["project"], spec["service"]
    spec_path = _path(project, service, ".spec.json")
    _write_json(spec_path, spec)
    for suffix in (".status",) if rec else (".status", ".out"):  # a restarted container keeps its output
        if os.path.exists(_path(project, service, suffix)):
            os.unlink(_path(project, service, suffix))
    rfd, wfd = os.pipe()
    log = open(_path(project, service, ".runner.log"), "ab")
    cmd = ["unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
           "--mount-proc", PYTHON3, RUNNER, spec_path, str(wfd)]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                pass_fds=(wfd,), start_new_session=True)
    finally:
        os.close(wfd)
        log.close()
    rec = dict(rec or {}, id=(rec or {}).get("id") or secrets.token_hex(32))
    rec.update(project=project, service=service, name=spec["name"], image=spec["image"],
               command=" ".join(spec["recipe"]["argv"]), ports=spec["ports"], address=spec["address"],
               hash=spec_hash(spec), spec=spec_path, pid=proc.pid,
               created=rec.get("created") or time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    _write_json(_path(project, service, ".json"), rec)
    answer = _read_answer(rfd)
    if answer != "ok":
        raise StartFailed(answer or "its runner exited without a word; see %s" % _path(project, service, ".runner.log"))
    return rec


def _read_answer(fd):
    data, deadline = b"", time.monotonic() + START_TIMEOUT_S
    try:
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "it did not start within %d s" % START_TIMEOUT_S
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    line = data.decode(errors="replace").strip()
    return line[len("error: "):] if line.startswith("error: ") else line


def _runner_pid(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
    except OSError:
        return None
    return int(kids[0]) if kids else None


def stop(recs, timeout_s=10):
    """Stops the running containers among RECS together: SIGTERM, then SIGKILL after TIMEOUT_S."""
    live = [r for r in recs if running(r)]
    for r in live:
        runner = _runner_pid(r["pid"])
        if runner:
            try:
                os.kill(runner, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + timeout_s
    while any(running(r) for r in live) and time.monotonic() < deadline:
        time.sleep(0.05)
    for r in live:
        if running(r):
            os.kill(r["pid"], signal.SIGKILL)  # --kill-child: the runner, hence the whole namespace, dies
    deadline = time.monotonic() + 5
    while any(running(r) for r in live) and time.monotonic() < deadline:
        time.sleep(0.05)


def remove(rec):
    for suffix in (".json", ".spec.json", ".status", ".out", ".runner.log"):
        try:
            os.unlink(_path(rec["project"], rec["service"], suffix))
        except FileNotFoundError:
            pass


def output_path(rec):
    return _path(rec["project"], rec["service"], ".out")
