/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI DMA Remapping Reporting (DMAR) table parser [VT-d 8]. The parser
 * validates the whole table first and only then builds structures that the
 * library owns (one block from hal_page_alloc(), sized from the table), so
 * a malformed table leaves nothing allocated and nothing read out of
 * bounds. Deviations from [VT-d 8] that real firmware ships and that are
 * safe to accept are accepted and listed in the result (struct
 * vtd_dmar_warning); docs/FIRMWARE.md gives each one and why.
 *
 * Section numbers are those of the revision pinned in vtd/regs.h.
 */
#pragma once

#include <hal/bits.h>
#include <hal/types.h>

/* [VT-d 8.3.1] Device Scope Entry types. */
enum vtd_dmar_scope_type {
	VTD_DMAR_SCOPE_PCI_ENDPOINT = 1,
	VTD_DMAR_SCOPE_PCI_BRIDGE = 2,
	VTD_DMAR_SCOPE_IOAPIC = 3,
	VTD_DMAR_SCOPE_HPET = 4,
	VTD_DMAR_SCOPE_ACPI_NAMESPACE = 5,
};

/* [VT-d 8.3.1] Device Scope Entry flags (byte 2; types 01h and 05h only). */
#define VTD_DMAR_SCOPE_REQ_WO_PASID_NESTED_NOTALLOWED	BIT(0)
#define VTD_DMAR_SCOPE_REQ_WO_PASID_PWSNP_NOTALLOWED	BIT(1)
#define VTD_DMAR_SCOPE_REQ_WO_PASID_PGSNP_NOTALLOWED	BIT(2)
#define VTD_DMAR_SCOPE_ATC_HARDENED			BIT(3)
#define VTD_DMAR_SCOPE_ATC_REQUIRED			BIT(4)

/*
 * One hop of a device scope path: device and function. The first hop is
 * on the scope's start bus; each later hop is on the secondary bus of the
 * bridge named by the hop before it, which only PCI configuration space
 * can tell.
 */
struct vtd_dmar_path {
	u8 dev;
	u8 fn;
};

/* [VT-d 8.3.1] Device Scope. */
struct vtd_dmar_scope {
	u8 type;			/* enum vtd_dmar_scope_type */
	u8 flags;			/* byte 2: VTD_DMAR_SCOPE_* flags */
	u8 enumeration_id;		/* IOAPIC ID, HPET number, ACPI device */
	u8 start_bus;
	u8 path_count;			/* >= 1 (VTD_DMAR_WARN_SCOPE_EMPTY) */
	const struct vtd_dmar_path *path;
};

/* [VT-d 8.3] DMA Remapping Hardware Unit Definition. */
struct vtd_dmar_drhd {
	u64 reg_base;			/* register base, 4 KiB aligned */
	u64 reg_size;			/* register window size in bytes */
	u16 segment;
	/*
	 * Flags bit 0; at most one unit per segment has it: on a later unit
	 * of the segment it is cleared (VTD_DMAR_WARN_DRHD_INCLUDE_ALL).
	 */
	bool include_pci_all;
	u32 scope_count;
	const struct vtd_dmar_scope *scopes;
};

/* [VT-d 8.4] Reserved Memory Region Reporting. */
struct vtd_dmar_rmrr {
	u16 segment;
	/*
	 * The region as used: base 4 KiB aligned and limit + 1 too (an
	 * unaligned firmware value is rounded out to whole pages,
	 * VTD_DMAR_WARN_RMRR_ALIGN); limit >= base.
	 */
	u64 base;
	u64 limit;			/* last byte, inclusive */
	u32 scope_count;
	const struct vtd_dmar_scope *scopes;
};

/* [VT-d 8.5] Root Port ATS Capability Reporting. */
struct vtd_dmar_atsr {
	u16 segment;
	bool all_ports;			/* flags bit 0 */
	u32 scope_count;
	const struct vtd_dmar_scope *scopes;
};

/* [VT-d 8.6] Remapping Hardware Static Affinity. */
struct vtd_dmar_rhsa {
	u64 reg_base;
	u32 proximity_domain;
};

/* [VT-d 8.7] ACPI Name-space Device Declaration. */
struct vtd_dmar_andd {
	u8 acpi_device_number;
	const char *name;		/* NUL-terminated copy */
};

/* [VT-d 8.8] SoC Integrated Address Translation Cache. */
struct vtd_dmar_satc {
	u16 segment;
	bool atc_required;		/* flags bit 0 */
	u32 scope_count;
	const struct vtd_dmar_scope *scopes;
};

/* [VT-d 8.9] SoC Integrated Device Property Reporting. */
struct vtd_dmar_sidp {
	u16 segment;
	u32 scope_count;
	const struct vtd_dmar_scope *scopes;	/* properties: scope flags */
};

/* Why a table was refused (also in struct vtd_dmar_error). */
enum vtd_dmar_err {
	VTD_DMAR_OK = 0,
	VTD_DMAR_ERR_ARGS,		/* NULL pointer or length too short */
	VTD_DMAR_ERR_SIGNATURE,		/* not "DMAR" */
	VTD_DMAR_ERR_LENGTH,		/* header length disagrees with @len */
	VTD_DMAR_ERR_CHECKSUM,		/* strict: bytes do not sum to zero */
	VTD_DMAR_ERR_HAW,		/* host address width above 64; strict:
					 * also below 32 */
	VTD_DMAR_ERR_STRUCT_SHORT,	/* remapping structure length < minimum
					 * (strict: also a zero-length one
					 * with only zeros after it) */
	VTD_DMAR_ERR_STRUCT_OVERRUN,	/* structure runs past the table's end
					 * (strict: also zero bytes too few
					 * for a structure header) */
	VTD_DMAR_ERR_SCOPE_SHORT,	/* scope < 6 bytes or odd path; strict:
					 * also no path */
	VTD_DMAR_ERR_SCOPE_OVERRUN,	/* scope runs past its structure */
	VTD_DMAR_ERR_SCOPE_TYPE,	/* strict: unknown scope type */
	VTD_DMAR_ERR_ALIGN,		/* DRHD base not 4 KiB aligned; strict:
					 * also not aligned to its Size, or
					 * RMRR base or limit not aligned */
	VTD_DMAR_ERR_RANGE,		/* DRHD register window at 0 or
					 * wrapping; strict: RMRR limit below
					 * base */
	VTD_DMAR_ERR_DUPLICATE,		/* one DRHD base in two segments;
					 * strict: also in one segment, or two
					 * INCLUDE_PCI_ALL in one segment */
	VTD_DMAR_ERR_TOO_MANY,		/* more DRHDs than the caller allows */
	VTD_DMAR_ERR_NOMEM,		/* hal_page_alloc() failed */
	VTD_DMAR_ERR_NAME,		/* ANDD name empty or not
					 * NUL-terminated */
	VTD_DMAR_ERR_NO_UNIT,		/* no DRHD structure at all */
	VTD_DMAR_ERR_COUNT		/* number of reasons */
};

struct vtd_dmar_error {
	enum vtd_dmar_err reason;
	u32 offset;			/* byte offset in the table */
};

/* vtd_dmar_parse() flags. */
#define VTD_DMAR_PARSE_STRICT	BIT(0)	/* refuse every deviation too */

/*
 * Deviations from [VT-d 8] that vtd_dmar_parse() accepts (unless
 * VTD_DMAR_PARSE_STRICT), each with what the result holds instead; the
 * offset of a warning is that of the field concerned (docs/FIRMWARE.md).
 */
enum vtd_dmar_warn {
	VTD_DMAR_WARN_NONE = 0,
	VTD_DMAR_WARN_CHECKSUM,		/* bytes do not sum to zero: used */
	VTD_DMAR_WARN_HAW,		/* HAW below 32: kept as written */
	VTD_DMAR_WARN_TRAILING,		/* zero-length structure or zero
					 * bytes up to the end: walk ended */
	VTD_DMAR_WARN_DRHD_ALIGN,	/* base 4 KiB aligned but not to its
					 * Size: used as written */
	VTD_DMAR_WARN_DRHD_DUPLICATE,	/* base and segment of an earlier
					 * DRHD: dropped with its scopes */
	VTD_DMAR_WARN_DRHD_INCLUDE_ALL,	/* second INCLUDE_PCI_ALL unit of a
					 * segment: kept, flag cleared */
	VTD_DMAR_WARN_RMRR_ALIGN,	/* base or limit + 1 not 4 KiB
					 * aligned: rounded out to pages */
	VTD_DMAR_WARN_RMRR_RANGE,	/* limit below base: RMRR dropped */
	VTD_DMAR_WARN_SCOPE_TYPE,	/* scope type 0 or above 5: skipped */
	VTD_DMAR_WARN_SCOPE_EMPTY,	/* scope without a path: skipped */
	VTD_DMAR_WARN_COUNT		/* number of kinds */
};

struct vtd_dmar_warning {
	enum vtd_dmar_warn kind;
	u32 offset;			/* byte offset in the table */
};

/* [VT-d 8.1] DMAR table header flags. */
#define VTD_DMAR_FLAG_INTR_REMAP		BIT(0)
#define VTD_DMAR_FLAG_X2APIC_OPT_OUT		BIT(1)
#define VTD_DMAR_FLAG_DMA_CTRL_PLATFORM_OPT_IN	BIT(2)

struct vtd_dmar {
	u8 haw;				/* host address width in bits */
	u8 flags;			/* VTD_DMAR_FLAG_* */
	u32 drhd_count, rmrr_count, atsr_count, rhsa_count;
	u32 andd_count, satc_count, sidp_count;
	u32 unknown_count;		/* well-formed structures skipped */
	/* Deviations accepted, in table order (none in strict mode). */
	u32 warning_count;
	const struct vtd_dmar_warning *warnings;
	struct vtd_dmar_drhd *drhds;
	struct vtd_dmar_rmrr *rmrrs;
	struct vtd_dmar_atsr *atsrs;
	struct vtd_dmar_rhsa *rhsas;
	struct vtd_dmar_andd *andds;
	struct vtd_dmar_satc *satcs;
	struct vtd_dmar_sidp *sidps;
	/* Private: the block everything above points into. */
	void *storage;
	unsigned int storage_order;
};

/**
 * vtd_dmar_parse() - Validate an ACPI DMAR table and build its structures.
 * @table: the table, from its "DMAR" signature.
 * @len: bytes readable at @table; the header's length must not exceed it.
 * @max_units: most DRHD structures accepted (1..CONFIG_VTD_MAX_UNITS);
 *	the unit array itself is sized from the table.
 * @flags: 0 or VTD_DMAR_PARSE_STRICT.
 * @out: filled on success; zeroed on failure.
 * @err: optional; receives the reason and table offset on failure.
 *
 * Every byte read lies inside the first min(@len, header length) bytes, and
 * @table needs no alignment. Unknown structure types with a valid length
 * are skipped and counted. The table must hold at least one DRHD.
 *
 * Deviations from [VT-d 8] that cannot let a device reach memory the
 * firmware did not name, nor leave a device behind a unit the result does
 * not list, are accepted: each is recorded in @out->warnings (kind and
 * offset) and the result holds what docs/FIRMWARE.md says (an RMRR rounded
 * out to whole pages, a scope skipped, the walk ended, ...). With
 * VTD_DMAR_PARSE_STRICT the first deviation refuses the table instead,
 * with the reason and offset of its warning.
 *
 * Return: 0; -EINVAL for bad arguments or a malformed table; -EBADMSG for
 * a bad signature (or, strict, checksum); -E2BIG for more than @max_units
 * DRHDs; -ENOMEM when the structures cannot be allocated.
 * Context: any; allocates with hal_page_alloc() only after the whole table
 * has been validated, once.
 */
int vtd_dmar_parse(const void *table, size_t len, u32 max_units, u32 flags,
		   struct vtd_dmar *out, struct vtd_dmar_error *err);

/*
 * Secondary bus number of the PCI-to-PCI bridge at (@segment, @bus,
 * @dev, @fn), from the caller's PCI enumeration (the bridge's config
 * register at 0x19 [PCI-to-PCI Bridge 3.2.5.3]); negative when there is
 * no such bridge.
 */
typedef int (*vtd_dmar_bus_fn)(void *ctx, u16 segment, u8 bus, u8 dev,
			       u8 fn);

/**
 * vtd_dmar_scope_sid() - The source ID a PCI device scope names
 * [VT-d 8.3.1]: start at the scope's bus, and for every hop but the last
 * move to the secondary bus of the bridge at that hop.
 * @s: an endpoint or bridge scope.
 * @segment: the scope's PCI segment.
 * @bus_fn: resolves bridges; may be NULL when every path has one hop.
 * @ctx: passed to @bus_fn.
 *
 * Return: the source ID (bus << 8 | dev << 3 | fn); -EINVAL when @s is
 * not a PCI scope; -ENODEV when a hop needs @bus_fn and there is none,
 * or @bus_fn finds no bridge there.
 */
int vtd_dmar_scope_sid(const struct vtd_dmar_scope *s, u16 segment,
		       vtd_dmar_bus_fn bus_fn, void *ctx);

/**
 * vtd_dmar_drhd_for_sid() - Which unit translates @sid of @segment
 * [VT-d 8.3.1]: the DRHD whose device scope names it (an endpoint, or a
 * bridge whose secondary bus it is on, found with @bus_fn), else the
 * segment's INCLUDE_PCI_ALL unit. Devices deeper under a bridge than its
 * secondary bus are matched by INCLUDE_PCI_ALL only.
 *
 * Return: the index in @d->drhds; -ENODEV when no unit covers @sid;
 * -EINVAL.
 */
int vtd_dmar_drhd_for_sid(const struct vtd_dmar *d, u16 segment, u16 sid,
			  vtd_dmar_bus_fn bus_fn, void *ctx);

/** vtd_dmar_free() - Free what vtd_dmar_parse() built; @d is zeroed. */
void vtd_dmar_free(struct vtd_dmar *d);

/** vtd_dmar_strerror() - Text of a parse error, for logs (never NULL). */
const char *vtd_dmar_strerror(enum vtd_dmar_err e);

/**
 * vtd_dmar_strwarn() - Text of an accepted deviation and of what was used
 * instead, for logs (never NULL).
 */
const char *vtd_dmar_strwarn(enum vtd_dmar_warn w);

/**
 * vtd_dmar_log() - Log every structure of @d (units, scopes, RMRRs, ...)
 * through hal_log() at HAL_LOG_INFO, then each accepted deviation at
 * HAL_LOG_WARN. A scope path prints as
 * "SS:DD.F -> DD.F": the start bus, then the device and function of each
 * hop (later buses are assigned by bridges at run time).
 */
void vtd_dmar_log(const struct vtd_dmar *d);
