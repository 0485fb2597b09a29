#!/usr/bin/env bash
# build.sh — builds every runtime stage from source with Debian's nasm,
# clang and ld.lld, into stages/prebuilt/ (committed, so that the CLI needs
# only Node), with their checksums in stages/prebuilt/SHA256SUMS.
#
#   bash stages/build.sh           rebuild stages/prebuilt/
#   bash stages/build.sh --check   rebuild in a temporary directory and compare with
#                                  stages/prebuilt/; exit 1 naming every file that differs
#
# The output is reproducible: sources are compiled by relative path from
# this directory, with no build ID, no .comment, no debug information and
# no symbols, so the same toolchain gives the same bytes.
set -euo pipefail
export LC_ALL=C # the order of globbed sources, hence of the link

here=$(cd "$(dirname "$0")" && pwd)
NASM=${NASM:-nasm}
CC=${CC:-clang}
LD=${LD:-ld.lld}

# What prebuilt/ holds, besides SHA256SUMS.
PREBUILT=(mimgload.elf mbr.bin pbr.bin stage2.bin BOOTX64.EFI)

CFLAGS=(
    -target i386-unknown-none-elf -march=i686 -std=c11 -Os
    -ffreestanding -nostdlibinc -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only
    -ffunction-sections -fdata-sections -fno-ident
    -ffile-prefix-map="$here"=.
    -Wall -Wextra -Werror
    -Iinclude
)
NASMFLAGS=(-f elf32 -Werror -Iinclude/)
NASMBINFLAGS=(-f bin -Werror -Iinclude/ -Imbr/) # the boot sectors: flat 512-byte files
# Size matters more than speed everywhere but in the loops over every byte
# of an image: -Os, except for these files. (mimgload runs its loops over
# every byte in 64-bit assembly where the CPU has long mode: none left.)
HOT=()
HOT_CFLAGS=(-O2)
# mimgload's C, on top of CFLAGS: -Oz, and calls rather than tail calls,
# which cost bytes on i386 (mimgload aims at under 16 KiB, stages/README.md).
MIMGLOAD_CFLAGS="-Oz -fno-optimize-sibling-calls"
LDFLAGS=(-m elf_i386 --build-id=none --nmagic --gc-sections --strip-all --no-undefined)
# BOOTX64.EFI: a PE32+ EFI application. The Windows target gives the
# Microsoft x64 calling convention UEFI uses; no red zone (firmware
# interrupts share the stack) and no stack probes (there is no __chkstk).
# /Brepro makes the PE timestamp a hash of the output.
UEFI_CFLAGS=(
    -target x86_64-unknown-windows -std=c11 -Os
    -ffreestanding -nostdlibinc -fno-stack-protector -mno-red-zone -mno-stack-arg-probe
    -mgeneral-regs-only -ffunction-sections -fdata-sections -fno-ident
    -ffile-prefix-map="$here"=.
    -Wall -Wextra -Werror
    -Iinclude
)
UEFI_LDFLAGS=(/subsystem:efi_application /entry:efi_main /nodefaultlib /opt:ref /Brepro /debug:none)

LLD_LINK=${LLD_LINK:-lld-link}

for tool in "$NASM:nasm" "$CC:clang" "$LD:lld" "$LLD_LINK:lld" "sha256sum:coreutils"; do
    command -v "${tool%%:*}" >/dev/null 2>&1 ||
        { echo "build.sh: ${tool%%:*} not found (Debian package: ${tool#*:})" >&2; exit 1; }
done

# link OUT LDSCRIPT SOURCE...: compile each .c and .asm source, link them with LDSCRIPT.
link() {
    local out=$1 script=$2 objs=() src obj
    shift 2
    for src in "$@"; do
        obj="$work/obj/${src//\//_}.o"
        case "$src" in
        *.c)
            local extra=()
            [[ " ${HOT[*]} " == *" $src "* ]] && extra=("${HOT_CFLAGS[@]}")
            "$CC" "${CFLAGS[@]}" ${TARGET_CFLAGS:-} "${extra[@]}" -c -o "$obj" "$src"
            ;;
        *.asm) "$NASM" "${NASMFLAGS[@]}" -I"$(dirname "$src")/" -o "$obj" "$src" ;; # includes beside the source too
        esac
        objs+=("$obj")
    done
    local format=()
    [[ $out == *.bin || $out == */mimgload.elf ]] && format=(--oformat binary) # stage 2; mimgload carries its own ELF header
    "$LD" "${LDFLAGS[@]}" "${format[@]}" -T "$script" -o "$out" "${objs[@]}"
}

# link_efi OUT SOURCE...: compile each .c and .asm source for UEFI, link a PE32+ application.
link_efi() {
    local out=$1 objs=() src obj
    shift
    for src in "$@"; do
        obj="$work/obj/efi_${src//\//_}.obj"
        case "$src" in
        *.c) "$CC" "${UEFI_CFLAGS[@]}" -c -o "$obj" "$src" ;;
        *.asm) "$NASM" -f win64 -Werror -o "$obj" "$src" ;;
        esac
        objs+=("$obj")
    done
    "$LLD_LINK" "${UEFI_LDFLAGS[@]}" /out:"$out" "${objs[@]}"
}

# build OUT: every stage and SHA256SUMS into the directory OUT.
build() {
    local out=$1
    mkdir -p "$work/obj"
    (
        cd "$here"
        TARGET_CFLAGS=$MIMGLOAD_CFLAGS link "$out/mimgload.elf" linker/mimgload.ld loader/*.asm loader/*.c common/*.asm common/*.c
        "$NASM" "${NASMBINFLAGS[@]}" -o "$out/mbr.bin" mbr/mbr.asm
        "$NASM" "${NASMBINFLAGS[@]}" -o "$out/pbr.bin" mbr/pbr.asm
        link "$out/stage2.bin" linker/stage2.ld bios/*.asm bios/*.c common/bioscall.asm \
            common/{acpi,console,crc32,fmt,madt,mem,memmap}.c # not the validator: mimgload's job
        link_efi "$out/BOOTX64.EFI" uefi/*.asm uefi/*.c bios/{ata,mb2build,pci,virtio}.c \
            common/{console,fbcon,fmt,font,madt,mem,memmap}.c # stage 2's IDE and virtio-blk drivers (uefi/disk.c)
    )
    (cd "$out" && sha256sum "${PREBUILT[@]}" >SHA256SUMS)
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case "${1:-}" in
"")
    mkdir -p "$here/prebuilt"
    build "$here/prebuilt"
    echo "build.sh: wrote stages/prebuilt/: ${PREBUILT[*]} SHA256SUMS"
    ;;
--check)
    mkdir "$work/out"
    build "$work/out"
    status=0
    for f in "${PREBUILT[@]}" SHA256SUMS; do
        if ! cmp -s "$work/out/$f" "$here/prebuilt/$f"; then
            echo "build.sh: stages/prebuilt/$f differs from a fresh build: run \`npm run build:stages\` and commit the result" \
                "(toolchain: $("$CC" --version | head -n1); $("$LD" --version); $("$NASM" -v))" >&2
            status=1
        fi
    done
    [ $status -ne 0 ] || echo "build.sh: stages/prebuilt/ matches a fresh build"
    exit $status
    ;;
*)
    echo "usage: bash stages/build.sh [--check]" >&2
    exit 2
    ;;
esac
