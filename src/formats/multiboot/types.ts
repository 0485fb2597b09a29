// The typed view of Multiboot1 and Multiboot2 headers. Field names follow
// the specifications; addresses are bigint like everywhere in mimg.

/**
 * What address fields (Multiboot1 flag 16, the Multiboot2 address tag) load,
 * resolved against the file and checked: the file bytes
 * [fileOffset, fileOffset + fileSize) go to `address`, followed by zeros up to
 * `address + memSize`.
 */
export interface AddressLoad {
  fileOffset: number;
  fileSize: number;
  address: bigint;
  memSize: bigint;
}

export interface AddressFields {
  headerAddr: bigint;
  loadAddr: bigint;
  /** 0: load to the end of the file. */
  loadEndAddr: bigint;
  /** 0: no zero-filled area after the file bytes. */
  bssEndAddr: bigint;
  load: AddressLoad;
}

export interface Multiboot1Header {
  /** File offset of the header: 4-byte aligned, inside the first 8 KiB. */
  offset: number;
  flags: number;
  /** Flags bit 16: load by these fields, enter at entryAddr. */
  address?: AddressFields & { entryAddr: bigint };
  /** Flags bit 2: the preferred video mode (mode_type 0 linear graphics, 1 EGA text; 0 in a dimension means "no preference"). */
  video?: { modeType: number; width: number; height: number; depth: number };
}

interface TagBase {
  /** The tag's type field; for known kinds it matches the kind. */
  type: number;
  /** Bit 0 (MB2_TAG_OPTIONAL): the loader may ignore the tag. */
  flags: number;
  /** The size field: at least the structure's size (GRUB accepts trailing bytes, so mimg does too). */
  size: number;
  /** File offset of the tag. */
  offset: number;
}

export type Multiboot2Tag = TagBase &
  (
    | { kind: 'information-request'; requests: number[] }
    | ({ kind: 'address' } & AddressFields)
    | { kind: 'entry-address' | 'entry-address-efi32' | 'entry-address-efi64'; entryAddr: bigint }
    | { kind: 'console-flags'; consoleFlags: number }
    | { kind: 'framebuffer'; width: number; height: number; depth: number }
    | { kind: 'module-align' | 'efi-boot-services' }
    | { kind: 'relocatable'; minAddr: bigint; maxAddr: bigint; align: bigint; preference: number }
    /** A type this version of the specification does not define; `body` is everything after the tag header. */
    | { kind: 'unknown'; body: Uint8Array }
  );

export interface Multiboot2Header {
  /** File offset of the header: 8-byte aligned, inside the first 32 KiB. */
  offset: number;
  architecture: number;
  headerLength: number;
  /** In file order, without the end tag. */
  tags: Multiboot2Tag[];
}
