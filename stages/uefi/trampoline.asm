; trampoline.asm — from the firmware's long mode to 32-bit protected mode
; and into the loader, as a Multiboot2 loader enters a kernel.
;
; main.c copies the bytes from `trampoline` to `trampoline_end` into a page
; it allocated below 4 GiB (the firmware may have loaded BOOTX64.EFI
; anywhere) and calls the copy with RCX = a struct jump (uefi.h), also
; below 4 GiB. The code is position-independent: RIP-relative addresses
; in 64-bit mode, and none at all in 32-bit mode. Boot services are gone;
; the firmware's page tables identity-map the page, so turning paging off
; under it is safe (Intel SDM vol. 3, 9.8.5.4: leave long mode through
; compatibility mode, clear CR0.PG, then EFER.LME).

bits 64
default rel

CODE32 equ 0x08
DATA32 equ 0x10
EFER   equ 0xC0000080
EFER_LME equ 1 << 8
CR0_PG equ 1 << 31
CR4_PAE equ 1 << 5
MB2_BOOTLOADER_MAGIC equ 0x36D76289

; struct jump
JUMP_SRC   equ 0
JUMP_DST   equ 4
JUMP_SIZE  equ 8
JUMP_ENTRY equ 12
JUMP_INFO  equ 16
JUMP_STACK equ 20

section .text

global trampoline, trampoline_end
trampoline:
    cli
    mov rsi, rcx
    lea rax, [gdt]
    mov [gdtr + 2], rax             ; the GDT's address is known only here, after the copy
    lgdt [gdtr]
    mov esp, [rsi + JUMP_STACK]     ; zero-extends into RSP
    lea rax, [compat]
    push qword CODE32
    push rax
    retfq                           ; to compatibility mode: CS is a 32-bit code segment

bits 32
compat:
    mov eax, DATA32
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov eax, cr0
    and eax, ~CR0_PG
    mov cr0, eax                    ; paging off: long mode is no longer active
    mov ecx, EFER
    rdmsr
    and eax, ~EFER_LME
    wrmsr
    mov eax, cr4
    and eax, ~CR4_PAE               ; as a BIOS leaves it; the loader sets up its own paging
    mov cr4, eax

    mov edi, [esi + JUMP_DST]
    mov ecx, [esi + JUMP_SIZE]
    mov ebx, [esi + JUMP_INFO]
    mov edx, [esi + JUMP_ENTRY]
    mov esi, [esi + JUMP_SRC]
    cld
    rep movsb                       ; the loader to its address (main.c checked that nothing it needs is there)
    mov eax, MB2_BOOTLOADER_MAGIC
    jmp edx

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF           ; 0x08: 32-bit code, base 0, limit 4 GiB
    dq 0x00CF92000000FFFF           ; 0x10: data, base 0, limit 4 GiB
gdtr:
    dw 3 * 8 - 1
    dq 0
trampoline_end:
