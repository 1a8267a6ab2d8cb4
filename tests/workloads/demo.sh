#!/usr/bin/env bash
# The bundled demo workflow for `make demo`: a small pipeline with a CPU-heavy step,
# a step that sleeps, parallel steps competing for the CPUs, a commit log that
# fsyncs, threads fighting over one lock, and a step that makes many syscalls.
# procscope's report should show where its time went, and what dominated.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/bin
echo "demo: compute"; "$bin/spin" 300
echo "demo: wait for something"; "$bin/sleeper" 5 40 > /dev/null
echo "demo: three parallel jobs on $(nproc) CPUs"
"$bin/spin" 400 & "$bin/spin" 400 & "$bin/spin" 400 & wait
echo "demo: commit log"; "$bin/fsyncer" "$(mktemp -p /var/tmp procscope-demo.XXXXXX)" 100 > /dev/null
echo "demo: threads on one lock"; "$bin/contend" 4 50 1000 > /dev/null
echo "demo: chatty step"; "$bin/getppid_n" 200000
echo "demo: failing lookups"; "$bin/failopen" 1000
echo "demo: done"
