#!/bin/sh
# Rebuilds kernel.elf and init.elf from source with Debian's gcc and binutils.
#
#   ./build.sh              rebuild both ELF files here
#   ./build.sh --out DIR    write them to DIR instead
#   ./build.sh --check      rebuild twice in a temp dir, compare the two builds
#                           with each other and with the files here; writes nothing here
#
# The output is reproducible: no debug info, no build ID, no .comment, and
# source paths are relative, so the same toolchain gives the same bytes.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}
LD=${LD:-ld}
CFLAGS="-m32 -march=i686 -ffreestanding -nostdlib -fno-pic -fno-stack-protector
        -fno-asynchronous-unwind-tables -fcf-protection=none -mgeneral-regs-only
        -O2 -Wall -Wextra -Werror -ffile-prefix-map=$here=."
LDFLAGS="-m elf_i386 --build-id=none -z noexecstack"

# build DIR: compile and link both executables into DIR.
build() {
    out=$1
    tmp=$(mktemp -d)
    (
        cd "$here"
        # shellcheck disable=SC2086 # CFLAGS and LDFLAGS are word lists
        $CC $CFLAGS -c -o "$tmp/entry.o" entry.S
        # shellcheck disable=SC2086
        $CC $CFLAGS -c -o "$tmp/kernel.o" kernel.c
        # shellcheck disable=SC2086
        $CC $CFLAGS -c -o "$tmp/init.o" init.c
        # shellcheck disable=SC2086
        $LD $LDFLAGS -T kernel.ld -o "$out/kernel.elf" "$tmp/entry.o" "$tmp/kernel.o"
        # shellcheck disable=SC2086
        $LD $LDFLAGS -T init.ld -o "$out/init.elf" "$tmp/init.o"
    ) || { rm -rf "$tmp"; exit 1; }
    rm -rf "$tmp"
}

case "${1:-}" in
"")
    build "$here"
    echo "build.sh: wrote $here/kernel.elf $here/init.elf"
    ;;
--out)
    [ $# -eq 2 ] || { echo "usage: $0 [--out DIR | --check]" >&2; exit 2; }
    mkdir -p "$2"
    out=$(cd "$2" && pwd)
    build "$out"
    echo "build.sh: wrote $out/kernel.elf $out/init.elf"
    ;;
--check)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir "$work/a" "$work/b"
    build "$work/a"
    build "$work/b"
    status=0
    for f in kernel.elf init.elf; do
        cmp "$work/a/$f" "$work/b/$f" || { echo "build.sh: $f differs between two builds: the build is not reproducible" >&2; status=1; }
        cmp "$work/a/$f" "$here/$f" || { echo "build.sh: $f differs from the committed $here/$f: run ./build.sh and commit the result (toolchain: $($CC -dumpfullversion), $($LD --version | head -n1))" >&2; status=1; }
    done
    [ $status -eq 0 ] && echo "build.sh: kernel.elf and init.elf rebuild byte-identical"
    exit $status
    ;;
*)
    echo "usage: $0 [--out DIR | --check]" >&2
    exit 2
    ;;
esac
