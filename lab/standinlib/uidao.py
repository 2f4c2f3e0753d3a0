"""The registry-database reads and writes the ui stand-in needs, as Harbor's src/common/dao
does them (v1.4.0 / v1.5.4): user.go (GetUser, LoginByDb, ChangeUserPassword, IsSuperUser),
project.go / project_metadata (public flag), role.go GetUserProjectRoles (1.4 project_member has
user_id; 1.5 entity_id + entity_type 'u'), repository.go, accesslog.go.
"""
import datetime

from . import secrets

_USER_COLS = ("user_id, username, email, realname, comment, reset_uuid, salt, "
              "sysadmin_flag, creation_time, update_time")


class Dao:
    def __init__(self, db, release):
        self.db, self.release = db, release

    # -- users
    def get_user(self, user_id=None, username=None):
        sql, args = "select %s from user u where deleted = 0 " % _USER_COLS, []
        if user_id:
            sql += " and user_id = %s "
            args.append(user_id)
        if username:
            sql += " and username = %s "
            args.append(username)
        rows = self.db.query(sql, args)
        if len(rows) > 1:
            raise RuntimeError("got more than one user when executing: %s param: %s" % (sql, args))
        return rows[0] if rows else None

    def login_by_db(self, principal, password):
        rows = self.db.query("select * from user where (username = %s or email = %s) and deleted = 0",
                             (principal, principal))
        if not rows:
            return None
        user = rows[0]
        if user["password"] != secrets.hash_password(password, user["salt"] or ""):
            return None
        user["password"] = ""
        return user

    def change_password(self, user_id, password):
        salt = secrets.random_string()
        n, _ = self.db.execute("update user set password=%s, salt=%s where user_id=%s",
                               (secrets.hash_password(password, salt), salt, user_id))
        if n == 0:
            raise RuntimeError("no record has been modified, change password failed")

    def is_super_user(self, username):
        u = self.get_user(username=username)
        return u is not None and u["user_id"] == 1

    def user_count(self):
        return self.db.query("select count(*) as c from user")[0]["c"]

    # -- projects
    def get_project(self, name):
        rows = self.db.query("select project_id, name, owner_id from project where name = %s and deleted = 0",
                             (name,))
        return rows[0] if rows else None

    def project_metadata(self, project_id):
        rows = self.db.query("select name, value from project_metadata where project_id = %s and deleted = 0",
                             (project_id,))
        return {r["name"]: r["value"] for r in rows}

    def public_project_ids(self):
        rows = self.db.query("select p.project_id from project p join project_metadata m on "
                             "p.project_id = m.project_id where m.name = 'public' and m.value = 'true' "
                             "and m.deleted = 0 and p.deleted = 0")
        return [r["project_id"] for r in rows]

    def member_project_ids(self, user_id):
        col = "entity_id = %s and entity_type = 'u'" if self.release.is_15 else "user_id = %s"
        rows = self.db.query("select pm.project_id from project_member pm join project p on "
                             "p.project_id = pm.project_id where p.deleted = 0 and pm." + col, (user_id,))
        return [r["project_id"] for r in rows]

    def role_codes(self, user_id, project_id):
        col = "entity_id = %s and entity_type = 'u'" if self.release.is_15 else "user_id = %s"
        rows = self.db.query("select role_code from role where role_id = (select role from project_member "
                             "where project_id = %s and " + col + ")", (project_id, user_id))
        return [r["role_code"] for r in rows]

    # -- repositories
    def top_repos(self, project_ids, n):
        if not project_ids:
            return []
        marks = ",".join(["%s"] * len(project_ids))
        return self.db.query("select * from repository where project_id in (" + marks + ") "
                             "order by pull_count desc limit %s", list(project_ids) + [n])

    def repository_names(self):
        return [r["name"] for r in self.db.query("select name from repository")]

    def repository_exists(self, name):
        return bool(self.db.query("select 1 from repository where name = %s", (name,)))

    def add_repository(self, name, project_id, pull_count=0):
        self.db.execute("insert into repository (name, project_id, description, pull_count, star_count, "
                        "creation_time, update_time) values (%s, %s, '', %s, 0, now(), now())",
                        (name, project_id, pull_count))

    def delete_repository(self, name):
        self.db.execute("delete from repository where name = %s", (name,))

    def increase_pull_count(self, name):
        self.db.execute("update repository set pull_count = pull_count + 1, update_time = now() where name = %s",
                        (name,))

    def count_pull(self, name):
        return self.db.query("select count(*) as c from access_log where repo_name = %s and operation = 'pull'",
                             (name,))[0]["c"]

    def add_access_log(self, username, project_id, repo, tag, operation):
        self.db.execute("insert into access_log (username, project_id, repo_name, repo_tag, operation, op_time) "
                        "values (%s, %s, %s, %s, %s, now())", (username, project_id, repo, tag, operation))

    def scan_overview_sev(self, digest):
        rows = self.db.query("select severity from img_scan_overview where image_digest = %s", (digest,))
        return rows[0]["severity"] if rows else None


def go_time(value):
    """A DATETIME/TIMESTAMP as Go's time.Time JSON (the containers run in UTC)."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "0001-01-01T00:00:00Z"
