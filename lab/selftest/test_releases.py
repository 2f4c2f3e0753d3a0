#!/usr/bin/python3
"""The releases a 2.x node's docker runs (docker/lib/releases.py) from Harbor's own files in
../shared/harbor, and golang-migrate's pure rules (standinlib/harbor2/gomigrate.py: lock id,
which files run, Go durations). No root, no database; a second or so.

    python3 -m unittest discover -s lab/selftest -p 'test_*.py'
"""
import os
import sys
import tarfile
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.realpath(__file__))
LAB = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(LAB), "..", "shared", "harbor")
sys.path.insert(0, os.path.join(LAB, "docker", "lib"))
sys.path.insert(0, LAB)
if "psycopg2" not in sys.modules:  # gomigrate's database side is not under test here
    fake = types.ModuleType("psycopg2")
    fake.Error = Exception
    fake.errors = types.SimpleNamespace(QueryCanceled=type("QueryCanceled", (Exception,), {}))
    sys.modules["psycopg2"], sys.modules["psycopg2.errors"] = fake, fake.errors
import releases  # noqa: E402
from standinlib.harbor2 import gomigrate  # noqa: E402


class Releases(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.store = os.path.join(cls.tmp.name, "store")
        failing = os.path.join(LAB, "harbor2", "migrations-failing")
        cls.found = releases.collect(cls.store, [SHARED], extra=[("2.15.2", failing)])
        cls.bundles = {}
        for v in cls.found:
            d = os.path.join(cls.tmp.name, "opt-" + v)
            with tarfile.open(os.path.join(SHARED, "harbor-offline-installer-v%s-noimages.tgz" % v)) as t:
                t.extractall(d)
            cls.bundles[v] = os.path.join(d, "harbor")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_2x_release_in_shared_is_collected_with_its_migrations(self):
        self.assertLessEqual({"2.13.4", "2.15.1", "2.15.2"}, set(self.found))
        last = lambda v: sorted(os.listdir(releases.migrations(v, self.store)))[-1]  # noqa: E731
        self.assertEqual(last("2.13.4"), "0160_2.13.0_schema.up.sql")
        self.assertEqual(last("2.15.1"), "0180_2.15.0_schema.up.sql")
        self.assertEqual(last("2.15.2"), "9990_lab_fails_midway.up.sql", "--extra adds to that release")
        self.assertTrue(os.path.isfile(os.path.join(releases.prepare_code("2.13.4", self.store), "main.py")))

    def test_a_tag_names_its_release(self):
        self.assertEqual(releases.resolve("goharbor/prepare:v2.15.2", None, self.store), "2.15.2")
        with self.assertRaisesRegex(releases.NoRelease, r"Unable to find image 'goharbor/prepare:v2\.99\.0' locally.*2\.13\.4, .*2\.15\.2 only"):
            releases.resolve("goharbor/prepare:v2.99.0", None, self.store)

    def test_dev_is_the_release_whose_bundle_the_folder_is(self):
        for v, d in self.bundles.items():
            self.assertEqual(releases.resolve("goharbor/prepare:dev", d, self.store), v)
            self.assertEqual(releases.resolve("goharbor/harbor-core:dev-legacy", d, self.store), v)
        with open(os.path.join(self.bundles["2.15.2"], "install.sh"), "a") as f:
            f.write("# changed\n")
        with self.assertRaisesRegex(releases.NoRelease, "none of the offline installers the lab knows"):
            releases.resolve("goharbor/prepare:dev", self.bundles["2.15.2"], self.store)


class GoMigrate(unittest.TestCase):
    def test_lock_id_is_golang_migrates(self):
        # database/util.go: crc32.ChecksumIEEE("public\x00schema_migrations\x00/registry") * 1486364155, uint32.
        import zlib
        want = (zlib.crc32(b"public\x00schema_migrations\x00/registry") * 1486364155) % 2 ** 32
        self.assertEqual(gomigrate.advisory_lock_id("/registry", "public"), want)

    def test_source_and_pending_versions(self):
        with tempfile.TemporaryDirectory() as d:
            for n in ("0001_initial_schema.up.sql", "0010_1.9.0_schema.up.sql", "0011_x.down.sql", "README", "x.up.sql"):
                open(os.path.join(d, n), "w").close()
            m = gomigrate.Migrator.__new__(gomigrate.Migrator)
            m.source = gomigrate.read_source(d)
            self.assertEqual(sorted(m.source), [1, 10])
            self.assertEqual(m._pending(-1), [1, 10])
            self.assertEqual(m._pending(1), [10])
            self.assertRaises(gomigrate.ErrNoChange, m._pending, 10)
            with self.assertRaisesRegex(gomigrate.MigrateError, r"^no migration found for version 180: read down for version 180 \.: file does not exist$"):
                m._pending(180)
        self.assertEqual(str(gomigrate.ErrDirty(180)), "Dirty database version 180. Fix and force version.")

    def test_durations_as_go_prints_them(self):
        self.assertEqual(gomigrate.go_duration(1.5), "1.5s")
        self.assertEqual(gomigrate.go_duration(0.0123456), "12.3456ms")


if __name__ == "__main__":
    unittest.main()
