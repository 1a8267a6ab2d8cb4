#!/usr/bin/env python3
# Two threads, one lock: a worker takes it and sleeps HOLD seconds holding it, releases
# it, then sleeps AFTER more; the main thread waits for the lock meanwhile, then joins.
# Prints "holder TID" (the worker's thread id) and "done".
#   lock_holder.py HOLD AFTER
import sys
import threading
import time

hold, after = float(sys.argv[1]), float(sys.argv[2])
lock = threading.Lock()
taken = threading.Event()


def worker():
    print("holder", threading.get_native_id(), flush=True)
    with lock:
        taken.set()
        time.sleep(hold)
    time.sleep(after)


t = threading.Thread(target=worker)
t.start()
taken.wait()
with lock:
    pass
t.join()
print("done", flush=True)
