// SPDX-License-Identifier: BSD-2-Clause
/*
 * The in-memory formats of vtd/tables.h (root, context, PASID entries)
 * and vtd/qi.h (invalidation descriptors), checked field by field against
 * a second public source: the bit positions that Linux's
 * drivers/iommu/intel/iommu.h and pasid.h (QI_*, context and PASID
 * helpers) and QEMU's hw/i386/intel_iommu_internal.h (VTD_*) use for the
 * same fields, written here as plain shifts and widths. Then whole
 * descriptors built by the qi.h builders are compared with the values
 * those sources would build.
 */
#include "vtd_test.h"

#include <vtd/hw/qi.h>
#include <vtd/hw/tables.h>

/* Root and context entries: QEMU VTD_ROOT_ENTRY_*, VTD_CONTEXT_ENTRY_*. */
static void test_tables_root_context(void **state)
{
	static const struct field_check f[] = {
		FIELD_SHIFT(VTD_ROOT_LO_P, 0, 1),	/* VTD_ROOT_ENTRY_P */
		FIELD_SHIFT(VTD_ROOT_LO_CTP, 12, 52),	/* VTD_ROOT_ENTRY_CTP */
		FIELD_SHIFT(VTD_SM_ROOT_LO_LP, 0, 1),
		FIELD_SHIFT(VTD_SM_ROOT_LO_LCTP, 12, 52),
		FIELD_SHIFT(VTD_SM_ROOT_HI_UP, 0, 1),
		FIELD_SHIFT(VTD_SM_ROOT_HI_UCTP, 12, 52),
		/* VTD_CONTEXT_ENTRY_P */
		FIELD_SHIFT(VTD_CTX_LO_P, 0, 1),
		/* VTD_CONTEXT_ENTRY_FPD */
		FIELD_SHIFT(VTD_CTX_LO_FPD, 1, 1),
		FIELD_SHIFT(VTD_CTX_LO_TT, 2, 2),	/* 3ULL << 2 */
		/* VTD_CONTEXT_ENTRY_SLPTPTR */
		FIELD_SHIFT(VTD_CTX_LO_SLPTPTR, 12, 52),
		/* VTD_CONTEXT_ENTRY_AW 7 */
		FIELD_SHIFT(VTD_CTX_HI_AW, 0, 3),
		FIELD_SHIFT(VTD_CTX_HI_DID, 8, 16),	/* (hi >> 8) & 0xffff */
		FIELD_SHIFT(VTD_SM_CTX_Q0_P, 0, 1),
		FIELD_SHIFT(VTD_SM_CTX_Q0_FPD, 1, 1),
		/* Linux context_set_sm_dte */
		FIELD_SHIFT(VTD_SM_CTX_Q0_DTE, 2, 1),
		FIELD_SHIFT(VTD_SM_CTX_Q0_PASIDE, 3, 1),
		/* Linux context_set_sm_pre */
		FIELD_SHIFT(VTD_SM_CTX_Q0_PRE, 4, 1),
		FIELD_SHIFT(VTD_SM_CTX_Q0_PDTS, 9, 3),	/* (val >> 9) & 7 */
		FIELD_SHIFT(VTD_SM_CTX_Q0_PDP, 12, 52),
		/* RID2PASID_MASK 0xfffff */
		FIELD_SHIFT(VTD_SM_CTX_Q1_RID_PASID, 0, 20),
	};

	check_fields(f, ARRAY_SIZE(f));
	assert_int_equal(VTD_CTX_TT_PT, 2);		/* VTD_CONTEXT_TT_PASS_THROUGH */
	assert_int_equal(VTD_CTX_TT_SL_DEVTLB, 1);	/* VTD_CONTEXT_TT_DEV_IOTLB */
}

/* PASID directory and table entries: Linux pasid.h, QEMU VTD_SM_PASID_*. */
static void test_tables_pasid(void **state)
{
	static const struct field_check f[] = {
		FIELD_SHIFT(VTD_PDE_P, 0, 1),	/* PASID_PTE_PRESENT */
		FIELD_SHIFT(VTD_PDE_FPD, 1, 1),	/* VTD_PASID_DIR_FPD */
		FIELD_SHIFT(VTD_PDE_SMPTBLPTR, 12, 52),	/* PDE_PFN_MASK */
		FIELD_SHIFT(VTD_PE_Q0_P, 0, 1),
		FIELD_SHIFT(VTD_PE_Q0_FPD, 1, 1),	/* PASID_PTE_FPD */
		/* pasid_set_address_width */
		FIELD_SHIFT(VTD_PE_Q0_AW, 2, 3),
		/* pasid_set_translation_type */
		FIELD_SHIFT(VTD_PE_Q0_PGTT, 6, 3),
		FIELD_SHIFT(VTD_PE_Q0_SLPTPTR, 12, 52),	/* pasid_set_slptr */
		/* pasid_set_domain_id */
		FIELD_SHIFT(VTD_PE_Q1_DID, 0, 16),
		/* pasid_set_page_snoop */
		FIELD_SHIFT(VTD_PE_Q1_PWSNP, 23, 1),
		FIELD_SHIFT(VTD_PE_Q1_PGSNP, 24, 1),	/* pasid_set_pgsnp */
		FIELD_SHIFT(VTD_PE_Q2_SRE, 0, 1),	/* pasid_set_sre */
		FIELD_SHIFT(VTD_PE_Q2_FLPM, 2, 2),	/* pasid_set_flpm */
		FIELD_SHIFT(VTD_PE_Q2_WPE, 4, 1),	/* pasid_set_wpe */
		FIELD_SHIFT(VTD_PE_Q2_FLPTPTR, 12, 52),	/* pasid_set_flptr */
	};

	check_fields(f, ARRAY_SIZE(f));
	/* PASID_ENTRY_PGTT_FL_ONLY 1, SL_ONLY 2, NESTED 3, PT 4. */
	assert_int_equal(VTD_PE_PGTT_FL, 1);
	assert_int_equal(VTD_PE_PGTT_SL, 2);
	assert_int_equal(VTD_PE_PGTT_NESTED, 3);
	assert_int_equal(VTD_PE_PGTT_PT, 4);
	assert_int_equal(VTD_PASID_DIR_SHIFT, 6);	/* PASID_PDE_SHIFT */
	assert_int_equal(VTD_PASID_TABLE_ENTRIES, 64);	/* PASID_TBL_ENTRIES */
}

/* Descriptor fields: Linux QI_* macros. */
static void test_tables_descriptor_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_SHIFT(VTD_QI_CC_G, 4, 2),	/* QI_CC_GRAN(g) << 4 */
		FIELD_SHIFT(VTD_QI_CC_DID, 16, 16),	/* QI_CC_DID(d) << 16 */
		FIELD_SHIFT(VTD_QI_CC_SID, 32, 16),	/* QI_CC_SID(s) << 32 */
		FIELD_SHIFT(VTD_QI_CC_FM, 48, 2),	/* QI_CC_FM(fm) << 48 */
		FIELD_SHIFT(VTD_QI_IOTLB_G, 4, 2),	/* QI_IOTLB_GRAN */
		FIELD_SHIFT(VTD_QI_IOTLB_DW, 6, 1),	/* QI_IOTLB_DW */
		FIELD_SHIFT(VTD_QI_IOTLB_DR, 7, 1),	/* QI_IOTLB_DR */
		FIELD_SHIFT(VTD_QI_IOTLB_DID, 16, 16),	/* QI_IOTLB_DID */
		FIELD_SHIFT(VTD_QI_IOTLB_HI_AM, 0, 6),	/* QI_IOTLB_AM */
		FIELD_SHIFT(VTD_QI_IOTLB_HI_IH, 6, 1),	/* QI_IOTLB_IH << 6 */
		/* QI_IOTLB_ADDR */
		FIELD_SHIFT(VTD_QI_IOTLB_HI_ADDR, 12, 52),
		/* QI_DEV_IOTLB_PFSID */
		FIELD_SHIFT(VTD_QI_DEV_PFSID_LO, 12, 4),
		/* QI_DEV_IOTLB_QDEP << 16 */
		FIELD_SHIFT(VTD_QI_DEV_MIP, 16, 5),
		/* QI_DEV_IOTLB_SID << 32 */
		FIELD_SHIFT(VTD_QI_DEV_SID, 32, 16),
		FIELD_SHIFT(VTD_QI_DEV_PFSID_HI, 52, 12),
		FIELD_SHIFT(VTD_QI_DEV_HI_S, 0, 1),	/* QI_DEV_IOTLB_SIZE */
		FIELD_SHIFT(VTD_QI_IEC_G, 4, 1),	/* QI_IEC_SELECTIVE */
		FIELD_SHIFT(VTD_QI_IEC_IM, 27, 5),	/* QI_IEC_IM(m) << 27 */
		/* QI_IEC_IIDX(i) << 32 */
		FIELD_SHIFT(VTD_QI_IEC_IIDX, 32, 16),
		FIELD_SHIFT(VTD_QI_WAIT_IF, 4, 1),	/* QI_IWD_STATUS_... */
		/* QI_IWD_STATUS_WRITE */
		FIELD_SHIFT(VTD_QI_WAIT_SW, 5, 1),
		FIELD_SHIFT(VTD_QI_WAIT_FN, 6, 1),	/* QI_IWD_FENCE */
		FIELD_SHIFT(VTD_QI_WAIT_PD, 7, 1),	/* QI_IWD_PRQ_DRAIN */
		FIELD_SHIFT(VTD_QI_WAIT_SDATA, 32, 32),	/* QI_IWD_STATUS_DATA */
		FIELD_SHIFT(VTD_QI_WAIT_HI_SADDR, 2, 62),
		FIELD_SHIFT(VTD_QI_PIOTLB_G, 4, 2),	/* QI_EIOTLB_GRAN */
		FIELD_SHIFT(VTD_QI_PIOTLB_DID, 16, 16),	/* QI_EIOTLB_DID */
		/* QI_EIOTLB_PASID */
		FIELD_SHIFT(VTD_QI_PIOTLB_PASID, 32, 20),
		FIELD_SHIFT(VTD_QI_PIOTLB_HI_AM, 0, 6),	/* QI_EIOTLB_AM */
		FIELD_SHIFT(VTD_QI_PIOTLB_HI_IH, 6, 1),	/* QI_EIOTLB_IH */
		/* QI_EIOTLB_ADDR */
		FIELD_SHIFT(VTD_QI_PIOTLB_HI_ADDR, 12, 52),
		FIELD_SHIFT(VTD_QI_PC_G, 4, 2),	/* QI_PC_GRAN */
		FIELD_SHIFT(VTD_QI_PC_DID, 16, 16),	/* QI_PC_DID */
		FIELD_SHIFT(VTD_QI_PC_PASID, 32, 20),	/* QI_PC_PASID */
		/* QI_DEV_EIOTLB_QDEP << 4 */
		FIELD_SHIFT(VTD_QI_PDEV_MIP, 4, 5),
		FIELD_SHIFT(VTD_QI_PDEV_PFSID_LO, 12, 4),
		/* QI_DEV_EIOTLB_SID << 16 */
		FIELD_SHIFT(VTD_QI_PDEV_SID, 16, 16),
		/* QI_DEV_EIOTLB_PASID */
		FIELD_SHIFT(VTD_QI_PDEV_PASID, 32, 20),
		FIELD_SHIFT(VTD_QI_PDEV_PFSID_HI, 52, 12),
		FIELD_SHIFT(VTD_QI_PDEV_HI_G, 0, 1),	/* QI_DEV_EIOTLB_GLOB */
		FIELD_SHIFT(VTD_QI_PDEV_HI_S, 11, 1),	/* QI_DEV_EIOTLB_SIZE */
		FIELD_SHIFT(VTD_QI_PDEV_HI_ADDR, 12, 52),
	};

	check_fields(f, ARRAY_SIZE(f));
	/* Types: QI_CC_TYPE 1 ... QI_DEIOTLB_TYPE 8. */
	assert_int_equal(VTD_QI_TYPE_CC, 1);
	assert_int_equal(VTD_QI_TYPE_IOTLB, 2);
	assert_int_equal(VTD_QI_TYPE_DEV_TLB, 3);
	assert_int_equal(VTD_QI_TYPE_IEC, 4);
	assert_int_equal(VTD_QI_TYPE_WAIT, 5);
	assert_int_equal(VTD_QI_TYPE_PIOTLB, 6);
	assert_int_equal(VTD_QI_TYPE_PC, 7);
	assert_int_equal(VTD_QI_TYPE_PDEV_TLB, 8);
	/* Linux QI_GRAN_NONG_PASID 2, QI_GRAN_PSI_PASID 3; QI_PC_ALL_PASIDS 0,
	 * QI_PC_PASID_SEL 1, QI_PC_GLOBAL 3. */
	assert_int_equal(VTD_QI_PIOTLB_G_PASID, 2);
	assert_int_equal(VTD_QI_PIOTLB_G_PAGE, 3);
	assert_int_equal(VTD_QI_PC_G_DOMAIN, 0);
	assert_int_equal(VTD_QI_PC_G_PASID, 1);
	assert_int_equal(VTD_QI_PC_G_GLOBAL, 3);
}

/* Whole descriptors, as the second source would build them. */
static void test_tables_descriptor_values(void **state)
{
	struct vtd_qi_desc d;

	d = vtd_qi_cc_device(0x1234, 0x00f8, 2);
	assert_int_equal(d.qw[0], 1 | 3ULL << 4 | 0x1234ULL << 16 |
				  0x00f8ULL << 32 | 2ULL << 48);
	assert_int_equal(d.qw[1], 0);
	d = vtd_qi_iotlb_page(7, 0x12345000, 3, true, true, true);
	assert_int_equal(d.qw[0], 2 | 3ULL << 4 | 1ULL << 6 | 1ULL << 7 |
				  7ULL << 16);
	assert_int_equal(d.qw[1], 0x12345000 | 1ULL << 6 | 3);
	d = vtd_qi_wait(true, false, false, 0xabcd, 0x7654321c);
	assert_int_equal(d.qw[0], 5 | 1ULL << 5 | 0xabcdULL << 32);
	assert_int_equal(d.qw[1], 0x7654321c);
	d = vtd_qi_piotlb_page(9, 0x12345, 0x40000000, 0, false);
	assert_int_equal(d.qw[0], 6 | 3ULL << 4 | 9ULL << 16 |
				  0x12345ULL << 32);
	assert_int_equal(d.qw[1], 0x40000000);
	d = vtd_qi_pc(VTD_QI_PC_G_PASID, 9, 0x12345);
	assert_int_equal(d.qw[0], 7 | 1ULL << 4 | 9ULL << 16 |
				  0x12345ULL << 32);
	/* Device TLB, 4 pages at 0x200000: S = 1, bit 12 set (QEMU
	 * vtd_process_device_iotlb_desc: size from trailing ones). */
	d = vtd_qi_dev_tlb(0x0018, 0x0123, 5, 0x200000, 2);
	assert_int_equal(d.qw[0], 3 | 0x3ULL << 12 | 5ULL << 16 |
				  0x0018ULL << 32 | 0x012ULL << 52);
	assert_int_equal(d.qw[1], 0x201000 | 1);
	d = vtd_qi_pdev_tlb(0x0018, 0x0018, 4, 0x55, true, 0x3000, 0);
	assert_int_equal(d.qw[0], 8 | 4ULL << 4 | 0x8ULL << 12 |
				  0x0018ULL << 16 | 0x55ULL << 32 |
				  0x001ULL << 52);
	assert_int_equal(d.qw[1], 0x3000 | 1);
	d = vtd_qi_iec_index(0x42, 3);
	assert_int_equal(d.qw[0], 4 | 1ULL << 4 | 3ULL << 27 |
				  0x42ULL << 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_root_context),
		cmocka_unit_test(test_tables_pasid),
		cmocka_unit_test(test_tables_descriptor_fields),
		cmocka_unit_test(test_tables_descriptor_values),
	};

	return cmocka_run_group_tests_name("vtd_tables", tests, NULL, NULL);
}
