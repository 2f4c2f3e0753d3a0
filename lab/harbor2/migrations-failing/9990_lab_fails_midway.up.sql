-- Lab only, not Harbor's: a schema script that fails half-way, for rollback tests
-- (scripts/lab.sh up --extra-migrations v2.15.2=lab/harbor2/migrations-failing, or a copy in
-- .lab/releases/v2.15.2/migrations/). Core runs it after the release's own scripts; the
-- first two statements work, the third fails, so golang-migrate leaves version 9990 dirty
-- (the file ran as one implicit transaction: its table is rolled back) and core stops.
CREATE TABLE lab_failing_migration_probe (id int);
INSERT INTO lab_failing_migration_probe VALUES (1);
SELECT lab_failing_migration_no_such_function();
