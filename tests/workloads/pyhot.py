#!/usr/bin/env python3
# Pure-Python work of a known shape, for Python frames in stacks:
#   pyhot.py cpu SECONDS        main -> middle -> leaf_a (2/3 of the work), leaf_b (1/3)
#   pyhot.py all SECONDS HOLD   the same while a thread spins in spin(); then a thread
#                               blocks in waiter() on a lock main holds for HOLD seconds
# With WL_WAIT=1 it prints "ready PID" and waits for SIGUSR1 first (tests attach -p).
import os
import signal
import sys
import threading
import time


def leaf_a(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def leaf_b(n):
    s = 0
    for i in range(n):
        s ^= i
    return s


def middle(n):
    return leaf_a(2 * n) + leaf_b(n)


def spin(end):
    x = 0
    while time.monotonic() < end:
        for i in range(1000):
            x += i


def waiter(lock):
    lock.acquire()  # blocks until main releases it
    lock.release()


def lock_wait(hold):
    lock = threading.Lock()
    lock.acquire()
    t = threading.Thread(target=waiter, args=(lock,))
    t.start()
    time.sleep(hold)
    lock.release()
    t.join()


def main():
    mode, secs = sys.argv[1], float(sys.argv[2])
    if os.environ.get("WL_WAIT"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        print("ready", os.getpid(), flush=True)
        signal.sigwait({signal.SIGUSR1})
    end = time.monotonic() + secs
    spinner = None
    if mode == "all":
        spinner = threading.Thread(target=spin, args=(end,))
        spinner.start()
    while time.monotonic() < end:
        middle(20000)
    if spinner:
        spinner.join()
        lock_wait(float(sys.argv[3]))


main()
