"""What each Harbor image runs, for the lab (there is no container runtime here).

Harbor 1.4/1.5 (vmware/* images):

Each entry follows that image's Dockerfile and entrypoint in goharbor/harbor at tags
v1.4.0 and v1.5.4 (make/photon/<image>/Dockerfile, entrypoint.sh / start.sh):
- every Harbor image starts as root, `chown -R 10000:10000` the folders it was given,
  then runs its program as uid/gid 10000 (`sudo -E -u #10000`); nginx stays root;
- the program is the Debian one where Debian has it (docker-registry, nginx), otherwise
  the lab's stand-in in lab/harbor1/ (lab/harbor2/ for 2.x).
Harbor 2.x (goharbor/* images), following make/photon/<image>/Dockerfile and entrypoint.sh /
start.sh at v2.15.1: the images run as `USER harbor` (uid 10000) and chown nothing (prepare
gives their files to 10000), except log (start.sh: chown -R /var/log/docker, rsyslogd as 10000);
nginx listens on 8080/8443 and gets its own network namespace (see containers.py).
A Recipe is plain data; runner.py carries it out inside the service's own namespaces.
"""
import os
import re
import signal

LAB = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
# LAB_HARBOR_SERVICES: another folder holding harbor1/ and harbor2/ stand-ins (when developing
# one), else the lab's own (lab/).
SERVICES = os.environ.get("LAB_HARBOR_SERVICES") or LAB
PYTHON3 = "/usr/bin/python3"
HARBOR_UID = 10000


class UnknownImage(Exception):
    pass


class Recipe:
    def __init__(self, argv, uid=None, chown=(), chown_unless_owned=(), chmod_x=(),
                 stop_signal=signal.SIGTERM, tmpfs=(), cwd="/", own_netns=False):
        self.argv = list(argv)
        self.uid = uid                      # None: root
        self.chown = list(chown)            # chown -R 10000:10000 when the folder exists
        self.chown_unless_owned = list(chown_unless_owned)  # the same, unless already 10000:10000
        self.chmod_x = list(chmod_x)        # chmod +x when the folder exists
        self.stop_signal = int(stop_signal)
        self.tmpfs = list(tmpfs)            # (path, {name: symlink target}): the image's private VOLUMEs
        self.cwd = cwd
        self.own_netns = own_netns          # a network namespace of its own (Harbor 2.x's nginx)

    def as_dict(self):
        return dict(self.__dict__)


def harbor_release(tag):
    """'v2.6.2-v1.4.0' or 'v1.5.4' -> (1, 4) / (1, 5); None when the tag names no Harbor release."""
    m = re.search(r"v(\d+)\.(\d+)\.\d+$", tag or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def split_image(image):
    name, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "latest")
    return name, tag


def _standin(script, chown=(), chmod_x=(), args=()):
    return Recipe([PYTHON3, os.path.join(SERVICES, script)] + list(args), uid=HARBOR_UID, chown=chown, chmod_x=chmod_x)


def is_harbor2(image):
    """Harbor 2.x's images live under goharbor/ (1.x's under vmware/)."""
    return split_image(image or "")[0].startswith("goharbor/")


def _nginx(command, own_netns=False, private=()):
    # Dockerfile: access/error logs linked to stdout/stderr; VOLUME /var/log/nginx /run
    # /var/cache/nginx; STOPSIGNAL SIGQUIT; CMD nginx -g 'daemon off;'.
    argv = ["/usr/sbin/nginx"] + (list(command)[1:] if command else ["-g", "daemon off;"])
    logs = {"access.log": "/dev/stdout", "error.log": "/dev/stderr"}
    return Recipe(argv, stop_signal=signal.SIGQUIT, own_netns=own_netns,
                  tmpfs=[("/var/log/nginx", logs), ("/run", {}), ("/var/cache/nginx", {})] + [(p, {}) for p in private])


def recipe_for_harbor2(image, command=None):
    """goharbor/* images (Harbor 2.x): the tag is whatever prepare's `versions` file says
    (`dev` for the bundles in ../shared), so the image name alone decides."""
    short = split_image(image)[0].split("/")[-1]
    if short == "registry-photon":  # entrypoint.sh: install_cert.sh, then `registry serve /etc/registry/config.yml`
        args = list(command) if command else ["serve", "/etc/registry/config.yml"]
        return Recipe(["/usr/bin/docker-registry"] + args, uid=HARBOR_UID)
    if short == "nginx-photon":
        # Listens on 8080/8443 (published as 80/443), so it needs a network namespace of its own
        # beside core, portal, registryctl and jobservice, which all listen on 8080. nginx.conf
        # keeps its pid and temp files in /tmp: a private one, as in the image. Run as root
        # (the image's USER nginx is uid 10000): Debian's nginx then opens its compiled-in
        # log path, which points at the container's output as in the image.
        return _nginx(command, own_netns=True, private=["/tmp"])
    if short == "harbor-log":  # start.sh: chown -R 10000:10000 /var/log/docker; rsyslogd -n as 10000
        return _standin("harbor1/log.py", chown=["/var/log/docker"])  # the same rsyslog as 1.x
    standins = {"harbor-core": ("harbor2/core.py", ()), "harbor-portal": ("harbor2/portal.py", ()),
                "harbor-registryctl": ("harbor2/registryctl.py", ()),
                "harbor-jobservice": ("harbor2/jobservice.py", ("-c", "/etc/jobservice/config.yml")),
                "trivy-adapter-photon": ("harbor2/trivy_adapter.py", ())}
    if short in standins:
        script, args = standins[short]
        return _standin(script, args=args)
    raise UnknownImage("the lab has no program for image %s (it runs Harbor 2.x's registry, nginx, log, core, "
                       "portal, registryctl, jobservice and trivy-adapter images; use external_database and external_redis in "
                       "harbor.yml: the lab's db host serves PostgreSQL and Redis)" % image)


def _registry(tag, command):
    # entrypoint.sh: `*.yml` -> `registry serve FILE`; serve|garbage-collect|help|-* -> `registry ARGS`.
    args = list(command) if command else ["/etc/registry/config.yml"]  # the image's CMD
    if args[0].endswith((".yml", ".yaml")):
        args = ["serve"] + args
    if args[0] in ("serve", "garbage-collect", "help") or args[0].startswith("-"):
        args = ["/usr/bin/docker-registry"] + args
    storage = ["/etc/registry", "/var/lib/registry"]
    if harbor_release(tag) == (1, 4):  # 1.4.0 chowns /storage on every start; 1.5 only when needed (NFS)
        return Recipe(args, uid=HARBOR_UID, chown=storage + ["/storage"])
    return Recipe(args, uid=HARBOR_UID, chown=storage, chown_unless_owned=["/storage"])


def recipe_for(image, command=None):
    """The Recipe for a compose service's image (and its `command`, when the image honours it)."""
    if is_harbor2(image):
        return recipe_for_harbor2(image, command)
    name, tag = split_image(image)
    short = name.split("/")[-1]
    if short == "registry-photon":
        return _registry(tag, command)
    if short == "nginx-photon":  # as root, as the 1.x image
        return _nginx(command)
    if short == "harbor-log":
        # start.sh: chown -R 10000:10000 /var/log/docker; rsyslogd -n as uid 10000.
        return _standin("harbor1/log.py", chown=["/var/log/docker"])
    if short == "harbor-adminserver":
        return _standin("harbor1/adminserver.py", chown=["/etc/adminserver"])
    if short == "harbor-ui":
        return _standin("harbor1/ui.py", chown=["/etc/ui"])
    if short == "harbor-jobservice":
        return _standin("harbor1/jobservice.py", chown=["/etc/jobservice", "/var/log/jobs"],
                        chmod_x=["/var/log/jobs/scan_job"])
    if short == "clair-photon":
        return _standin("harbor1/clair.py", chown=["/config"])
    raise UnknownImage("the lab has no program for image %s (it runs Harbor 1.4/1.5's registry, nginx, "
                       "log, adminserver, ui, jobservice and clair images only)" % image)
