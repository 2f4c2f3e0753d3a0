drop database if exists registry;
create database registry charset = utf8;

use registry;

# harbor-ha's own schema file in the shape of Harbor 1.4's ha/registry.sql.
# It is NOT Harbor's file: in production, point database.registry_sql at
# harbor/ha/registry.sql from Harbor's offline installer. The example inventory,
# the lab and the tests load this one, which keeps Harbor's preamble (drop,
# create, use), Harbor's table names, seed rows and version marker.

/*
 * Access codes and roles: what a member of a project may do.
 */
create table access (
 access_id int NOT NULL AUTO_INCREMENT,
 access_code char(1),
 comment varchar (30),
 primary key (access_id)
);

insert into access (access_code, comment) values
('M', 'Management access for project'),
('R', 'Read access for project'),
('W', 'Write access for project'),
('D', 'Delete access for project'),
('S', 'Search access for project');

create table role (
 role_id int NOT NULL AUTO_INCREMENT,
 role_mask int DEFAULT 0 NOT NULL,
 role_code varchar(20),
 name varchar (20),
 primary key (role_id)
);

-- role_code is a string of access codes; the three roles Harbor 1.4 ships:
insert into role (role_code, name) values
('MDRWS', 'projectAdmin'),
('RWS', 'developer'),
('RS', 'guest');

create table user (
 user_id int NOT NULL AUTO_INCREMENT,
# The username is unique; a deleted user keeps a row with deleted = 1.
 username varchar(255),
 email varchar(255),
 password varchar(40) NOT NULL,
 realname varchar (255) NOT NULL,
 comment varchar (30),
 deleted tinyint (1) DEFAULT 0 NOT NULL,
 reset_uuid varchar(40) DEFAULT NULL,
 salt varchar(40) DEFAULT NULL,
 sysadmin_flag tinyint (1),
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 primary key (user_id),
 UNIQUE (username),
 UNIQUE (email)
);

/* The admin user (password set by Harbor at first start from harbor_admin_password)
   and the anonymous user, which is marked deleted. */
insert into user (username, email, password, realname, comment, deleted, sysadmin_flag, creation_time, update_time) values
('admin', 'admin@example.com', '', 'system admin', 'admin user; built in', 0, 1, NOW(), NOW()),
('anonymous', 'anonymous@example.com', '', 'anonymous user', 'anonymous user', 1, 0, NOW(), NOW());

create table project (
 project_id int NOT NULL AUTO_INCREMENT,
 owner_id int NOT NULL,
 -- The name is used in image references: <hostname>/<project>/<repository>
 name varchar (255) NOT NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 deleted tinyint (1) DEFAULT 0 NOT NULL,
 primary key (project_id),
 FOREIGN KEY (owner_id) REFERENCES user(user_id),
 UNIQUE (name)
);

insert into project (owner_id, name, creation_time, update_time) values
(1, 'library', NOW(), NOW());

create table project_member (
 id int NOT NULL AUTO_INCREMENT,
 project_id int NOT NULL,
 entity_id int NOT NULL,
 /* entity_type: u for a user, g for a user group */
 entity_type char(1) NOT NULL,
 role int NOT NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id),
 CONSTRAINT unique_project_entity_type UNIQUE (project_id, entity_id, entity_type)
);

insert into project_member (project_id, entity_id, role, entity_type) values
(1, 1, 1, 'u');

create table project_metadata (
 id int NOT NULL AUTO_INCREMENT,
 project_id int NOT NULL,
 name varchar(255) NOT NULL,
 value varchar(255),
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 deleted tinyint (1) DEFAULT 0 NOT NULL,
 PRIMARY KEY (id),
 CONSTRAINT unique_project_id_and_name UNIQUE (project_id, name),
 FOREIGN KEY (project_id) REFERENCES project(project_id)
);

-- The library project is public.
insert into project_metadata (project_id, name, value, creation_time, update_time, deleted) values
(1, 'public', 'true', NOW(), NOW(), 0);

create table user_group (
 id int NOT NULL AUTO_INCREMENT,
 group_name varchar(255) NOT NULL,
 group_type int default 0,
 ldap_group_dn varchar(512) NOT NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id)
);

create table access_log (
 log_id int NOT NULL AUTO_INCREMENT,
 username varchar (255) NOT NULL,
 project_id int NOT NULL,
 repo_name varchar (256),
 repo_tag varchar (128),
 GUID varchar(64),
 operation varchar(20) NOT NULL,
 op_time timestamp default CURRENT_TIMESTAMP,
 primary key (log_id),
 INDEX pid_optime (project_id, op_time)
);

create table repository (
 repository_id int NOT NULL AUTO_INCREMENT,
 name varchar(255) NOT NULL,
 project_id int NOT NULL,
 description text,
 pull_count int DEFAULT 0 NOT NULL,
 star_count int DEFAULT 0 NOT NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 primary key (repository_id),
 UNIQUE (name)
);

/* Replication: targets (other registries), policies and the jobs they start. */
create table replication_policy (
 id int NOT NULL AUTO_INCREMENT,
 name varchar(256),
 project_id int NOT NULL,
 target_id int NOT NULL,
 enabled tinyint(1) NOT NULL DEFAULT 1,
 description text,
 deleted tinyint (1) DEFAULT 0 NOT NULL,
 cron_str varchar(256),
 filters varchar(1024),
 replicate_deletion tinyint (1) DEFAULT 0 NOT NULL,
 start_time timestamp NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id)
);

create table replication_target (
 id int NOT NULL AUTO_INCREMENT,
 name varchar(64),
 url varchar(64),
 username varchar(255),
 password varchar(128),
 # target_type: 0 is Harbor, the only kind 1.4 replicates to
 target_type tinyint(1) NOT NULL DEFAULT 0,
 insecure tinyint(1) NOT NULL DEFAULT 0,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id)
);

create table replication_job (
 id int NOT NULL AUTO_INCREMENT,
 status varchar(64) NOT NULL,
 policy_id int NOT NULL,
 repository varchar(256) NOT NULL,
 operation varchar(64) NOT NULL,
 tags varchar(16384),
 job_uuid varchar(64),
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id),
 INDEX policy (policy_id),
 INDEX poid_uptime (policy_id, update_time),
 INDEX poid_status (policy_id, status)
);

create table replication_immediate_trigger (
 id int NOT NULL AUTO_INCREMENT,
 policy_id int NOT NULL,
 namespace varchar(256) NOT NULL,
 on_push tinyint(1) NOT NULL DEFAULT 0,
 on_deletion tinyint(1) NOT NULL DEFAULT 0,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id)
);

/* Vulnerability scanning (Clair). */
create table img_scan_job (
 id int NOT NULL AUTO_INCREMENT,
 status varchar(64) NOT NULL,
 repository varchar(256) NOT NULL,
 tag varchar(128) NOT NULL,
 digest varchar(128),
 job_uuid varchar(64),
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY (id),
 INDEX idx_status (status),
 INDEX idx_digest (digest),
 INDEX idx_uuid (job_uuid),
 INDEX idx_repository_tag (repository, tag)
);

create table img_scan_overview (
 id int NOT NULL AUTO_INCREMENT,
 image_digest varchar(128) NOT NULL,
 scan_job_id int NOT NULL,
 severity int NOT NULL default 0,
 components_overview varchar(2048),
 details_key varchar(128),
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY(id),
 UNIQUE(image_digest)
);

create table clair_vuln_timestamp (
 id int NOT NULL AUTO_INCREMENT,
 namespace varchar(128) NOT NULL,
 last_update timestamp NOT NULL,
 PRIMARY KEY(id),
 UNIQUE(namespace)
);

/* System configuration Harbor keeps in the database (editable in the UI). */
create table properties (
 id int NOT NULL AUTO_INCREMENT,
 k varchar(64) NOT NULL,
 v varchar(128) NOT NULL,
 PRIMARY KEY(id),
 UNIQUE (k)
);

/* Labels on projects and repositories. */
create table harbor_label (
 id int NOT NULL AUTO_INCREMENT,
 name varchar(128) NOT NULL,
 description text,
 color varchar(16),
 -- 's' for a system-wide label, 'p' for a project label
 level char(1) NOT NULL,
 scope char(1) NOT NULL,
 project_id int,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY(id),
 CONSTRAINT unique_label UNIQUE (name, scope, project_id)
);

create table harbor_resource_label (
 id int NOT NULL AUTO_INCREMENT,
 label_id int NOT NULL,
 resource_id int,
 resource_name varchar(256),
 resource_type char(1) NOT NULL,
 creation_time timestamp default CURRENT_TIMESTAMP,
 update_time timestamp default CURRENT_TIMESTAMP on update CURRENT_TIMESTAMP,
 PRIMARY KEY(id),
 CONSTRAINT unique_label_resource UNIQUE (label_id, resource_id, resource_name, resource_type)
);

# The schema version Harbor's migrator reads; it must match the Harbor release.
create table alembic_version (version_num varchar(32) NOT NULL); insert into alembic_version values ('1.4.0');
