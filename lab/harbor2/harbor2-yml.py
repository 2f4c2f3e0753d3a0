#!/usr/bin/python3
"""Writes a lab node's harbor.yml for Harbor 2.x from the bundle's own harbor.yml.tmpl, the way
an operator does (copy the template, edit it), until harbor-ha renders harbor.yml itself:

    python3 lab/harbor2/harbor2-yml.py TEMPLATE < settings.json > harbor.yml

settings.json (on stdin, so the passwords never reach a command line):
    {"hostname", "protocol" ("https"|"http"), "certificate", "private_key" (node paths),
     "admin_password", "db": {"host", "port", "name", "user", "password"},
     "redis": "host:port", "data_volume", "set": {"dotted.key": value, ...} (extra edits)}

What changes against the template: hostname; https (certificate, private key) or no https;
harbor_admin_password; data_volume; the bundled `database` replaced by `external_database.harbor`
(ssl_mode disable: the lab's PostgreSQL has no TLS) and `external_redis` added, so prepare's
compose file has neither postgresql nor redis (Harbor's external-services layout). Storage
stays the template's default: filesystem under data_volume/registry, the lab's shared mount.
Everything else (jobservice, log, notification, _version, ...) is the template's.
"""
import json
import sys

import yaml


def set_dotted(doc, dotted, value):
    keys = dotted.split(".")
    for k in keys[:-1]:
        doc = doc.setdefault(k, {})
    doc[keys[-1]] = value


def render(template_text, s):
    doc = yaml.safe_load(template_text)
    doc["hostname"] = s["hostname"]
    if s.get("protocol", "https") == "https":
        doc["https"] = {"port": 443, "certificate": s["certificate"], "private_key": s["private_key"]}
    else:
        doc.pop("https", None)
    doc["harbor_admin_password"] = s["admin_password"]
    doc["data_volume"] = s.get("data_volume", "/data")
    db = s["db"]
    doc.pop("database", None)
    doc["external_database"] = {"harbor": {
        "host": db["host"], "port": int(db["port"]), "db_name": db.get("name", "registry"),
        "username": db["user"], "password": db["password"], "ssl_mode": "disable",
        "max_idle_conns": 2, "max_open_conns": 0}}
    doc["external_redis"] = {"host": s["redis"], "password": "", "registry_db_index": 1,
                             "jobservice_db_index": 2, "trivy_db_index": 5, "idle_timeout_seconds": 30}
    for dotted, value in (s.get("set") or {}).items():
        set_dotted(doc, dotted, value)
    return "# harbor.yml written by lab/harbor2/harbor2-yml.py from Harbor's harbor.yml.tmpl\n" + \
        yaml.safe_dump(doc, default_flow_style=False, sort_keys=False)


def main():
    with open(sys.argv[1]) as f:
        template = f.read()
    sys.stdout.write(render(template, json.load(sys.stdin)))


if __name__ == "__main__":
    main()
