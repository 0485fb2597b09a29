#!/bin/sh
# Builds the hello image and, when QEMU is installed, boots it through
# mimgload. The kernel ends the run through QEMU's isa-debug-exit device with
# the value 0x10, which QEMU turns into exit status (0x10 << 1) | 1 = 33.
set -eu
cd "$(dirname "$0")/../.."
mimg="node dist/src/cli/main.js"
$mimg build examples/hello/mimg.toml
$mimg inspect examples/hello/hello.mimg
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    echo "run.sh: qemu-system-x86_64 is not installed; not booting (Debian: apt-get install qemu-system-x86)"
    exit 0
fi
status=0
$mimg run examples/hello/hello.mimg || status=$?
if [ "$status" -ne 33 ]; then
    echo "run.sh: the kernel did not report success (QEMU exit status $status, expected 33)" >&2
    exit 1
fi
echo "run.sh: booted: the kernel reported success"
