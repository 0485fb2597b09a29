; entry.asm — mimgload's Multiboot headers, its first instructions, and the
; jump into the installer: what C cannot express.

bits 32
%include "x86.inc"

; Multiboot 0.6.96, section 3.1: the header lies 4-aligned in the file's
; first 8 KiB. Flags 0-15 are requirements the loader must honour.
MB1_HEADER_MAGIC        equ 0x1BADB002
MB1_PAGE_ALIGN          equ 1 << 0      ; modules on 4 KiB boundaries, so the image's structures are aligned
MB1_MEMORY_INFO         equ 1 << 1      ; mem_lower/upper, and the memory map when there is one
MB1_FLAGS               equ MB1_PAGE_ALIGN | MB1_MEMORY_INFO

; Multiboot2 2.0, section 3.1: the header lies 8-aligned in the first 32 KiB.
MB2_HEADER_MAGIC        equ 0xE85250D6
MB2_ARCH_I386           equ 0           ; 32-bit protected mode
MB2_TAG_END             equ 0
MB2_TAG_MODULE_ALIGN    equ 6           ; modules page-aligned, as MB1_PAGE_ALIGN
MB2_TAG_REQUIRED        equ 0           ; tag flags: the loader must honour it
MB2_TAG_SIZE            equ 8           ; both tags used here are bare headers

; The deepest path, mimgload_main -> mimg_verify -> sha256, needs about
; 1 KiB (clang -fstack-usage); four times that leaves room for change.
STACK_SIZE              equ 4096

section .multiboot progbits alloc noexec nowrite align=8 ; first in the file: see mimgload.ld
        align 8, db 0
mb1_header:
        dd MB1_HEADER_MAGIC
        dd MB1_FLAGS
        dd -(MB1_HEADER_MAGIC + MB1_FLAGS)      ; the three fields sum to 0

        align 8, db 0
mb2_header:
        dd MB2_HEADER_MAGIC
        dd MB2_ARCH_I386
        dd mb2_header_end - mb2_header
        dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
        dw MB2_TAG_MODULE_ALIGN, MB2_TAG_REQUIRED
        dd MB2_TAG_SIZE
        dw MB2_TAG_END, MB2_TAG_REQUIRED
        dd MB2_TAG_SIZE
mb2_header_end:                         ; also the end of both headers, for mimgload.ld's 8 KiB check
global mb2_header_end

section .text
global _start, installer_enter
extern mimgload_main, __bss_start, __bss_end

; Entered by the chain loader in flat 32-bit protected mode, EAX = its
; magic, EBX = its information structure. Both specs leave GDTR possibly
; invalid and ESP undefined.
_start:
        cli
        cld
        lgdt [gdtr]                     ; before touching any segment register
        jmp CODE_SEL:.flat
.flat:  mov ecx, DATA_SEL
        mov ds, cx
        mov es, cx
        mov fs, cx
        mov gs, cx
        mov ss, cx
        mov esp, stack_top

        ; ELF loaders zero .bss; the Multiboot specs do not say so. Zeroing it
        ; here keeps C's static variables honest whoever loaded us.
        mov esi, eax
        mov edi, __bss_start
        mov ecx, __bss_end
        sub ecx, edi
        shr ecx, 2                      ; mimgload.ld keeps both ends 16-aligned
        xor eax, eax
        rep stosd

        sub esp, 8                      ; ESP 16-aligned at the call (i386 ABI)
        push ebx                        ; the chain loader's information
        push esi                        ; its magic
        call mimgload_main              ; noreturn: it halts on error or enters the installer

; noreturn void installer_enter(uint32_t blob, const struct move *moves, uint32_t count, uint32_t stack_top,
;                               uint32_t magic, uint32_t info, uint32_t entry, uint32_t tables);
; Switches to the staging stack and jumps to the installer blob with its
; registers as installer.asm describes; the page tables and the kernel's
; EAX, EBX and entry go on that stack, because the installer's copies need
; every other register.
installer_enter:
        mov ebp, [esp + 4]
        mov ebx, [esp + 8]
        mov edx, [esp + 12]
        mov ecx, [esp + 16]
        mov eax, [esp + 20]
        mov esi, [esp + 24]
        mov edi, [esp + 28]
        push dword [esp + 32]
        pop dword [ecx - 16]            ; the tables, below the three the kernel needs
        mov esp, ecx
        push edi                        ; popped last: the installer's ret goes there
        push esi
        push eax
        sub esp, 4                      ; the tables, popped first
        jmp ebp

section .rodata
        align 8, db 0
gdt:    STAGES_GDT                      ; CODE64_SEL for lm_call (installer.asm), the 16-bit ones for bioscall.asm
gdtr:   dw STAGES_GDT_SIZE - 1
        dd gdt

section .bss
        alignb 16
stack:  resb STACK_SIZE
stack_top:
