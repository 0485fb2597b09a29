; pbr.asm — stage 1 in the boot volume's first sector (the partition boot
; record), for a foreign MBR or boot manager that chain-loads partitions:
; loads stage 2 as the volume header says (docs/format/boot-volume.md
; section 2.1) and enters it. Error codes: README.md.
;
;   nasm -f bin -Iinclude/ -Imbr/ -o pbr.bin mbr/pbr.asm
;
; The volume header at 0x03..0x26 is left zero here; the writer fills it.

bits 16
org 0x7C00
cpu 386

%include "bootvol.inc"

%define STAGE1_NAME "pbr"
STACK_TOP       equ 0x7C00              ; grows down, below this sector

; A partition table entry (MBR_PART_* in bootvol.inc), as a chain loader
; passes it in DS:SI: status 0x80 active, 0x00 not, anything else is not an
; entry; type 0 is an unused entry.
PART_STATUS_ACTIVE equ 0x80
%substr VOLHDR_MAGIC_LO VOLHDR_MAGIC_VALUE 1,4
%substr VOLHDR_MAGIC_HI VOLHDR_MAGIC_VALUE 5,4

start:
        jmp short pbr_code
        nop
        times VOLHDR_END - ($ - $$) db 0        ; the volume header

pbr_code:
        ; A chain loader leaves DS:SI at the partition's table entry: take
        ; it before the segments change.
        mov edi, [si + MBR_PART_FIRST_LBA]
        mov bl, [si + MBR_PART_STATUS]
        mov bh, [si + MBR_PART_TYPE]
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, STACK_TOP
        sti
        jmp 0:.cs0
.cs0:
        mov al, 'P'
        cmp dword [start + VOLHDR_MAGIC], VOLHDR_MAGIC_LO
        jne fail
        cmp dword [start + VOLHDR_MAGIC + 4], VOLHDR_MAGIC_HI
        jne fail

        ; DS:SI is an entry when its status is 0x00 or 0x80 and its type
        ; and start are not 0. The BIOS booting this sector directly (a
        ; volume written to a whole disk) leaves DS:SI anywhere; then the
        ; header's volume_lba is all there is.
        xor ecx, ecx
        test bl, ~PART_STATUS_ACTIVE
        jnz .header
        test bh, bh
        jz .header
        test edi, edi
        jz .header
        mov ebx, edi
        jmp .found
.header:
        mov ebx, [start + VOLHDR_VOLUME_LBA]
        mov ecx, [start + VOLHDR_VOLUME_LBA + 4]
.found:
        mov eax, [start + VOLHDR_STAGE2_LBA]
        mov bp, [start + VOLHDR_STAGE2_SECTORS]

%include "stage1.inc"

        times MBR_BOOT_SIGNATURE - ($ - $$) db 0     ; an error here: the PBR outgrew its sector
        dw MBR_BOOT_SIGNATURE_VALUE
