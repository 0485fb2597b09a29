; installer.asm — the last code mimgload runs: a position-independent blob
; that install.c copies into the staging area, outside every section, and
; enters through installer_enter (entry.asm).
;
; In:  EBP = the blob's address, EBX = the move list, EDX = its length,
;      ESP = the staging stack, holding the kernel's EAX, EBX and entry.
; Every move copies `copy` bytes from src to dst, then zeroes `zero` bytes
; after them. Sources lie in the staging area or in the image module, and
; install.c only ever chose those where no destination is, so no move can
; clobber a later move's source or this blob: every copy runs forward.

bits 32
%include "x86.inc"

; One move; the same layout as struct move in install.c.
struc move
    .dst:  resd 1
    .src:  resd 1
    .copy: resd 1
    .zero: resd 1
endstruc
        times -(move_size != 16) db 0   ; assemble only when the size matches install.c's _Static_assert

section .text
global installer_start, installer_end

installer_start:
        cld
        ; The GDT mimgload loaded at _start may lie in a destination: switch
        ; to the copy in this blob first. Its address is known only now.
        lea eax, [ebp + gdt - installer_start]
        mov [ebp + gdtr.base - installer_start], eax
        lgdt [ebp + gdtr - installer_start]
        lea eax, [ebp + .flat - installer_start]
        push dword CODE_SEL
        push eax
        retf                            ; reload CS from the new GDT
.flat:
        mov eax, DATA_SEL
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax

.next:  test edx, edx
        jz .enter
        mov edi, [ebx + move.dst]
        mov esi, [ebx + move.src]
        mov ecx, [ebx + move.copy]
        shr ecx, 2
        rep movsd
        mov ecx, [ebx + move.copy]
        and ecx, 3
        rep movsb
        xor eax, eax                    ; EDI is now dst + copy: zero from there
        mov ecx, [ebx + move.zero]
        shr ecx, 2
        rep stosd
        mov ecx, [ebx + move.zero]
        and ecx, 3
        rep stosb
        add ebx, move_size
        dec edx
        jmp .next

        ; The machine state both Multiboot specs require is already there:
        ; protected mode, paging off, interrupts off (since _start), A20 on
        ; (as the chain loader left it), flat segments.
.enter: pop eax                         ; the magic
        pop ebx                         ; the boot information's address
        ret                             ; to the kernel's entry point

        align 8, db 0
gdt:    FLAT_GDT
gdtr:   dw GDT_SIZE - 1
.base:  dd 0                            ; filled in above
installer_end:
