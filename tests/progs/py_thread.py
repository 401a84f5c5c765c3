"""py_thread.py - acl.util.start_thread / stop_thread.

    py_thread.py

Cases: the thread runs func(args_list) with the very list given; an
exception raised in the thread is printed on stderr and nothing else
happens (stop_thread returns 0, the process goes on); SystemExit in the
thread ends only the thread; stop_thread waits for a thread that still
needs the GIL (it is released while joining); several threads at once; an
unknown, already joined or out-of-range thread id gives
ACL_ERROR_INVALID_PARAM; a thread cannot join itself.
"""

import sys
import threading
import time

import acl
from py_testlib import Checker

INVALID_PARAM = 100000


def runs_func(c):
    seen = []
    args = [7, "x"]

    def func(a):
        seen.append((a is args, threading.get_ident() != main_ident))

    main_ident = threading.get_ident()
    tid, ret = acl.util.start_thread(func, args)
    c.eq("start_thread ret", ret, 0)
    c.true("thread id is 0", tid != 0)
    c.eq("stop_thread", acl.util.stop_thread(tid), 0)
    c.eq("func called once, with the list given, in another thread", seen, [(True, True)])


def exception_in_thread(c):
    def boom(args):
        raise ValueError("raised on purpose in the thread (%s)" % args[0])

    tid, ret = acl.util.start_thread(boom, ["expected"])
    c.eq("start_thread ret", ret, 0)
    c.eq("stop_thread after an exception in the thread", acl.util.stop_thread(tid), 0)

    def leave(args):
        sys.exit(3)

    tid, ret = acl.util.start_thread(leave, [])
    c.eq("stop_thread after SystemExit in the thread", acl.util.stop_thread(tid), 0)
    c.true("the process goes on", True)


def join_releases_gil(c):
    done = []

    def slow(args):
        time.sleep(0.2)  # releases the GIL, then needs it back to finish
        total = sum(range(100000))
        done.append(total)

    tid, ret = acl.util.start_thread(slow, [])
    t0 = time.monotonic()
    c.eq("stop_thread", acl.util.stop_thread(tid), 0)
    c.true("stop_thread returned before the thread finished", done == [sum(range(100000))])
    c.true("stop_thread took less than 0.15 s: did it wait?", time.monotonic() - t0 >= 0.15)

    # A Python thread keeps running while stop_thread waits.
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    th = threading.Thread(target=ticker)
    th.start()
    tid, ret = acl.util.start_thread(lambda a: time.sleep(0.3), None)
    ticks.clear()
    acl.util.stop_thread(tid)
    stop.set()
    th.join()
    c.true("a Python thread ran only %d times while stop_thread waited 0.3 s" % len(ticks), len(ticks) >= 10)


def many_threads(c):
    lock = threading.Lock()
    counts = []

    def work(args):
        k, n = args
        s = 0
        for i in range(n):
            s += i
        with lock:
            counts.append(k)

    tids = []
    for k in range(16):
        tid, ret = acl.util.start_thread(work, [k, 20000])
        c.eq("start_thread %d" % k, ret, 0)
        tids.append(tid)
    c.eq("distinct thread ids", len(set(tids)), 16)
    for tid in reversed(tids):
        c.eq("stop_thread", acl.util.stop_thread(tid), 0)
    c.eq("every thread ran once", sorted(counts), list(range(16)))


def bad_ids(c):
    tid, _ = acl.util.start_thread(lambda a: None, [])
    c.eq("stop_thread", acl.util.stop_thread(tid), 0)
    c.eq("stop_thread twice", acl.util.stop_thread(tid), INVALID_PARAM)
    c.eq("stop_thread(0)", acl.util.stop_thread(0), INVALID_PARAM)
    c.eq("stop_thread(12345)", acl.util.stop_thread(12345), INVALID_PARAM)
    c.eq("stop_thread(-1)", acl.util.stop_thread(-1), INVALID_PARAM)
    c.eq("stop_thread(2**64)", acl.util.stop_thread(2**64), INVALID_PARAM)
    got = []
    box = {}

    def self_join(args):
        while "tid" not in box:
            time.sleep(0.001)
        got.append(acl.util.stop_thread(box["tid"]))

    tid, _ = acl.util.start_thread(self_join, [])
    box["tid"] = tid
    c.eq("stop_thread", acl.util.stop_thread(tid), 0)
    c.eq("a thread joining itself", got, [INVALID_PARAM])
    c.raises("start_thread(not callable)", TypeError, acl.util.start_thread, 42, [], needle="acl.util.start_thread")
    c.raises("stop_thread('x')", TypeError, acl.util.stop_thread, "x", needle="acl.util.stop_thread")


def main():
    c = Checker()
    c.case("start_thread runs func(args_list) in a thread; stop_thread joins it", runs_func)
    c.case("an exception (and SystemExit) in the thread is printed; stop_thread returns 0; the process goes on",
           exception_in_thread)
    c.case("stop_thread releases the GIL while it joins", join_releases_gil)
    c.case("16 threads at once", many_threads)
    c.case("stop_thread: unknown, joined, out-of-range ids and self-joins give 100000", bad_ids)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
