; realmode.asm — the Linux 16-bit entry's last steps (docs/protocol/linux.md):
; from 16-bit protected mode back to real mode, then into the kernel's
; setup code. The installer cannot do this from staging, which lies above
; 1 MiB where real mode does not reach: bootinfo.c copies this code into
; the boot information block below 1 MiB, fills real16_params, and the
; installer's linux16 exit jumps here through a 16-bit code segment based
; at the copy. Position-independent: every address is relative to the copy.

bits 16
%include "x86.inc"

LX_DATA16_SEL   equ 0x20            ; installer.asm's gdt_linux: 16-bit data, base 0, limit 64 KiB

section .text
global real16_start, real16_params, real16_end

real16_start:
        LEAVE_PM16 LX_DATA16_SEL        ; real mode; CS still holds the copy's base
        jmp far [cs:real16_params - real16_start]
real16_real:
        lidt [cs:real16_params.ivt - real16_start] ; the BIOS's vectors, as the setup code's INT calls need
        mov ax, [cs:real16_params.seg - real16_start]
        mov ss, ax
        mov sp, [cs:real16_params.sp - real16_start]
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        jmp far [cs:real16_params.kernel - real16_start]

        align 4, db 0
; Filled by bootinfo.c, as 16-bit words: [1] the copy's segment, [3] the
; setup segment + 0x20, [4] the setup segment, [5] SP.
real16_params:
        dw real16_real - real16_start, 0    ; far pointer into real mode, at the copy
.kernel: dw 0, 0                            ; the setup code's entry: offset 0
.seg:   dw 0
.sp:    dw 0
.ivt:   dw 0x3FF                            ; IDTR: the real-mode vectors at 0
        dd 0
real16_end:
