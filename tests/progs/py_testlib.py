"""py_testlib.py - the small harness the Python tests of the acl module share.

Each test script makes a Checker, records expectations with eq()/true() inside
named cases, and ends with sys.exit(checker.done()).  A case prints
"ok   pyacl: NAME" or "FAIL pyacl: NAME" followed by what was wrong.
"""

import sys
import traceback


class Checker:
    def __init__(self):
        self.failed = 0
        self.name = None
        self.why = []

    def begin(self, name):
        self.name = name
        self.why = []

    def eq(self, what, got, want):
        if got != want:
            self.why.append("%s: got %r, expected %r" % (what, got, want))

    def true(self, what, cond):
        if not cond:
            self.why.append(what)

    def raises(self, what, exc, func, *args, needle=None):
        """func(*args) must raise exc, whose message contains needle."""
        try:
            func(*args)
        except exc as err:
            if needle is not None and needle not in str(err):
                self.why.append("%s: message %r does not mention %r" % (what, str(err), needle))
            return
        except Exception as err:  # noqa: BLE001 - reported as a failure
            self.why.append("%s: raised %s (%s), expected %s" % (what, type(err).__name__, err, exc.__name__))
            return
        self.why.append("%s: did not raise %s" % (what, exc.__name__))

    def finish(self):
        if self.why:
            self.failed += 1
            print("FAIL pyacl: %s" % self.name)
            for w in self.why[:20]:
                print("    - %s" % w)
            if len(self.why) > 20:
                print("    - ... and %d more" % (len(self.why) - 20))
        else:
            print("ok   pyacl: %s" % self.name)
        sys.stdout.flush()

    def case(self, name, func, *args):
        """Runs func(self, *args) as one case; an exception fails it."""
        self.begin(name)
        try:
            func(self, *args)
        except Exception:  # noqa: BLE001 - reported as a failure
            self.why.append("exception:\n" + traceback.format_exc())
        self.finish()

    def done(self):
        return 1 if self.failed else 0


def ok(ret, what):
    """Raises unless an AscendCL call returned 0."""
    if ret != 0:
        raise RuntimeError("%s returned %d" % (what, ret))


def model_ops(txt_path):
    """[(name, type)] of a model's text description, in execution order."""
    ops = []
    with open(txt_path) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[0] == "node":
                ops.append((w[1], w[2]))
    return ops
