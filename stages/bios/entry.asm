; entry.asm — stage 2's first instructions: from the real mode stage 1
; leaves to 32-bit protected mode and bios_main.

%include "x86.inc"
%include "stage2.inc"

; BIOS calls run on this stack too, and some BIOS handlers are deep;
; bios_main's own deepest path (to ata_open, with its IDENTIFY buffer)
; needs under 1 KiB (clang -fstack-usage).
STACK_SIZE      equ 8192

section .entry progbits alloc exec nowrite align=1      ; first in the file: see stage2.ld
bits 16
global _start
extern bios_main, __bss_start, __bss_end

; Entered at 0x0000:STAGE2_ADDR with DL = the boot drive, ECX:EBX = the boot
; volume's LBA (stage2.inc). Interrupts stay off from here on, except inside
; BIOS calls (bioscall.asm).
_start:
        jmp short .code
        dd STAGE2_SIGNATURE                     ; stage 1 checks it before jumping here
.code:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, stack_top                      ; stage2.ld keeps it below 64 KiB
        lgdt [gdtr]
        mov eax, cr0
        or al, CR0_PE
        mov cr0, eax
        jmp dword CODE_SEL:.flat

bits 32
.flat:  mov eax, DATA_SEL
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        cld

        ; Zero .bss, keeping the hand-off in EDX (drive), ECX:EBX (volume LBA).
        movzx edx, dl
        mov esi, ecx
        mov edi, __bss_start
        mov ecx, __bss_end
        sub ecx, edi
        shr ecx, 2                              ; stage2.ld keeps both ends 16-aligned
        xor eax, eax
        rep stosd

        sub esp, 4                              ; ESP 16-aligned at the call (i386 ABI)
        push esi                                ; volume LBA, high half
        push ebx                                ; low half
        push edx                                ; drive
        call bios_main                          ; noreturn

section .rodata
        align 8, db 0
gdt:    STAGES_GDT                              ; with the 16-bit segments bioscall.asm needs
gdtr:   dw STAGES_GDT_SIZE - 1
        dd gdt

section .bss
        alignb 16
stack:  resb STACK_SIZE
stack_top:
