#!/usr/bin/env python3
# A local HTTP server whose every answer costs CPU (and, with --fsync DIR, one fsync): the
# peer a client waits on. Prints "listening PORT" once ready, then "served CPU_NS" for
# each connection: the CPU time it spent on it, by the kernel's process clock (the
# truth a test compares with). Serves until killed.
#   burn_server.py PORT BURN_MS [--fsync DIR]
import http.server
import os
import socketserver
import sys
import time

port, burn_ms = int(sys.argv[1]), float(sys.argv[2])
fsync_dir = sys.argv[sys.argv.index("--fsync") + 1] if "--fsync" in sys.argv else None


def burn(ms):
    end = time.process_time() + ms / 1000.0
    n = 0
    while time.process_time() < end:
        n += 1
    return n


class Handler(http.server.BaseHTTPRequestHandler):
    def handle(self):
        start = time.process_time_ns()
        super().handle()
        print("served", time.process_time_ns() - start, flush=True)

    def do_GET(self):
        n = burn(burn_ms)
        if fsync_dir:
            with open(os.path.join(fsync_dir, "burn.log"), "a") as f:
                f.write("%d\n" % n)
                f.flush()
                os.fsync(f.fileno())
        body = b"burned %d\n" % n
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.TCPServer):
    allow_reuse_address = True


with Server(("127.0.0.1", port), Handler) as srv:
    print("listening", port, flush=True)
    srv.serve_forever()
