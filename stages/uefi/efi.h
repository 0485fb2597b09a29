/* efi.h — the parts of UEFI 2.10 that BOOTX64.EFI uses, declared from the
 * specification: the system table (section 4.3), boot services (4.4,
 * 7.2), the configuration table (4.6), the loaded image (9.1), simple text
 * output (12.4), the simple file system and file protocols (13.4, 13.5)
 * and memory descriptors (7.2). Tables list every member up to the last
 * one used, in the specification's order, so the offsets are the
 * specification's; members this stage never calls are `void *`.
 *
 * Compiled for x86_64-unknown-windows: the Microsoft x64 calling
 * convention, which is UEFI's, is the default, so EFIAPI is empty. */
#ifndef STAGES_UEFI_EFI_H
#define STAGES_UEFI_EFI_H

#include <stdint.h>

typedef uint64_t efi_status;
typedef void *efi_handle;
typedef uint16_t char16;

#define EFI_SUCCESS           0
#define EFI_ERROR_BIT         (1ull << 63)
#define EFI_LOAD_ERROR        (EFI_ERROR_BIT | 1)
#define EFI_INVALID_PARAMETER (EFI_ERROR_BIT | 2)
#define EFI_BUFFER_TOO_SMALL  (EFI_ERROR_BIT | 5)
#define EFI_NOT_FOUND         (EFI_ERROR_BIT | 14)

struct efi_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
};

struct efi_table_header {
    uint64_t signature;
    uint32_t revision;
    uint32_t header_size;
    uint32_t crc32;
    uint32_t reserved;
};

/* EFI_ALLOCATE_TYPE */
#define EFI_ALLOCATE_ANY_PAGES   0
#define EFI_ALLOCATE_MAX_ADDRESS 1
#define EFI_ALLOCATE_ADDRESS     2

/* EFI_MEMORY_TYPE */
#define EFI_RESERVED_MEMORY       0
#define EFI_LOADER_CODE           1
#define EFI_LOADER_DATA           2
#define EFI_BOOT_SERVICES_CODE    3
#define EFI_BOOT_SERVICES_DATA    4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY   7
#define EFI_UNUSABLE_MEMORY       8
#define EFI_ACPI_RECLAIM_MEMORY   9
#define EFI_ACPI_MEMORY_NVS       10
#define EFI_MEMORY_MAPPED_IO      11
#define EFI_MEMORY_MAPPED_IO_PORT 12
#define EFI_PAL_CODE              13
#define EFI_PERSISTENT_MEMORY     14
#define EFI_UNACCEPTED_MEMORY     15

#define EFI_PAGE_SIZE 4096u

/* Descriptors are descriptor_size bytes apart, which may be more than this. */
struct efi_memory_descriptor {
    uint32_t type;
    uint32_t pad;
    uint64_t physical_start;
    uint64_t virtual_start;
    uint64_t pages;
    uint64_t attribute;
};

struct efi_simple_text_output {
    void *reset;
    efi_status (*output_string)(struct efi_simple_text_output *self, const char16 *s);
};

struct efi_boot_services {
    struct efi_table_header hdr;
    void *raise_tpl;
    void *restore_tpl;
    efi_status (*allocate_pages)(uint32_t type, uint32_t memory_type, uint64_t pages, uint64_t *memory);
    efi_status (*free_pages)(uint64_t memory, uint64_t pages);
    efi_status (*get_memory_map)(uint64_t *size, struct efi_memory_descriptor *map, uint64_t *key,
                                 uint64_t *descriptor_size, uint32_t *descriptor_version);
    efi_status (*allocate_pool)(uint32_t memory_type, uint64_t size, void **buffer);
    efi_status (*free_pool)(void *buffer);
    void *create_event;
    void *set_timer;
    void *wait_for_event;
    void *signal_event;
    void *close_event;
    void *check_event;
    void *install_protocol_interface;
    void *reinstall_protocol_interface;
    void *uninstall_protocol_interface;
    efi_status (*handle_protocol)(efi_handle handle, const struct efi_guid *protocol, void **interface);
    void *reserved;
    void *register_protocol_notify;
    void *locate_handle;
    efi_status (*locate_device_path)(const struct efi_guid *protocol, const void **path, efi_handle *device);
    void *install_configuration_table;
    void *load_image;
    void *start_image;
    void *exit;
    void *unload_image;
    efi_status (*exit_boot_services)(efi_handle image, uint64_t map_key);
    void *get_next_monotonic_count;
    void *stall;
    void *set_watchdog_timer;
    void *connect_controller;
    void *disconnect_controller;
    void *open_protocol;
    void *close_protocol;
    void *open_protocol_information;
    void *protocols_per_handle;
    void *locate_handle_buffer;
    efi_status (*locate_protocol)(const struct efi_guid *protocol, void *registration, void **interface);
};

struct efi_configuration_table {
    struct efi_guid vendor_guid;
    void *vendor_table;
};

struct efi_system_table {
    struct efi_table_header hdr;
    char16 *firmware_vendor;
    uint32_t firmware_revision;
    efi_handle console_in_handle;
    void *con_in;
    efi_handle console_out_handle;
    struct efi_simple_text_output *con_out;
    efi_handle standard_error_handle;
    struct efi_simple_text_output *std_err;
    void *runtime_services;
    struct efi_boot_services *boot_services;
    uint64_t table_entries;
    struct efi_configuration_table *configuration_table;
};

struct efi_loaded_image {
    uint32_t revision;
    efi_handle parent_handle;
    struct efi_system_table *system_table;
    efi_handle device_handle;
    void *file_path;
    void *reserved;
    uint32_t load_options_size;
    void *load_options;
    void *image_base;
    uint64_t image_size;
    /* more members follow, unused */
};

/* Device path nodes (UEFI 2.10 section 10.3): type, subtype, a 16-bit
 * length (unaligned), then the node's data; the path ends with type 0x7F. */
#define DP_HEADER_SIZE       4
#define DP_END               0x7F
#define DP_HARDWARE          1
#define DP_HARDWARE_PCI      1 /* u8 function, u8 device */
#define DP_ACPI              2
#define DP_ACPI_ACPI         1 /* u32 _HID, u32 _UID */
#define DP_MESSAGING         3
#define DP_MESSAGING_ATAPI   1 /* u8 primary (0) / secondary (1), u8 master (0) / slave (1), u16 LUN */
#define DP_MEDIA             4
#define DP_MEDIA_HARD_DRIVE  1 /* u32 partition number, u64 start LBA, u64 size, ... */

/* Block I/O (UEFI 2.10 section 13.9): on a partition's handle, block 0 is
 * the partition's first. */
struct efi_block_io_media {
    uint32_t media_id;
    uint8_t removable, present, logical_partition, read_only, write_caching;
    uint32_t block_size;
    uint32_t io_align;
    uint64_t last_block;
    /* more members follow, unused */
};

struct efi_block_io {
    uint64_t revision;
    struct efi_block_io_media *media;
    void *reset;
    efi_status (*read_blocks)(struct efi_block_io *self, uint32_t media_id, uint64_t lba, uint64_t size, void *buffer);
};

#define EFI_FILE_MODE_READ 1ull
/* SetPosition to this offset: the end of the file. */
#define EFI_FILE_END       UINT64_MAX

struct efi_file {
    uint64_t revision;
    efi_status (*open)(struct efi_file *self, struct efi_file **out, const char16 *name, uint64_t mode,
                       uint64_t attributes);
    efi_status (*close)(struct efi_file *self);
    void *delete_;
    efi_status (*read)(struct efi_file *self, uint64_t *size, void *buffer);
    void *write;
    efi_status (*get_position)(struct efi_file *self, uint64_t *position);
    efi_status (*set_position)(struct efi_file *self, uint64_t position);
};

struct efi_simple_file_system {
    uint64_t revision;
    efi_status (*open_volume)(struct efi_simple_file_system *self, struct efi_file **root);
};

/* Graphics output (UEFI 2.10 section 12.9). */
#define GOP_PIXEL_RGBX     0 /* 32 bits: red, green, blue, reserved, a byte each from the lowest address */
#define GOP_PIXEL_BGRX     1 /* 32 bits: blue, green, red, reserved */
#define GOP_PIXEL_BIT_MASK 2 /* the masks say */
#define GOP_PIXEL_BLT_ONLY 3 /* no framebuffer */

struct efi_gop_mode_info {
    uint32_t version;
    uint32_t width;
    uint32_t height;
    uint32_t pixel_format;
    uint32_t red_mask, green_mask, blue_mask, reserved_mask; /* GOP_PIXEL_BIT_MASK only */
    uint32_t pixels_per_scan_line;
};

struct efi_gop_mode {
    uint32_t max_mode;
    uint32_t mode;
    struct efi_gop_mode_info *info;
    uint64_t info_size;
    uint64_t framebuffer_base;
    uint64_t framebuffer_size;
};

struct efi_gop {
    void *query_mode;
    void *set_mode;
    void *blt;
    struct efi_gop_mode *mode;
};

#define EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID \
    { 0x9042A9DE, 0x23DC, 0x4A38, { 0x96, 0xFB, 0x7A, 0xDE, 0xD0, 0x80, 0x51, 0x6A } }
#define EFI_LOADED_IMAGE_PROTOCOL_GUID \
    { 0x5B1B31A1, 0x9562, 0x11D2, { 0x8E, 0x3F, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_DEVICE_PATH_PROTOCOL_GUID \
    { 0x09576E91, 0x6D3F, 0x11D2, { 0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_BLOCK_IO_PROTOCOL_GUID \
    { 0x964E5B21, 0x6459, 0x11D2, { 0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
#define EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID \
    { 0x964E5B22, 0x6459, 0x11D2, { 0x8E, 0x39, 0x00, 0xA0, 0xC9, 0x69, 0x72, 0x3B } }
/* Configuration table entries pointing at the ACPI RSDP (UEFI 2.10 section 4.6.1.1). */
#define EFI_ACPI_20_TABLE_GUID \
    { 0x8868E871, 0xE4F1, 0x11D3, { 0xBC, 0x22, 0x00, 0x80, 0xC7, 0x3C, 0x88, 0x81 } }
#define EFI_ACPI_10_TABLE_GUID \
    { 0xEB9D2D30, 0x2D88, 0x11D3, { 0x9A, 0x16, 0x00, 0x90, 0x27, 0x3F, 0xC1, 0x4D } }

#endif
