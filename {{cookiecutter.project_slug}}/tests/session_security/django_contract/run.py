"""Run ``suite`` with Django's runner; write ``{test id: outcome}`` as JSON to ``argv[1]``."""

import json
import sys
import unittest

import django
from django.test.runner import DiscoverRunner


class Recording(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {}

    def record(self, test, outcome, detail=""):
        self.outcomes[test.id().rsplit(".", 2)[-2] + "." + test.id().rsplit(".", 1)[-1]] = [
            outcome,
            detail[-3000:],
        ]

    def addSuccess(self, test):
        super().addSuccess(test)
        self.record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self.record(test, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.record(test, "skipped", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self.record(test, "passed")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.record(test, "failed", "unexpected success")


def main(results_path):
    django.setup()
    runner = DiscoverRunner(verbosity=0, interactive=False)
    runner.setup_test_environment()
    suite = runner.build_suite(
        [
            "tests.session_security.django_contract.suite",
            "tests.session_security.django_contract.auth_suite",
        ]
    )
    databases = runner.setup_databases()
    try:
        result = unittest.TextTestRunner(stream=sys.stderr, verbosity=0, resultclass=Recording).run(
            suite
        )
    finally:
        runner.teardown_databases(databases)
        runner.teardown_test_environment()
    with open(results_path, "w") as file:
        json.dump(result.outcomes, file, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
