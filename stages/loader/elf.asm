; elf.asm — mimgload's ELF header and its one program header, written out
; rather than by the linker: mimgload.ld links mimgload as a flat binary
; that opens with these 88 bytes, so the file carries no section headers,
; no section names and no alignment padding (about 240 bytes), and is
; still the 32-bit ELF executable GRUB and QEMU's -kernel load by its
; program header. The values come from mimgload.ld.

bits 32

ELF_HEADER_SIZE equ 52
PHDR_SIZE       equ 32
HEADERS_SIZE    equ 88          ; the two, padded to 8: the Multiboot2 header must be 8-aligned in the file
ET_EXEC         equ 2
EM_386          equ 3
PT_LOAD         equ 1
PF_RWX          equ 7           ; paging is off: permissions would be decoration

extern _start, __mimgload_start, __mimgload_file_size, __mimgload_mem_size

section .elfhdr progbits alloc noexec nowrite align=1
ehdr:   db 0x7F, "ELF", 1, 1, 1, 0  ; ELFCLASS32, little-endian, version 1, System V ABI
        times 8 db 0
        dw ET_EXEC, EM_386
        dd 1                    ; e_version
        dd _start               ; e_entry
        dd phdr - ehdr          ; e_phoff
        dd 0                    ; e_shoff: no section headers
        dd 0                    ; e_flags
        dw ELF_HEADER_SIZE, PHDR_SIZE, 1, 0, 0, 0   ; e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
phdr:   dd PT_LOAD
        dd HEADERS_SIZE         ; p_offset: everything after the headers...
        dd __mimgload_start     ; p_vaddr: ...at 9 MiB
        dd __mimgload_start     ; p_paddr
        dd __mimgload_file_size ; p_filesz: .text, .rodata, .data
        dd __mimgload_mem_size  ; p_memsz: and .bss
        dd PF_RWX
        dd 8                    ; p_align
        times HEADERS_SIZE - ($ - ehdr) db 0
        times -(phdr - ehdr != ELF_HEADER_SIZE) db 0    ; assemble only with the sizes above
        times -($ - ehdr != HEADERS_SIZE) db 0
