// SPDX-License-Identifier: BSD-2-Clause
/*
 * The demo (command line word "demo"): find the firmware's DMAR table,
 * parse it with vtd_dmar_parse() and log it with vtd_dmar_log(), then for
 * each remapping unit map its register window and decode its Version,
 * Capability and Extended Capability registers [VT-d 11.4.1-11.4.3] with
 * vtd_caps_log(). It ends the run with the pass code when all of that
 * worked.
 */
#include <hal/errno.h>
#include <hal/log.h>
#include <hal/mem.h>
#include <hal/mmio.h>
#include <hal/types.h>

#include <vtd/caps.h>
#include <vtd/dmar.h>

#include <arch/acpi.h>
#include <arch/console.h>
#include <arch/exit.h>

#include "boot.h"

/* [VT-d 11.4.1-11.4.3] The first three registers of every unit. */
#define VTD_VER_REG		0x000	/* 32-bit */
#define VTD_CAP_REG		0x008	/* 64-bit */
#define VTD_ECAP_REG		0x010	/* 64-bit */

static int show_unit(const struct vtd_dmar_drhd *u)
{
	u64 size = u->reg_size ? u->reg_size : HAL_PAGE_SIZE;
	struct hal_mmio *r;
	u32 ver;
	u64 cap, ecap;

	r = hal_mmio_map(hal_paddr_init(u->reg_base), size);
	if (!r) {
		x86_printf("demo: cannot map unit at 0x%llx\n",
			   (unsigned long long)u->reg_base);
		return -ENOMEM;
	}
	ver = hal_mmio_read32(r, VTD_VER_REG);
	cap = hal_mmio_read64(r, VTD_CAP_REG);
	ecap = hal_mmio_read64(r, VTD_ECAP_REG);
	x86_printf("demo: unit at 0x%llx (segment %u%s)\n",
		   (unsigned long long)u->reg_base, u->segment,
		   u->include_pci_all ? ", INCLUDE_PCI_ALL" : "");
	vtd_caps_log(ver, cap, ecap);
	hal_mmio_unmap(r);
	return 0;
}

void boot_demo(void)
{
	const struct x86_acpi_header *t = x86_acpi_find("DMAR", 0);
	struct vtd_dmar_error err = { 0 };
	struct vtd_dmar d;
	bool ok = true;
	u32 i;
	int ret;

	x86_printf("demo: libvtd DMAR and capability decoding\n");
	if (!t) {
		x86_printf("demo: no DMAR table\n");
		x86_exit(false);
	}
	x86_printf("demo: DMAR at %p, %u bytes\n", (const void *)t, t->length);
	ret = vtd_dmar_parse(t, t->length, CONFIG_VTD_MAX_UNITS, 0, &d, &err);
	if (ret) {
		x86_printf("demo: vtd_dmar_parse: %d (%s at offset %u)\n", ret,
			   vtd_dmar_strerror(err.reason), err.offset);
		x86_exit(false);
	}
	vtd_dmar_log(&d);
	for (i = 0; i < d.drhd_count; i++) {
		if (show_unit(&d.drhds[i]))
			ok = false;
	}
	vtd_dmar_free(&d);
	x86_printf("demo: %s\n", ok ? "done" : "failed");
	x86_exit(ok);
}
