; installer.asm — the last code mimgload runs: a position-independent blob
; that install.c copies into the staging area, outside every section, and
; enters through installer_enter (entry.asm). It also holds lm_call, which
; mimgload uses from its own copy of the blob to hash in long mode.
;
; In:  EBP = the blob's address, EBX = the move list, EDX = its length,
;      ESP = the staging stack, holding the page tables for lm_call (0: this
;      CPU has no long mode) and the kernel's EAX, EBX and 32-bit entry;
;      installer_long and installer_entry64, in this copy of the blob, say
;      whether the kernel is entered in long mode instead, and where.
; Every move copies `copy` bytes from src to dst as memmove does (backward
; when dst > src, as a payload may overlap its own section), then zeroes
; `zero` bytes after them. install.c orders the moves so that none
; overwrites a source a later move still reads (order_moves), and placed
; this blob, its stack, the page tables and the move list outside every
; destination and every source.
;
; Under QEMU's TCG, which emulates each guest instruction and each memory
; access, the copies run in 64-bit mode, 8 bytes a load, where the CPU has
; long mode: that halves their time. The 32-bit loop is for CPUs without.

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

CR0_PG          equ 1 << 31
CR4_PAE         equ 1 << 5
MSR_EFER        equ 0xC0000080
EFER_LME        equ 1 << 8

section .text
global installer_start, installer_end, lm_call, paging_build, installer_long, installer_entry64, installer_linux32, installer_linux16

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

        mov eax, [esp]                  ; the page tables, kept for a long-mode entry
        test eax, eax
        jz .next
        push edx                        ; lm_call(tables, moves64, list, count, -)
        push edx
        push ebx
        lea ecx, [ebp + moves64 - installer_start]
        push ecx
        push eax
        call lm_call
        add esp, 5 * 4
        jmp .enter

.next:  test edx, edx
        jz .enter
        mov edi, [ebx + move.dst]
        mov esi, [ebx + move.src]
        mov ecx, [ebx + move.copy]
        cmp edi, esi
        jbe .forward
        lea esi, [esi + ecx - 4]        ; dst > src: copy backward, from the last dword
        lea edi, [edi + ecx - 4]
        std
        shr ecx, 2
        rep movsd
        add esi, 3                      ; then the 0-3 bytes before them
        add edi, 3
        mov ecx, [ebx + move.copy]
        and ecx, 3
        rep movsb
        cld
        mov edi, [ebx + move.dst]
        add edi, [ebx + move.copy]
        jmp .zero
.forward:
        shr ecx, 2
        rep movsd
        mov ecx, [ebx + move.copy]
        and ecx, 3
        rep movsb
.zero:  xor eax, eax                    ; EDI is now dst + copy: zero from there
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
        ; (as the chain loader left it), flat segments; lm_call restored
        ; CR4 and EFER.
.enter: pop ecx                         ; the page tables
        pop eax                         ; the magic
        pop ebx                         ; the boot information's address
        cmp byte [ebp + installer_long - installer_start], 0
        jne .long
        ret                             ; to the kernel's entry point

        ; A long64 kernel (docs/protocol/mimg.md section 2): long mode with
        ; the kernel's page tables, RAX = magic, RDI = the information.
.long:  add esp, 4                      ; the 32-bit entry: ESP is the stack's top again
        mov esi, eax
        mov eax, cr4
        or eax, CR4_PAE
        mov cr4, eax
        mov cr3, ecx
        mov ecx, MSR_EFER
        rdmsr
        or eax, EFER_LME
        wrmsr
        mov eax, cr0
        or eax, CR0_PG
        mov cr0, eax
        lea eax, [ebp + .long64 - installer_start]
        push dword CODE64_SEL
        push eax
        retf
bits 64
.long64:
        mov esp, esp                    ; the upper halves are undefined after the switch
        mov ebp, ebp
        cmp byte [rbp + installer_long - installer_start], 1
        jne .linux64
        mov eax, esi
        mov edi, ebx
        jmp [rbp + installer_entry64 - installer_start]

        ; Linux's 64-bit entry (docs/protocol/linux.md): a GDT whose __BOOT_CS
        ; is 64-bit code and __BOOT_DS flat data, CS, DS, ES and SS loaded
        ; with them, RSI = boot_params; the kernel's page tables map all RAM.
.linux64:
        lea rax, [rbp + gdt_linux64 - installer_start]
        mov [rbp + gdtr_linux64.base - installer_start], rax
        lgdt [rbp + gdtr_linux64 - installer_start]
        mov eax, LX_BOOT_DS
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        push qword LX_BOOT_CS
        push qword [rbp + installer_entry64 - installer_start]
        mov esi, ebx
        xor ebx, ebx
        xor ebp, ebp
        xor edi, edi
        o64 retf
bits 32

; uint32_t lm_call(uint32_t tables, uint32_t fn, uint32_t a, uint32_t b, uint32_t c)
; Runs the 64-bit function at fn with RDI = a, RSI = b, RDX = c in long mode,
; with the page tables at `tables` (the identity map of the first 4 GiB
; paging_build makes), and returns its EAX in protected mode, paging off, CR4
; and EFER as they were (CR3 keeps `tables`). fn may use every register but
; RBX, RBP and RSP.
; Needs interrupts off and a GDT with CODE64_SEL; position-independent.
lm_call:
        push ebp
        push ebx
        push esi
        push edi
        mov ebp, esp                    ; the arguments from [ebp + 20]
        mov eax, cr4
        push eax
        or eax, CR4_PAE
        mov cr4, eax
        mov eax, [ebp + 20]
        mov cr3, eax
        mov ecx, MSR_EFER
        rdmsr
        push edx
        push eax
        or eax, EFER_LME
        wrmsr
        mov eax, cr0
        or eax, CR0_PG
        mov cr0, eax                    ; long mode on, still in 32-bit code (compatibility mode)
        call .here
.here:  pop ebx
        lea eax, [ebx + .long - .here]
        push dword CODE64_SEL
        push eax
        retf
bits 64
.long:  mov esp, esp                    ; the upper halves are undefined after the switch
        mov ebp, ebp
        mov ebx, ebx
        mov edi, [rbp + 28]
        mov esi, [rbp + 32]
        mov edx, [rbp + 36]
        mov eax, [rbp + 24]
        call rax
        lea rcx, [rbx + .compat - .here]
        push CODE_SEL
        push rcx
        o64 retf                        ; back to 32-bit code, still in long mode
bits 32
.compat:
        mov esi, eax                    ; the result
        mov eax, cr0
        and eax, ~CR0_PG
        mov cr0, eax                    ; paging off: long mode off
        mov ecx, MSR_EFER
        pop eax
        pop edx
        wrmsr
        pop eax
        mov cr4, eax
        mov eax, esi
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

; void paging_build(uint64_t *tables): lm_call's page tables at `tables`,
; PAGING_SIZE (loader.h) bytes, 4 KiB-aligned: the PML4, the PDPT, then four
; page directories mapping the first 4 GiB to itself in 2 MiB pages, every
; entry present and writable. Every physical address fits in 32 bits, so
; every entry's upper half is 0. Position-independent, like lm_call.
PAGE            equ 0x1000
PTE_PW          equ 0x3             ; present, writable
PTE_LARGE       equ 0x80            ; in a page directory: a 2 MiB page
paging_build:
        push edi
        mov edi, [esp + 8]
        mov edx, edi
        xor eax, eax
        mov ecx, 6 * PAGE / 4
        rep stosd                       ; all zero
        lea eax, [edx + PAGE + PTE_PW]
        mov [edx], eax                  ; PML4[0]: the PDPT
        add edx, PAGE
        mov ecx, 4
.pdpt:  add eax, PAGE                   ; PDPT[0..3]: the page directories
        mov [edx], eax
        add edx, 8
        loop .pdpt
        add edx, PAGE - 4 * 8
        mov eax, PTE_LARGE | PTE_PW
        mov ecx, 4 * 512
.pd:    mov [edx], eax                  ; the 2048 2 MiB pages
        add edx, 8
        add eax, 0x200000
        loop .pd
        pop edi
        ret

bits 64
; Copies one 64-byte block [RSI, RSI + 64) to [RDI, RDI + 64), every load
; before any store: memmove-safe for an overlapping block.
%macro BLOCK64 1
        mov rax, [rsi + %1]
        mov rbx, [rsi + %1 + 8]
        mov rdx, [rsi + %1 + 16]
        mov r8, [rsi + %1 + 24]
        mov r9, [rsi + %1 + 32]
        mov r10, [rsi + %1 + 40]
        mov r11, [rsi + %1 + 48]
        mov r14, [rsi + %1 + 56]
        mov [rdi + %1], rax
        mov [rdi + %1 + 8], rbx
        mov [rdi + %1 + 16], rdx
        mov [rdi + %1 + 24], r8
        mov [rdi + %1 + 32], r9
        mov [rdi + %1 + 40], r10
        mov [rdi + %1 + 48], r11
        mov [rdi + %1 + 56], r14
%endmacro

; moves64(RDI = the move list, ESI = its length): the moves of the 32-bit
; loop above. Under TCG a copy costs per emulated instruction and per
; memory access: forward copies move 256 bytes an iteration in 8-byte
; loads, which takes half the time of `rep movsd` (128 bytes an iteration
; take a third more). Backward copies, rare (a payload overlapping its own
; section from below), use `rep movsq`.
moves64:
        push rbx
        mov r12, rdi
        mov r13d, esi
.next:  test r13d, r13d
        jz .done
        mov edi, [r12 + move.dst]
        mov esi, [r12 + move.src]
        mov ecx, [r12 + move.copy]
        cmp rdi, rsi
        ja .back
        shr ecx, 8                      ; 256-byte blocks, ascending: each block
        jz .ftail                       ; reads only bytes above what it writes
.fblk:  BLOCK64 0
        BLOCK64 64
        sub rsi, -128                   ; (8-bit displacements and immediates:
        sub rdi, -128                   ; shorter code)
        BLOCK64 0
        BLOCK64 64
        sub rsi, -128
        sub rdi, -128
        dec ecx
        jnz .fblk
.ftail: movzx ecx, byte [r12 + move.copy]
        rep movsb                       ; the last copy % 256 bytes
        jmp .zero
.back:  lea rsi, [rsi + rcx - 8]        ; dst > src: copy backward, from the last qword
        lea rdi, [rdi + rcx - 8]
        std
        shr ecx, 3
        rep movsq
        add rsi, 7                      ; then the 0-7 bytes before them
        add rdi, 7
        mov ecx, [r12 + move.copy]
        and ecx, 7
        rep movsb
        cld
        mov edi, [r12 + move.dst]
        mov ecx, [r12 + move.copy]
        add rdi, rcx
.zero:  mov ecx, [r12 + move.zero]      ; RDI is now dst + copy: zero from there
        mov edx, ecx
        shr ecx, 3
        xor eax, eax
        rep stosq
        mov ecx, edx
        and ecx, 7
        rep stosb
        add r12, move_size
        dec r13d
        jmp .next
.done:  pop rbx
        ret
bits 32

; The Linux boot protocol's entries (docs/protocol/linux.md): .enter's ret
; comes here, with EBP still the blob's address.
LX_CODE16_SEL   equ 0x08            ; 16-bit code based at the real-mode trampoline
LX_BOOT_CS      equ 0x10            ; __BOOT_CS and __BOOT_DS: the selectors the
LX_BOOT_DS      equ 0x18            ; 32-bit boot protocol requires, flat 4 GiB

; 32-bit entry: EAX = the kernel's entry (code32_start), EBX = boot_params.
; ESI = boot_params, EBP = EDI = EBX = 0, interrupts off, flat segments.
installer_linux32:
        call linux_gdt
        mov ecx, LX_BOOT_DS
        mov ds, ecx
        mov es, ecx
        mov fs, ecx
        mov gs, ecx
        mov ss, ecx
        mov esi, ebx
        xor ebx, ebx
        xor ebp, ebp
        xor edi, edi
        push dword LX_BOOT_CS
        push eax
        retf

; 16-bit entry: EBX = the trampoline (realmode.asm) in the boot information,
; 16-aligned below 1 MiB; it runs first as 16-bit protected-mode code.
installer_linux16:
        mov [ebp + gdt_linux + LX_CODE16_SEL + 2 - installer_start], bx ; the segment's base, bits 0-23
        shr ebx, 16
        mov [ebp + gdt_linux + LX_CODE16_SEL + 4 - installer_start], bl
        call linux_gdt
        jmp LX_CODE16_SEL:0

linux_gdt:
        lea ecx, [ebp + gdt_linux - installer_start]
        mov [ebp + gdtr_linux.base - installer_start], ecx
        lgdt [ebp + gdtr_linux - installer_start]
        ret

        align 8, db 0
gdt_linux:
        dq 0
        dq 0x00009A000000FFFF           ; LX_CODE16_SEL: 16-bit, 64 KiB, execute/read; base filled in
        dq FLAT_CODE_DESC               ; LX_BOOT_CS
        dq FLAT_DATA_DESC               ; LX_BOOT_DS
        dq 0x000092000000FFFF           ; 0x20: 16-bit data, base 0, 64 KiB (realmode.asm)
gdtr_linux:
        dw 5 * 8 - 1
.base:  dd 0

        align 8, db 0
gdt_linux64:
        dq 0
        dq 0
        dq FLAT_CODE64_DESC             ; LX_BOOT_CS, 64-bit
        dq FLAT_DATA_DESC               ; LX_BOOT_DS
gdtr_linux64:
        dw 4 * 8 - 1
.base:  dq 0

        align 8, db 0
installer_entry64: dq 0                 ; install.c fills both in the blob's copy
installer_long: db 0                    ; 1: enter at installer_entry64 in long mode (mimg), 2: likewise, Linux
        align 8, db 0
gdt:    FLAT_GDT
        dq FLAT_CODE64_DESC             ; CODE64_SEL, for lm_call
gdtr:   dw GDT_SIZE + 8 - 1
.base:  dd 0                            ; filled in above
installer_end:
