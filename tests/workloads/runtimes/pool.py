# A CPU-bound Python loop of SECONDS (argv[1]) beside an idle ThreadPoolExecutor (its
# workers wait for work on a condition variable; shutdown joins them); prints "cpu_ms N":
# the process's CPU time.
import concurrent.futures
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
for f in [pool.submit(lambda: None) for _ in range(4)]:
    f.result()
end = time.monotonic() + seconds
x = 0
while time.monotonic() < end:
    x += 1
pool.shutdown()
print("cpu_ms %d %s" % (time.process_time() * 1000, x > 0))
