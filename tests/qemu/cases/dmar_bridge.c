// SPDX-License-Identifier: BSD-2-Clause
/*
 * Boot test of device scopes behind bridges [VT-d 8.3.1]: a scope's path
 * names the first hop on its start bus and every later hop on the
 * secondary bus of the bridge the hop before names, which only PCI
 * configuration space can tell. tests/qemu/run puts a second edu behind
 * a pcie-root-port; the case builds a DMAR table whose RMRR names that
 * edu by a two-hop path (root port, then edu), resolves it with
 * vtd_dmar_scope_sid() and the test kernel's x86_pci_secondary_bus(),
 * and checks the result against the source ID QEMU's DMA carries: with
 * the RMRR identity-mapped by vtd_rmrr_map() (which finds it by the same
 * path) and edu attached at the resolved SID, edu copies bytes through
 * the identity map (only a context entry at its real SID lets that DMA
 * through), and a transfer outside the RMRR leaves a fault record with
 * that SID.
 *
 * Booted without an edu behind a bridge the case is skipped.
 */
#include <hal/bits.h>
#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <hal/types.h>

#include <vtd/dmar.h>
#include <vtd/domain.h>
#include <vtd/vtd.h>

#include <arch/console.h>
#include <arch/pci_cfg.h>

#include <boot_test/boot_test.h>
#include <boot_test/edu.h>

#define SZ_4K			0x1000ULL
#define EDU_MAX_INSTANCES	8
/* An IOVA the case never maps: a transfer there must fault. */
#define UNMAPPED_IOVA		0x7f000000ULL

/*
 * What QEMU prints for edu's blocked DMA (as in dma.c; docs/QEMU.md):
 * the first translation failure, the later 4-byte pieces that fault
 * record compression drops, each refused access in the -d guest_errors
 * log, and, since this case polls with the fault event masked, the event
 * it does not send.
 */
#define QEMU_XLATE_FAILURE	"vtd_iommu_translate: detected translation failure"
#define QEMU_SLPTE_ERROR	"vtd_iova_to_slpte: detected slpte permission error"
#define QEMU_FAULT_COMPRESSED	"New fault is not recorded due to compression of faults"
#define QEMU_DMA_REJECTED	"region '(null)', reason: rejected"
#define QEMU_EVENT_MASKED	"Interrupt Mask set, irq is not generated"

struct bridge_env {
	struct edu edu;
	u16 bridge;			/* root port above edu */
	u16 bridge_cmd;			/* its command register before */
	bool bridge_saved;
	u8 *table;			/* the DMAR table the case builds */
	u8 *rmrr;			/* the RMRR's page */
	struct vtd_dmar fw, mine;
	bool have_fw, have_mine;
	struct vtd_unit *u;
	struct vtd_domain *dom;
	u16 sid;
	bool attached;
	struct vtd_fault faults[4];
	u32 fault_count;
};

static struct bridge_env benv;

static void fault_cb(void *ctx, struct vtd_unit *u, const struct vtd_fault *f)
{
	struct bridge_env *e = ctx;

	if (e->fault_count < ARRAY_SIZE(e->faults)) {
		e->faults[e->fault_count] = *f;
	}
	e->fault_count++;
}

/* The first edu function that is not on bus 0, or false. */
static bool find_bridged_edu(u16 *bdf)
{
	u32 i;

	for (i = 0; i < EDU_MAX_INSTANCES; i++) {
		if (x86_pci_find(EDU_VENDOR, EDU_DEVICE, i, bdf)) {
			return false;
		}
		if (X86_PCI_BUS(*bdf) != 0) {
			return true;
		}
	}
	return false;
}

/* The bridge on bus 0 whose secondary bus is @bus, or false. */
static bool find_bus0_bridge(u8 bus, u16 *bridge)
{
	u8 dev, fn;

	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			u16 bdf = X86_PCI_BDF(0, dev, fn);

			u8 hdr = x86_pci_read8(bdf, X86_PCI_HEADER_TYPE);

			/*
			 * [PCI-PCI Bridge 3.2] A type-1 header onto @bus, read
			 * here directly: x86_pci_secondary_bus() is under test.
			 */
			if (x86_pci_read16(bdf, X86_PCI_VENDOR_ID) == 0xffff ||
			    FIELD_GET(X86_PCI_HEADER_LAYOUT, hdr) != 1 ||
			    x86_pci_read8(bdf, X86_PCI_SECONDARY_BUS) != bus) {
				continue;
			}
			*bridge = bdf;
			return true;
		}
	}
	return false;
}

static void put_le(u8 *p, u64 v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		p[i] = (u8)(v >> (8 * i));
	}
}

/*
 * A DMAR table [VT-d 8.1-8.4] in @t: one INCLUDE_PCI_ALL DRHD at
 * @drhd_base and one RMRR over the page at @rmrr whose only scope is the
 * PCI endpoint at bus 0 path (@bridge's dev.fn, @edu's dev.fn). Returns
 * its length.
 */
static u32 build_table(u8 *t, u64 drhd_base, u64 rmrr, u16 bridge, u16 edu)
{
	u32 len = 48 + 16 + 24 + 10;
	u8 *s, sum = 0;
	u32 i;

	hal_memset(t, 0, len);
	hal_memcpy(t, "DMAR", 4);
	put_le(t + 4, len, 4);
	t[8] = 1;				/* revision */
	hal_memcpy(t + 10, "LIBVTD", 6);
	t[36] = 38;				/* HAW 39 bits */
	s = t + 48;				/* [VT-d 8.3] DRHD */
	put_le(s + 0, 0, 2);
	put_le(s + 2, 16, 2);
	s[4] = 1;				/* INCLUDE_PCI_ALL */
	put_le(s + 8, drhd_base, 8);
	s = t + 64;				/* [VT-d 8.4] RMRR */
	put_le(s + 0, 1, 2);
	put_le(s + 2, 24 + 10, 2);
	put_le(s + 8, rmrr, 8);
	put_le(s + 16, rmrr + SZ_4K - 1, 8);
	s = t + 88;				/* [VT-d 8.3.1] scope */
	s[0] = VTD_DMAR_SCOPE_PCI_ENDPOINT;
	s[1] = 10;
	s[5] = 0;				/* start bus */
	s[6] = X86_PCI_DEV(bridge);
	s[7] = X86_PCI_FN(bridge);
	s[8] = X86_PCI_DEV(edu);
	s[9] = X86_PCI_FN(edu);
	for (i = 0; i < len; i++) {
		sum = (u8)(sum + t[i]);
	}
	t[9] = (u8)-sum;
	return len;
}

static void bridge_down(struct boot_test_ctx *t, struct bridge_env *e)
{
	int ret;

	if (e->attached) {
		ret = vtd_device_detach(e->u, e->sid);
		if (ret && !t->failed) {
			boot_test_fail(t, __FILE__, __LINE__,
				       "vtd_device_detach: %d", ret);
		}
	}
	if (e->dom && vtd_domain_destroy(e->dom) && !t->failed) {
		boot_test_fail(t, __FILE__, __LINE__,
			       "vtd_domain_destroy failed");
	}
	if (e->u) {
		ret = vtd_unit_destroy(e->u);
		if (ret && !t->failed) {
			boot_test_fail(t, __FILE__, __LINE__,
				       "vtd_unit_destroy: %d", ret);
		}
	}
	if (e->have_mine) {
		vtd_dmar_free(&e->mine);
	}
	if (e->have_fw) {
		vtd_dmar_free(&e->fw);
	}
	edu_close(&e->edu);
	if (e->bridge_saved) {
		x86_pci_write16(e->bridge, X86_PCI_COMMAND, e->bridge_cmd);
	}
	if (e->rmrr) {
		hal_page_free(e->rmrr, 0);
	}
	if (e->table) {
		hal_page_free(e->table, 0);
	}
	hal_memset(e, 0, sizeof(*e));
}

static void bridge_body(struct boot_test_ctx *t, struct bridge_env *e)
{
	const struct x86_acpi_header *fw = boot_test_dmar();
	struct vtd_unit_params p = { 0 };
	struct vtd_dmar_error err = { 0 };
	const struct vtd_dmar_scope *s;
	u16 edu_bdf, bridge;
	hal_paddr_t pa;
	u64 rmrr_pa;
	u32 len, prot;
	int sid, type, ret;

	if (!find_bridged_edu(&edu_bdf)) {
		BT_SKIP(t, "no edu behind a PCI bridge (tests/qemu/run "
			"adds one behind a pcie-root-port)");
	}
	if (!find_bus0_bridge(X86_PCI_BUS(edu_bdf), &bridge)) {
		BT_SKIP(t, "edu at %02x:%02x.%x is not right below a bus-0 "
			"bridge", X86_PCI_BUS(edu_bdf), X86_PCI_DEV(edu_bdf),
			X86_PCI_FN(edu_bdf));
	}
	BT_ASSERT(t, fw, "no DMAR table");
	ret = vtd_dmar_parse(fw, fw->length, CONFIG_VTD_MAX_UNITS, 0, &e->fw,
			     &err);
	BT_ASSERT(t, ret == 0, "firmware DMAR: %d (%s)", ret,
		  vtd_dmar_strerror(err.reason));
	e->have_fw = true;

	/* The table: an RMRR naming edu by root port, then edu. */
	e->table = hal_page_alloc(0);
	e->rmrr = hal_page_alloc(0);
	BT_ASSERT(t, e->table && e->rmrr, "out of pages");
	rmrr_pa = hal_paddr_val(hal_virt_to_phys(e->rmrr));
	len = build_table(e->table, e->fw.drhds[0].reg_base, rmrr_pa, bridge,
			  edu_bdf);
	ret = vtd_dmar_parse(e->table, len, CONFIG_VTD_MAX_UNITS,
			     VTD_DMAR_PARSE_STRICT, &e->mine, &err);
	BT_ASSERT(t, ret == 0, "built DMAR: %d (%s at offset %u)", ret,
		  vtd_dmar_strerror(err.reason), err.offset);
	e->have_mine = true;
	BT_ASSERT_EQ(t, e->mine.rmrr_count, 1);
	BT_ASSERT_EQ(t, e->mine.rmrrs[0].scope_count, 1);
	s = &e->mine.rmrrs[0].scopes[0];
	BT_ASSERT_EQ(t, s->path_count, 2);

	/* Resolution: impossible without the bridge's bus, exact with it. */
	BT_ASSERT_EQ(t, vtd_dmar_scope_sid(s, 0, NULL, NULL), -ENODEV);
	BT_ASSERT_EQ(t, x86_pci_secondary_bus(NULL, 0, 0, X86_PCI_DEV(bridge),
					      X86_PCI_FN(bridge)),
		     X86_PCI_BUS(edu_bdf));
	BT_ASSERT_EQ(t, x86_pci_secondary_bus(NULL, 1, 0, X86_PCI_DEV(bridge),
					      X86_PCI_FN(bridge)), -ENODEV);
	for (u8 dev = 0; dev < 32; dev++) {
		u16 bdf = X86_PCI_BDF(0, dev, 0);
		u8 hdr = x86_pci_read8(bdf, X86_PCI_HEADER_TYPE);

		/* Not a bridge (byte 0x19 is part of BAR2 there). */
		if (x86_pci_read16(bdf, X86_PCI_VENDOR_ID) != 0xffff &&
		    FIELD_GET(X86_PCI_HEADER_LAYOUT, hdr) == 0) {
			BT_ASSERT_EQ(t, x86_pci_secondary_bus(NULL, 0, 0, dev,
							      0), -ENODEV);
		}
	}
	BT_ASSERT_EQ(t, x86_pci_secondary_bus(NULL, 0, 0, 32, 0), -ENODEV);
	sid = vtd_dmar_scope_sid(s, 0, x86_pci_secondary_bus, NULL);
	x86_printf("dmar_bridge: edu %02x:%02x.%x behind %02x:%02x.%x, "
		   "path 00:%02x.%x -> %02x.%x resolves to SID 0x%04x\n",
		   X86_PCI_BUS(edu_bdf), X86_PCI_DEV(edu_bdf),
		   X86_PCI_FN(edu_bdf), X86_PCI_BUS(bridge),
		   X86_PCI_DEV(bridge), X86_PCI_FN(bridge), s->path[0].dev,
		   s->path[0].fn, s->path[1].dev, s->path[1].fn, sid);
	BT_ASSERT_EQ(t, sid, edu_bdf);
	e->sid = (u16)sid;

	/* The bridge forwards edu's DMA upstream [PCI-PCI Bridge 3.2.5.1]. */
	e->bridge = bridge;
	e->bridge_cmd = x86_pci_read16(bridge, X86_PCI_COMMAND);
	e->bridge_saved = true;
	x86_pci_write16(bridge, X86_PCI_COMMAND, e->bridge_cmd |
			X86_PCI_COMMAND_MEMORY | X86_PCI_COMMAND_MASTER);
	BT_ASSERT_OK(t, edu_open_bdf(&e->edu, edu_bdf));

	/* A unit from the firmware's table; faults are polled. */
	p.fault_fn = fault_cb;
	p.fault_ctx = e;
	BT_ASSERT_OK(t, vtd_unit_create(&e->fw.drhds[0], &p, &e->u));
	BT_ASSERT_OK(t, vtd_unit_enable(e->u));
	type = vtd_unit_paging_type(e->u);
	BT_ASSERT(t, type >= 0, "no paging type: %d", type);
	BT_ASSERT_OK(t, vtd_domain_create(e->u, (enum vtd_domain_type)type,
					  0, &e->dom));
	/*
	 * Map the RMRRs that name the resolved SID (found by the same path)
	 * and attach that SID.
	 */
	BT_ASSERT_OK(t, vtd_rmrr_map(e->dom, e->u, e->sid, &e->mine,
				     x86_pci_secondary_bus, NULL));
	BT_ASSERT_OK(t, vtd_device_attach(e->u, e->sid, e->dom, NULL));
	e->attached = true;
	BT_ASSERT_OK(t, vtd_domain_lookup(e->dom, vtd_iova_init(rmrr_pa), &pa,
					  &prot));
	BT_ASSERT_EQ(t, hal_paddr_val(pa), rmrr_pa);
	BT_ASSERT_EQ(t, prot, VTD_PROT_READ | VTD_PROT_WRITE);

	/* edu reads 256 bytes of the RMRR page and writes them back. */
	for (u32 i = 0; i < 256; i++) {
		e->rmrr[i] = (u8)(0x5a ^ i * 7);
	}
	hal_memset(e->rmrr + 0x800, 0xa5, 0x800);
	BT_ASSERT_OK(t, edu_dma(&e->edu, rmrr_pa, 0, 256, EDU_TO_DEVICE,
				EDU_DMA_TIMEOUT_NS));
	BT_ASSERT_OK(t, edu_dma(&e->edu, rmrr_pa + 0x900, 0, 256,
				EDU_FROM_DEVICE, EDU_DMA_TIMEOUT_NS));
	vtd_fault_handle(e->u);
	BT_ASSERT(t, e->fault_count == 0, "fault sid %04x addr 0x%llx fr "
		  "0x%x through the RMRR", e->faults[0].sid,
		  (unsigned long long)e->faults[0].addr, e->faults[0].reason);
	BT_ASSERT(t, hal_memcmp(e->rmrr + 0x900, e->rmrr, 256) == 0,
		  "bytes did not arrive through the RMRR's identity map");
	BT_ASSERT(t, e->rmrr[0x8ff] == 0xa5 && e->rmrr[0xa00] == 0xa5,
		  "bytes around the copy changed");

	/* Outside the RMRR: blocked, recorded with edu's SID. */
	x86_printf("QEMU-EXPECT: %s\n", QEMU_XLATE_FAILURE);
	x86_printf("QEMU-EXPECT: %s\n", QEMU_SLPTE_ERROR);
	x86_printf("QEMU-EXPECT: %s\n", QEMU_FAULT_COMPRESSED);
	x86_printf("QEMU-EXPECT: %s\n", QEMU_DMA_REJECTED);
	x86_printf("QEMU-EXPECT: %s\n", QEMU_EVENT_MASKED);
	BT_ASSERT_OK(t, edu_dma(&e->edu, UNMAPPED_IOVA, 0, 64,
				EDU_FROM_DEVICE, EDU_DMA_TIMEOUT_NS));
	vtd_fault_handle(e->u);
	BT_ASSERT_EQ(t, e->fault_count, 1);
	BT_ASSERT_EQ(t, e->faults[0].sid, e->sid);
	BT_ASSERT_EQ(t, e->faults[0].addr, UNMAPPED_IOVA);
	BT_ASSERT(t, e->faults[0].write, "fault is not a write");
}

BOOT_TEST_F(dmar_bridge, rmrr_two_hop_sid, BOOT_TEST_NEEDS_DMAR)
{
	hal_memset(&benv, 0, sizeof(benv));
	bridge_body(t, &benv);
	bridge_down(t, &benv);
}
