; mbr.asm — stage 1 in the MBR: loads stage 2 as the patch block says
; (docs/format/boot-volume.md section 1.1) and enters it. Error codes:
; README.md.
;
;   nasm -f bin -Iinclude/ -Imbr/ -o mbr.bin mbr/mbr.asm
;
; The code must end before the patch block at 0x1A0; the writer fills the
; patch block, the disk signature and the partition table, and keeps 55 AA.

bits 16
org 0x7C00
cpu 386

%include "bootvol.inc"

%define STAGE1_NAME "mbr"
STACK_TOP       equ 0x7C00              ; grows down, below this sector

start:
        cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, STACK_TOP
        sti
        jmp 0:.cs0                      ; some BIOSes enter at 07C0:0000
.cs0:
        mov al, 'P'
        cmp word [start + MBR_PATCH_MAGIC], MBR_PATCH_MAGIC_VALUE
        jne fail                        ; the writer has not filled the block
        mov ebx, [start + MBR_VOLUME_LBA]
        mov ecx, [start + MBR_VOLUME_LBA + 4]
        mov eax, [start + MBR_STAGE2_LBA]
        mov bp, [start + MBR_STAGE2_SECTORS]
        ; DL is still the BIOS's boot drive

%include "stage1.inc"

        times MBR_PATCH_OFFSET - ($ - $$) db 0  ; an error here: stage 1 outgrew 0x1A0 bytes
        times MBR_BOOT_SIGNATURE - ($ - $$) db 0
        dw MBR_BOOT_SIGNATURE_VALUE
