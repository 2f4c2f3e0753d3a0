"""The node's /etc/hosts block that makes compose service names resolve, as docker's DNS does.

One marked block per compose project:
    # BEGIN lab-compose harbor: written by the docker-compose shim, removed by down
    127.0.10.2	adminserver harbor-adminserver
    # END lab-compose harbor
Services run in their own mount namespaces but share this file, so nginx finds
`registry:5000` and `ui:8080`, and the stand-ins find `adminserver`, `ui`, `jobservice`.
"""
import errno
import os

HOSTS = "/etc/hosts"


def _markers(project):
    return ("# BEGIN lab-compose %s: written by the docker-compose shim, removed by down" % project,
            "# END lab-compose %s" % project)


def _without_block(lines, project):
    begin, end = _markers(project)
    out, inside = [], False
    for line in lines:
        if line == begin:
            inside = True
        elif inside and line == end:
            inside = False
        elif not inside:
            out.append(line)
    return out


def _write(text):
    tmp = HOSTS + ".lab-compose.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, 0o644)
    try:
        os.rename(tmp, HOSTS)
    except OSError as e:  # /etc/hosts is itself a bind mount: rewrite it in place
        os.unlink(tmp)
        if e.errno not in (errno.EBUSY, errno.EXDEV):
            raise
        with open(HOSTS, "w") as f:
            f.write(text)


def set_block(project, entries):
    """entries: [(address, [names...])]; replaces the project's block (or removes it when empty)."""
    with open(HOSTS) as f:
        lines = f.read().splitlines()
    lines = _without_block(lines, project)
    if entries:
        begin, end = _markers(project)
        lines += [begin] + ["%s\t%s" % (addr, " ".join(names)) for addr, names in entries] + [end]
    _write("\n".join(lines) + "\n")
