; bioscall.asm — bios_int: a BIOS interrupt call from 32-bit protected
; mode, through real mode and back. Stage 2 makes every BIOS call through
; here (A20, memory map, disk), mimgload its VBE calls.
;
; The C code runs flat in protected mode and the BIOS always sees plain
; real mode (CS = 0, 64 KiB limits, the real-mode IVT). Unreal mode would
; save the switches but breaks on BIOSes that enter protected mode
; themselves (SeaBIOS does, for some calls) and reload the segment caches.
;
; Real mode reaches only the first MiB, and mimgload runs at 9 MiB: so the
; part that runs in 16-bit mode, with its data, is copied on every call to
; the real-mode area [REALMODE_BASE, REALMODE_TOP), whose rest (3.8 KiB)
; is the BIOS's stack. It is written for that address (RM() below), so the
; same code serves a stage wherever it is linked. The area must be free
; RAM whenever a call is made: stages/README.md lists it in both stages'
; low memory. The caller's GDT must have the selectors of STAGES_GDT
; (x86.inc); GDTR is saved and reloaded with all 32 bits of its base.

%include "x86.inc"

REALMODE_BASE   equ 0x1000              ; above the IVT and BIOS data area; free in conventional memory
REALMODE_TOP    equ 0x2000              ; the BIOS's stack grows down from here
REGS_SIZE       equ 9 * 4               ; struct bios_regs (bioscall.h)
REGS_EFLAGS     equ 7 * 4
REGS_DS         equ 8 * 4
REGS_ES         equ 8 * 4 + 2
IVT_LIMIT       equ 256 * 4 - 1

; The address of a label of the 16-bit part once copied.
%define RM(label) (REALMODE_BASE + (label) - rm_start)

global realmode_base, realmode_top      ; for C: the area bios_int uses
realmode_base   equ REALMODE_BASE
realmode_top    equ REALMODE_TOP

section .text

; void bios_int(uint32_t vector, struct bios_regs *regs): the registers
; given, then INT vector, then the registers as the BIOS left them.
global bios_int
bits 32
bios_int:
        push ebp
        push ebx
        push esi
        push edi
        mov esi, rm_start
        mov edi, REALMODE_BASE
        mov ecx, (rm_end - rm_start) / 4
        rep movsd
        mov eax, [esp + 20]
        mov eax, [eax * 4]                      ; the IVT entry: offset, then segment
        mov [RM(target)], eax
        mov esi, [esp + 24]
        mov edi, RM(regs)
        mov ecx, REGS_SIZE / 4
        rep movsd
        mov [RM(saved_esp)], esp
        sgdt [RM(saved_gdtr)]
        mov esp, REALMODE_TOP
        jmp CODE16_SEL:RM(pm16)

.flat:  mov eax, DATA_SEL                       ; back from real mode
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        mov esp, [RM(saved_esp)]
        cld                                     ; C expects DF clear
        mov esi, RM(regs)
        mov edi, [esp + 24]
        mov ecx, REGS_SIZE / 4
        rep movsd
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

; The 16-bit part and its data, run and used only at RM() addresses.
        align 4
rm_start:
bits 16
pm16:   LEAVE_PM16 DATA16_SEL
        jmp 0:RM(real)
real:   xor ax, ax
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        lidt [RM(ivt)]

        mov es, [RM(regs) + REGS_ES]
        mov eax, [RM(regs) + 0 * 4]
        mov ebx, [RM(regs) + 1 * 4]
        mov ecx, [RM(regs) + 2 * 4]
        mov edx, [RM(regs) + 3 * 4]
        mov esi, [RM(regs) + 4 * 4]
        mov edi, [RM(regs) + 5 * 4]
        mov ebp, [RM(regs) + 6 * 4]
        mov ds, [RM(regs) + REGS_DS]
        ; What INT does: flags (with IF set, so the handler's IRET turns
        ; interrupts on: BIOS disk code may wait for them), then a far call
        ; with IF clear.
        sti
        pushf
        cli
        call far [cs:RM(target)]

        cli
        mov [cs:RM(regs) + 0 * 4], eax
        mov [cs:RM(regs) + 1 * 4], ebx
        mov [cs:RM(regs) + 2 * 4], ecx
        mov [cs:RM(regs) + 3 * 4], edx
        mov [cs:RM(regs) + 4 * 4], esi
        mov [cs:RM(regs) + 5 * 4], edi
        mov [cs:RM(regs) + 6 * 4], ebp
        pushfd
        pop dword [cs:RM(regs) + REGS_EFLAGS]
        mov [cs:RM(regs) + REGS_DS], ds
        mov [cs:RM(regs) + REGS_ES], es

        o32 lgdt [cs:RM(saved_gdtr)]            ; the BIOS may have loaded its own
        mov eax, cr0
        or al, CR0_PE
        mov cr0, eax
        jmp dword CODE_SEL:bios_int.flat

        align 4, db 0
ivt:    dw IVT_LIMIT                            ; the real-mode interrupt table at 0
        dd 0
        align 4, db 0
regs:   times REGS_SIZE db 0                    ; the caller's struct, copied below 64 KiB
target: dd 0
saved_esp: dd 0
saved_gdtr: times 8 db 0
rm_end:
