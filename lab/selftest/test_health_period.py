"""core's health checkers keep Harbor's 10 s period (checker.go) unless the stand-ins' selftest
shortened it with its file, which exists only in the selftest's overlay root."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
from standinlib.harbor2 import health  # noqa: E402


class HealthPeriod(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.saved = health.SELFTEST_PERIOD_FILE
        health.SELFTEST_PERIOD_FILE = os.path.join(self.dir.name, "health-period-s")

    def tearDown(self):
        health.SELFTEST_PERIOD_FILE = self.saved
        self.dir.cleanup()

    def test_harbors_period_without_the_selftests_file(self):
        self.assertEqual(health.PERIOD_S, 10)
        self.assertEqual(health.period_s(), 10)

    def test_the_selftests_period_from_its_file(self):
        with open(health.SELFTEST_PERIOD_FILE, "w") as f:
            f.write("3\n")
        self.assertEqual(health.period_s(), 3.0)

    def test_an_unreadable_value_is_harbors_period(self):
        with open(health.SELFTEST_PERIOD_FILE, "w") as f:
            f.write("soon\n")
        self.assertEqual(health.period_s(), 10)


if __name__ == "__main__":
    unittest.main()
