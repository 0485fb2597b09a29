; bioscall.asm — bios_int: a BIOS interrupt call from 32-bit protected
; mode, through real mode and back.
;
; Every BIOS service stage 2 uses (A20, memory map, disk) goes through
; here, so the C code runs flat in protected mode and the BIOS always sees
; plain real mode (CS = 0, 64 KiB limits, the real-mode IVT). Unreal mode
; would save the switches but breaks on BIOSes that enter protected mode
; themselves (SeaBIOS does, for some calls) and reload the segment caches.
;
; This code, its data and the stack lie below 64 KiB (stage2.ld), so real
; mode reaches them with segment 0.

%include "x86.inc"
%include "realmode.inc"

REGS_SIZE       equ 9 * 4               ; struct bios_regs (bios.h)
REGS_EFLAGS     equ 7 * 4
REGS_DS         equ 8 * 4
REGS_ES         equ 8 * 4 + 2
IVT_LIMIT       equ 256 * 4 - 1

section .text
extern gdtr

; void bios_int(uint32_t vector, struct bios_regs *regs): the registers
; given, then INT vector, then the registers as the BIOS left them.
global bios_int
bits 32
bios_int:
        push ebp
        push ebx
        push esi
        push edi
        mov eax, [esp + 20]
        mov eax, [eax * 4]                      ; the IVT entry: offset, then segment
        mov [target], eax
        mov esi, [esp + 24]
        mov edi, regs
        mov ecx, REGS_SIZE / 4
        rep movsd
        mov [saved_esp], esp

        jmp CODE16_SEL:.pm16
bits 16
.pm16:  mov ax, DATA16_SEL
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov eax, cr0
        and al, ~CR0_PE
        mov cr0, eax
        jmp 0:.real
.real:  xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        lidt [ivt]

        mov es, [regs + REGS_ES]
        mov eax, [regs + 0 * 4]
        mov ebx, [regs + 1 * 4]
        mov ecx, [regs + 2 * 4]
        mov edx, [regs + 3 * 4]
        mov esi, [regs + 4 * 4]
        mov edi, [regs + 5 * 4]
        mov ebp, [regs + 6 * 4]
        mov ds, [regs + REGS_DS]
        ; What INT does: flags (with IF set, so the handler's IRET turns
        ; interrupts on: BIOS disk code may wait for them), then a far call
        ; with IF clear.
        sti
        pushf
        cli
        call far [cs:target]

        cli
        mov [cs:regs + 0 * 4], eax
        mov [cs:regs + 1 * 4], ebx
        mov [cs:regs + 2 * 4], ecx
        mov [cs:regs + 3 * 4], edx
        mov [cs:regs + 4 * 4], esi
        mov [cs:regs + 5 * 4], edi
        mov [cs:regs + 6 * 4], ebp
        pushfd
        pop dword [cs:regs + REGS_EFLAGS]
        mov [cs:regs + REGS_DS], ds
        mov [cs:regs + REGS_ES], es

        lgdt [cs:gdtr]                          ; the BIOS may have loaded its own
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
        mov esp, [saved_esp]
        cld                                     ; C expects DF clear
        mov esi, regs
        mov edi, [esp + 24]
        mov ecx, REGS_SIZE / 4
        rep movsd
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

section .rodata
ivt:    dw IVT_LIMIT                            ; the real-mode interrupt table at 0
        dd 0

section .bss
        alignb 4
regs:   resb REGS_SIZE                          ; the caller's struct, copied below 64 KiB
target: resd 1
saved_esp: resd 1
