// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tests of vtd/regs.h against two sources:
 *
 *  - the bit ranges and offsets of the register tables of [VT-d 11.4]
 *    (revision 5.10), typed in here again and compared with a mask built
 *    by a loop, not by GENMASK;
 *  - QEMU 7.2's emulated unit (docs/QEMU.md): its measured CAP, ECAP,
 *    CCMD/IOTLB read-backs and fault records, decoded with FIELD_GET and
 *    compared with what that document says they mean.
 */
#include <string.h>

#include "vtd_test.h"

#include <vtd/hw/regs.h>

/* [VT-d 11.4.1], [VT-d 11.4.2] */
static void test_regs_ver_cap_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_VER_MAX, 7, 4),
		FIELD_BITS(VTD_VER_MIN, 3, 0),
		FIELD_BITS(VTD_CAP_ND, 2, 0),
		FIELD_BITS(VTD_CAP_AFL, 3, 3),
		FIELD_BITS(VTD_CAP_RWBF, 4, 4),
		FIELD_BITS(VTD_CAP_PLMR, 5, 5),
		FIELD_BITS(VTD_CAP_PHMR, 6, 6),
		FIELD_BITS(VTD_CAP_CM, 7, 7),
		FIELD_BITS(VTD_CAP_SAGAW, 12, 8),
		FIELD_BITS(VTD_CAP_MGAW, 21, 16),
		FIELD_BITS(VTD_CAP_ZLR, 22, 22),
		FIELD_BITS(VTD_CAP_DEP23, 23, 23),
		FIELD_BITS(VTD_CAP_FRO, 33, 24),
		FIELD_BITS(VTD_CAP_SLLPS, 37, 34),
		FIELD_BITS(VTD_CAP_SLLPS, 37, 34),
		FIELD_BITS(VTD_CAP_PSI, 39, 39),
		FIELD_BITS(VTD_CAP_NFR, 47, 40),
		FIELD_BITS(VTD_CAP_MAMV, 53, 48),
		FIELD_BITS(VTD_CAP_DWD, 54, 54),
		FIELD_BITS(VTD_CAP_DRD, 55, 55),
		FIELD_BITS(VTD_CAP_FL1GP, 56, 56),
		FIELD_BITS(VTD_CAP_FL1GP, 56, 56),
		FIELD_BITS(VTD_CAP_PI, 59, 59),
		FIELD_BITS(VTD_CAP_FL5LP, 60, 60),
		FIELD_BITS(VTD_CAP_FL5LP, 60, 60),
		FIELD_BITS(VTD_CAP_ECMDS, 61, 61),
		FIELD_BITS(VTD_CAP_ESIRTPS, 62, 62),
		FIELD_BITS(VTD_CAP_ESRTPS, 63, 63),
		/* Encodings inside fields. */
		FIELD_BITS(VTD_CAP_SAGAW_39, 1, 1),
		FIELD_BITS(VTD_CAP_SAGAW_48, 2, 2),
		FIELD_BITS(VTD_CAP_SAGAW_57, 3, 3),
		FIELD_BITS(VTD_CAP_SLLPS_2M, 0, 0),
		FIELD_BITS(VTD_CAP_SLLPS_1G, 1, 1),
	};

	check_fields(f, ARRAY_SIZE(f));
}

/* [VT-d 11.4.3] */
static void test_regs_ecap_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_ECAP_C, 0, 0),
		FIELD_BITS(VTD_ECAP_QI, 1, 1),
		FIELD_BITS(VTD_ECAP_DT, 2, 2),
		FIELD_BITS(VTD_ECAP_IR, 3, 3),
		FIELD_BITS(VTD_ECAP_EIM, 4, 4),
		FIELD_BITS(VTD_ECAP_DEP5, 5, 5),
		FIELD_BITS(VTD_ECAP_PT, 6, 6),
		FIELD_BITS(VTD_ECAP_SC, 7, 7),
		FIELD_BITS(VTD_ECAP_IRO, 17, 8),
		FIELD_BITS(VTD_ECAP_MHMV, 23, 20),
		FIELD_BITS(VTD_ECAP_DEP24, 24, 24),
		FIELD_BITS(VTD_ECAP_MTS, 25, 25),
		FIELD_BITS(VTD_ECAP_NEST, 26, 26),
		FIELD_BITS(VTD_ECAP_DEP28, 28, 28),
		FIELD_BITS(VTD_ECAP_PRS, 29, 29),
		FIELD_BITS(VTD_ECAP_ERS, 30, 30),
		FIELD_BITS(VTD_ECAP_SRS, 31, 31),
		FIELD_BITS(VTD_ECAP_NWFS, 33, 33),
		FIELD_BITS(VTD_ECAP_EAFS, 34, 34),
		FIELD_BITS(VTD_ECAP_PSS, 39, 35),
		FIELD_BITS(VTD_ECAP_PASID, 40, 40),
		FIELD_BITS(VTD_ECAP_DIT, 41, 41),
		FIELD_BITS(VTD_ECAP_PDS, 42, 42),
		FIELD_BITS(VTD_ECAP_SMTS, 43, 43),
		FIELD_BITS(VTD_ECAP_VCS, 44, 44),
		FIELD_BITS(VTD_ECAP_SLADS, 45, 45),
		FIELD_BITS(VTD_ECAP_SLADS, 45, 45),
		FIELD_BITS(VTD_ECAP_SLTS, 46, 46),
		FIELD_BITS(VTD_ECAP_SLTS, 46, 46),
		FIELD_BITS(VTD_ECAP_FLTS, 47, 47),
		FIELD_BITS(VTD_ECAP_FLTS, 47, 47),
		FIELD_BITS(VTD_ECAP_SMPWCS, 48, 48),
		FIELD_BITS(VTD_ECAP_RPS, 49, 49),
		FIELD_BITS(VTD_ECAP_TDXCS, 50, 50),
		FIELD_BITS(VTD_ECAP_PMS, 51, 51),
		FIELD_BITS(VTD_ECAP_ADMS, 52, 52),
		FIELD_BITS(VTD_ECAP_RPRIVS, 53, 53),
		FIELD_BITS(VTD_ECAP_HPTS, 55, 55),
		FIELD_BITS(VTD_ECAP_PTRS, 56, 56),
		FIELD_BITS(VTD_ECAP_SSIRWS, 57, 57),
		FIELD_BITS(VTD_ECAP_SMS, 58, 58),
		FIELD_BITS(VTD_ECAP_HPT1GPS, 59, 59),
		FIELD_BITS(VTD_ECAP_RDTS, 60, 60),
		FIELD_BITS(VTD_ECAP_EIMER, 61, 61),
		FIELD_BITS(VTD_ECAP_IRREQ, 62, 62),
	};

	check_fields(f, ARRAY_SIZE(f));
}

/* [VT-d 11.4.4] - [VT-d 11.4.6] */
static void test_regs_command_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_GCMD_TE, 31, 31),
		FIELD_BITS(VTD_GCMD_SRTP, 30, 30),
		FIELD_BITS(VTD_GCMD_SFL, 29, 29),
		FIELD_BITS(VTD_GCMD_EAFL, 28, 28),
		FIELD_BITS(VTD_GCMD_WBF, 27, 27),
		FIELD_BITS(VTD_GCMD_QIE, 26, 26),
		FIELD_BITS(VTD_GCMD_IRE, 25, 25),
		FIELD_BITS(VTD_GCMD_SIRTP, 24, 24),
		FIELD_BITS(VTD_GCMD_CFI, 23, 23),
		FIELD_BITS(VTD_GSTS_TES, 31, 31),
		FIELD_BITS(VTD_GSTS_RTPS, 30, 30),
		FIELD_BITS(VTD_GSTS_FLS, 29, 29),
		FIELD_BITS(VTD_GSTS_AFLS, 28, 28),
		FIELD_BITS(VTD_GSTS_WBFS, 27, 27),
		FIELD_BITS(VTD_GSTS_QIES, 26, 26),
		FIELD_BITS(VTD_GSTS_IRES, 25, 25),
		FIELD_BITS(VTD_GSTS_IRTPS, 24, 24),
		FIELD_BITS(VTD_GSTS_CFIS, 23, 23),
		FIELD_BITS(VTD_RTADDR_RTA, 63, 12),
		FIELD_BITS(VTD_RTADDR_TTM, 11, 10),
		FIELD_BITS(VTD_RTADDR_SSIRWE, 7, 7),
		FIELD_BITS(VTD_CCMD_ICC, 63, 63),
		FIELD_BITS(VTD_CCMD_CIRG, 62, 61),
		FIELD_BITS(VTD_CCMD_CAIG, 60, 59),
		FIELD_BITS(VTD_CCMD_FM, 33, 32),
		FIELD_BITS(VTD_CCMD_SID, 31, 16),
		FIELD_BITS(VTD_CCMD_DID, 15, 0),
		FIELD_BITS(VTD_IOTLB_IVT, 63, 63),
		FIELD_BITS(VTD_IOTLB_IIRG, 61, 60),
		FIELD_BITS(VTD_IOTLB_IAIG, 58, 57),
		FIELD_BITS(VTD_IOTLB_DR, 49, 49),
		FIELD_BITS(VTD_IOTLB_DW, 48, 48),
		FIELD_BITS(VTD_IOTLB_DID, 47, 32),
		FIELD_BITS(VTD_IVA_ADDR, 63, 12),
		FIELD_BITS(VTD_IVA_IH, 6, 6),
		FIELD_BITS(VTD_IVA_AM, 5, 0),
	};

	check_fields(f, ARRAY_SIZE(f));
	/* [VT-d 11.4.4.1]: "Status = (Tmp & 96FFFFFFh)". */
	assert_int_equal(~VTD_GCMD_ONE_SHOT & 0xffffffffU, 0x96ffffffU);
	/* Each status bit sits where its command bit is. */
	assert_int_equal(VTD_GCMD_TE, VTD_GSTS_TES);
	assert_int_equal(VTD_GCMD_SRTP, VTD_GSTS_RTPS);
	assert_int_equal(VTD_GCMD_WBF, VTD_GSTS_WBFS);
	assert_int_equal(VTD_GCMD_QIE, VTD_GSTS_QIES);
	assert_int_equal(VTD_GCMD_IRE, VTD_GSTS_IRES);
	assert_int_equal(VTD_GCMD_SIRTP, VTD_GSTS_IRTPS);
	assert_int_equal(VTD_GCMD_CFI, VTD_GSTS_CFIS);
}

/* [VT-d 11.4.7] - [VT-d 11.4.11] */
static void test_regs_event_and_queue_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_FSTS_FRI, 15, 8),
		FIELD_BITS(VTD_FSTS_PRO, 7, 7),
		FIELD_BITS(VTD_FSTS_ITE, 6, 6),
		FIELD_BITS(VTD_FSTS_ICE, 5, 5),
		FIELD_BITS(VTD_FSTS_IQE, 4, 4),
		FIELD_BITS(VTD_FSTS_APF, 3, 3),
		FIELD_BITS(VTD_FSTS_AFO, 2, 2),
		FIELD_BITS(VTD_FSTS_PPF, 1, 1),
		FIELD_BITS(VTD_FSTS_PFO, 0, 0),
		FIELD_BITS(VTD_FECTL_IM, 31, 31),
		FIELD_BITS(VTD_FECTL_IP, 30, 30),
		FIELD_BITS(VTD_FEDATA_IMD, 15, 0),
		FIELD_BITS(VTD_FEADDR_MA, 31, 2),
		FIELD_BITS(VTD_FEUADDR_MUA, 31, 0),
		FIELD_BITS(VTD_AFLOG_FLA, 63, 12),
		FIELD_BITS(VTD_AFLOG_FLS, 11, 9),
		FIELD_BITS(VTD_PMEN_EPM, 31, 31),
		FIELD_BITS(VTD_PMEN_PRS, 0, 0),
		FIELD_BITS(VTD_IQH_QH, 18, 4),
		FIELD_BITS(VTD_IQT_QT, 18, 4),
		FIELD_BITS(VTD_IQA_IQA, 63, 12),
		FIELD_BITS(VTD_IQA_DW, 11, 11),
		FIELD_BITS(VTD_IQA_QS, 2, 0),
		FIELD_BITS(VTD_ICS_IWC, 0, 0),
		FIELD_BITS(VTD_IECTL_IM, 31, 31),
		FIELD_BITS(VTD_IECTL_IP, 30, 30),
		FIELD_BITS(VTD_IEDATA_IMD, 15, 0),
		FIELD_BITS(VTD_IEADDR_MA, 31, 2),
		FIELD_BITS(VTD_IEUADDR_MUA, 31, 0),
		FIELD_BITS(VTD_IQERCD_ICESID, 63, 48),
		FIELD_BITS(VTD_IQERCD_ITESID, 47, 32),
		FIELD_BITS(VTD_IQERCD_IQEI, 3, 0),
		FIELD_BITS(VTD_IRTA_IRTA, 63, 12),
		FIELD_BITS(VTD_IRTA_EIME, 11, 11),
		FIELD_BITS(VTD_IRTA_S, 3, 0),
		FIELD_BITS(VTD_PQH_PQH, 18, 5),
		FIELD_BITS(VTD_PQT_PQT, 18, 5),
		FIELD_BITS(VTD_PQA_PQA, 63, 12),
		FIELD_BITS(VTD_PQA_PQS, 2, 0),
		FIELD_BITS(VTD_PRS_PRO, 1, 1),
		FIELD_BITS(VTD_PRS_PPR, 0, 0),
		FIELD_BITS(VTD_PECTL_IM, 31, 31),
		FIELD_BITS(VTD_PECTL_IP, 30, 30),
		FIELD_BITS(VTD_PEDATA_IMD, 15, 0),
		FIELD_BITS(VTD_PEADDR_MA, 31, 2),
		FIELD_BITS(VTD_PEUADDR_MUA, 31, 0),
	};

	check_fields(f, ARRAY_SIZE(f));
}

/* [VT-d 11.4.12] - [VT-d 11.4.16] */
static void test_regs_mtrr_and_command_interface_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_MTRRCAP_WC, 10, 10),
		FIELD_BITS(VTD_MTRRCAP_FIX, 8, 8),
		FIELD_BITS(VTD_MTRRCAP_VCNT, 7, 0),
		FIELD_BITS(VTD_MTRRDEF_E, 11, 11),
		FIELD_BITS(VTD_MTRRDEF_FE, 10, 10),
		FIELD_BITS(VTD_MTRRDEF_TYPE, 7, 0),
		FIELD_BITS(VTD_MTRR_FIX_R0, 7, 0),
		FIELD_BITS(VTD_MTRR_PHYSBASE_PHYSBASE, 63, 12),
		FIELD_BITS(VTD_MTRR_PHYSBASE_TYPE, 7, 0),
		FIELD_BITS(VTD_MTRR_PHYSMASK_PHYSMASK, 63, 12),
		FIELD_BITS(VTD_MTRR_PHYSMASK_V, 11, 11),
		FIELD_BITS(VTD_ECRSP_RSLT, 63, 16),
		FIELD_BITS(VTD_ECRSP_SC, 7, 1),
		FIELD_BITS(VTD_ECRSP_IP, 0, 0),
		FIELD_BITS(VTD_RDTC_CLOS, 36, 32),
		FIELD_BITS(VTD_RDTC_RMID, 11, 0),
		FIELD_BITS(VTD_VCMD_OA, 63, 16),
		FIELD_BITS(VTD_VCMD_CMD, 7, 0),
		FIELD_BITS(VTD_VCMD_OA_PASID, 35, 16),
		FIELD_BITS(VTD_VCRSP_RSLT, 63, 16),
		FIELD_BITS(VTD_VCRSP_RSLT_PASID, 35, 16),
		FIELD_BITS(VTD_VCRSP_SC, 7, 1),
		FIELD_BITS(VTD_VCRSP_IP, 0, 0),
		FIELD_BITS(VTD_VCCAP_FPS, 2, 2),
		FIELD_BITS(VTD_VCCAP_PAS, 1, 1),
		FIELD_BITS(VTD_VCCAP_NS, 0, 0),
	};

	check_fields(f, ARRAY_SIZE(f));
}

/* [VT-d 11.4.7.6] Fault record, 128 bits: (qword, bit range within). */
static void test_regs_frcd_fields(void **state)
{
	static const struct field_check f[] = {
		FIELD_BITS(VTD_FRCD_LO_FI, 63, 12),	/* 63:12 */
		FIELD_BITS(VTD_FRCD_HI_SID, 79 - 64, 0),	/* 79:64 */
		FIELD_BITS(VTD_FRCD_HI_T2, 92 - 64, 92 - 64),
		FIELD_BITS(VTD_FRCD_HI_PRIV, 93 - 64, 93 - 64),
		FIELD_BITS(VTD_FRCD_HI_EXE, 94 - 64, 94 - 64),
		FIELD_BITS(VTD_FRCD_HI_PP, 95 - 64, 95 - 64),
		FIELD_BITS(VTD_FRCD_HI_FR, 103 - 64, 96 - 64),
		FIELD_BITS(VTD_FRCD_HI_PV, 123 - 64, 104 - 64),
		FIELD_BITS(VTD_FRCD_HI_AT, 125 - 64, 124 - 64),
		FIELD_BITS(VTD_FRCD_HI_T1, 126 - 64, 126 - 64),
		FIELD_BITS(VTD_FRCD_HI_T, 126 - 64, 126 - 64),
		FIELD_BITS(VTD_FRCD_HI_F, 127 - 64, 127 - 64),
	};

	check_fields(f, ARRAY_SIZE(f));
	assert_int_equal(VTD_FRCD_SIZE, 16);
	assert_int_equal(VTD_FRCD_HI_OFF, 8);
}

/* [VT-d 11.4] register summary table. */
static void test_regs_offsets(void **state)
{
	static const struct {
		const char *name;
		u32 off, want;
	} r[] = {
#define R(o, w) { #o, (o), (w) }
		R(VTD_VER_REG, 0x000), R(VTD_CAP_REG, 0x008),
		R(VTD_ECAP_REG, 0x010), R(VTD_GCMD_REG, 0x018),
		R(VTD_GSTS_REG, 0x01c), R(VTD_RTADDR_REG, 0x020),
		R(VTD_CCMD_REG, 0x028), R(VTD_FSTS_REG, 0x034),
		R(VTD_FECTL_REG, 0x038), R(VTD_FEDATA_REG, 0x03c),
		R(VTD_FEADDR_REG, 0x040), R(VTD_FEUADDR_REG, 0x044),
		R(VTD_AFLOG_REG, 0x058), R(VTD_PMEN_REG, 0x064),
		R(VTD_PLMBASE_REG, 0x068), R(VTD_PLMLIMIT_REG, 0x06c),
		R(VTD_PHMBASE_REG, 0x070), R(VTD_PHMLIMIT_REG, 0x078),
		R(VTD_IQH_REG, 0x080), R(VTD_IQT_REG, 0x088),
		R(VTD_IQA_REG, 0x090), R(VTD_ICS_REG, 0x09c),
		R(VTD_IECTL_REG, 0x0a0), R(VTD_IEDATA_REG, 0x0a4),
		R(VTD_IEADDR_REG, 0x0a8), R(VTD_IEUADDR_REG, 0x0ac),
		R(VTD_IQERCD_REG, 0x0b0), R(VTD_IRTA_REG, 0x0b8),
		R(VTD_PQH_REG, 0x0c0), R(VTD_PQT_REG, 0x0c8),
		R(VTD_PQA_REG, 0x0d0), R(VTD_PRS_REG, 0x0dc),
		R(VTD_PECTL_REG, 0x0e0), R(VTD_PEDATA_REG, 0x0e4),
		R(VTD_PEADDR_REG, 0x0e8), R(VTD_PEUADDR_REG, 0x0ec),
		R(VTD_MTRRCAP_REG, 0x100), R(VTD_MTRRDEF_REG, 0x108),
		R(VTD_MTRR_FIX64K_00000_REG, 0x120),
		R(VTD_MTRR_FIX16K_80000_REG, 0x128),
		R(VTD_MTRR_FIX16K_A0000_REG, 0x130),
		R(VTD_MTRR_FIX4K_C0000_REG, 0x138),
		R(VTD_MTRR_FIX4K_F8000_REG, 0x170),
		R(VTD_MTRR_PHYSBASE_REG(0), 0x180),
		R(VTD_MTRR_PHYSMASK_REG(0), 0x188),
		R(VTD_MTRR_PHYSBASE_REG(9), 0x210),
		R(VTD_MTRR_PHYSMASK_REG(9), 0x218),
		R(VTD_PERFCAP_REG, 0x300), R(VTD_PERFCFGOFF_REG, 0x310),
		R(VTD_PERFFRZOFF_REG, 0x314), R(VTD_PERFOVFOFF_REG, 0x318),
		R(VTD_PERFCNTROFF_REG, 0x31c), R(VTD_PERFINTRSTS_REG, 0x324),
		R(VTD_PERFINTRCTL_REG, 0x328), R(VTD_PERFINTRDATA_REG, 0x32c),
		R(VTD_PERFINTRADDR_REG, 0x330),
		R(VTD_PERFINTRUADDR_REG, 0x334),
		R(VTD_PERFEVNTCAP_REG, 0x380),
		R(VTD_ECMD_REG, 0x400), R(VTD_ECEO_REG, 0x408),
		R(VTD_ECRSP_REG, 0x410), R(VTD_ECSTS_REG(0), 0x420),
		R(VTD_ECSTS_REG(1), 0x428), R(VTD_ECCAP_REG(0), 0x430),
		R(VTD_ECCAP_REG(3), 0x448), R(VTD_RDTC_REG, 0xdc0),
		R(VTD_VCMD_REG, 0xe00), R(VTD_VCMD_EO_REG, 0xe08),
		R(VTD_VCRSP_REG, 0xe10), R(VTD_VCCAP_REG, 0xe30),
		R(VTD_IVA_OFF, 0x0), R(VTD_IOTLB_OFF, 0x8),
#undef R
	};

	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		if (r[i].off != r[i].want)
			fail_msg("%s = %#x, spec says %#x", r[i].name,
				 r[i].off, r[i].want);
	}
	assert_int_equal(VTD_MTRR_FIX_COUNT, 11);
	assert_int_equal(VTD_MTRR_FIX4K_C0000_REG +
			 8 * (VTD_MTRR_FIX_COUNT - 4),
			 VTD_MTRR_FIX4K_F8000_REG);
	assert_int_equal(VTD_MTRR_VAR_COUNT, 10);
}

/* Value encodings named in the register tables. */
static void test_regs_encodings(void **state)
{
	assert_int_equal(VTD_RTADDR_TTM_LEGACY, 0);
	assert_int_equal(VTD_RTADDR_TTM_SCALABLE, 1);
	assert_int_equal(VTD_RTADDR_TTM_ABORT_DMA, 3);
	assert_int_equal(VTD_CCMD_G_GLOBAL, 1);
	assert_int_equal(VTD_CCMD_G_DOMAIN, 2);
	assert_int_equal(VTD_CCMD_G_DEVICE, 3);
	assert_int_equal(VTD_IOTLB_G_GLOBAL, 1);
	assert_int_equal(VTD_IOTLB_G_DOMAIN, 2);
	assert_int_equal(VTD_IOTLB_G_PAGE, 3);
	assert_int_equal(VTD_IQEI_TAIL, 1);
	assert_int_equal(VTD_IQEI_FETCH, 2);
	assert_int_equal(VTD_IQEI_TYPE, 3);
	assert_int_equal(VTD_IQEI_RSVD, 4);
	assert_int_equal(VTD_IQEI_WIDTH, 5);
	assert_int_equal(VTD_IQEI_TAIL_ALIGN, 6);
	assert_int_equal(VTD_IQEI_TTM, 7);
	assert_int_equal(VTD_VCMD_CMD_ALLOC_PASID, 1);
	assert_int_equal(VTD_VCMD_CMD_FREE_PASID, 2);
	/* FIELD_PREP places values where the tables say. */
	assert_int_equal(FIELD_PREP(VTD_RTADDR_TTM, VTD_RTADDR_TTM_SCALABLE),
			 1ULL << 10);
	assert_int_equal(FIELD_PREP(VTD_CCMD_CIRG, VTD_CCMD_G_DEVICE) |
			 FIELD_PREP(VTD_CCMD_SID, 0x00f8) |
			 FIELD_PREP(VTD_CCMD_DID, 5),
			 (3ULL << 61) | (0xf8ULL << 16) | 5);
	assert_int_equal(FIELD_PREP(VTD_IQA_QS, 2) | VTD_IQA_DW, 0x802);
}

/* ---- Second source: QEMU 7.2 (docs/QEMU.md section 4) -------------------- */

/* x-scalable-mode=on,x-pasid-mode=on,aw-bits=48,caching-mode=on,intremap=on */
static void test_regs_decode_qemu_scalable_cap(void **state)
{
	const u64 cap = FAKE_DMAR_QEMU_CAP_SM;

	assert_int_equal(cap, 0x00d2008c222f0686ULL);
	assert_int_equal(FIELD_GET(VTD_CAP_ND, cap), 6);
	assert_false(cap & VTD_CAP_AFL);
	assert_false(cap & VTD_CAP_RWBF);
	assert_false(cap & VTD_CAP_PLMR);
	assert_false(cap & VTD_CAP_PHMR);
	assert_true(cap & VTD_CAP_CM);
	assert_int_equal(FIELD_GET(VTD_CAP_SAGAW, cap), 0x6);	/* 0b00110 */
	assert_int_equal(FIELD_GET(VTD_CAP_SAGAW, cap),
			 VTD_CAP_SAGAW_39 | VTD_CAP_SAGAW_48);
	assert_int_equal(FIELD_GET(VTD_CAP_MGAW, cap), 48 - 1);
	assert_false(cap & VTD_CAP_ZLR);
	assert_int_equal(FIELD_GET(VTD_CAP_FRO, cap), 0x220 / 16);
	assert_int_equal(vtd_regs_frcd_offset(cap, 0), 0x220);
	assert_int_equal(FIELD_GET(VTD_CAP_SLLPS, cap), 3);
	assert_int_equal(FIELD_GET(VTD_CAP_SLLPS, cap),
			 VTD_CAP_SLLPS_2M | VTD_CAP_SLLPS_1G);
	assert_true(cap & VTD_CAP_PSI);
	assert_int_equal(FIELD_GET(VTD_CAP_NFR, cap), 0);
	assert_int_equal(vtd_regs_frcd_count(cap), 1);
	assert_int_equal(FIELD_GET(VTD_CAP_MAMV, cap), 18);
	assert_true(cap & VTD_CAP_DWD);
	assert_true(cap & VTD_CAP_DRD);
	assert_false(cap & VTD_CAP_FL1GP);
	assert_false(cap & VTD_CAP_PI);
	assert_false(cap & VTD_CAP_FL5LP);
	assert_false(cap & VTD_CAP_ESIRTPS);
	assert_false(cap & VTD_CAP_ESRTPS);
}

static void test_regs_decode_qemu_scalable_ecap(void **state)
{
	const u64 ecap = FAKE_DMAR_QEMU_ECAP_SM;

	assert_int_equal(ecap, 0x0000490080f00f4aULL);
	assert_false(ecap & VTD_ECAP_C);
	assert_true(ecap & VTD_ECAP_QI);
	assert_false(ecap & VTD_ECAP_DT);
	assert_true(ecap & VTD_ECAP_IR);
	assert_false(ecap & VTD_ECAP_EIM);
	assert_true(ecap & VTD_ECAP_PT);
	assert_false(ecap & VTD_ECAP_SC);
	assert_int_equal(FIELD_GET(VTD_ECAP_IRO, ecap), 0xf0 / 16);
	assert_int_equal(vtd_regs_iro_offset(ecap), 0xf0);
	assert_int_equal(FIELD_GET(VTD_ECAP_MHMV, ecap), 15);
	assert_false(ecap & VTD_ECAP_MTS);
	assert_false(ecap & VTD_ECAP_NEST);
	assert_false(ecap & VTD_ECAP_PRS);
	assert_false(ecap & VTD_ECAP_ERS);
	assert_true(ecap & VTD_ECAP_SRS);
	assert_false(ecap & VTD_ECAP_NWFS);
	assert_false(ecap & VTD_ECAP_EAFS);
	assert_int_equal(FIELD_GET(VTD_ECAP_PSS, ecap), 0);
	assert_true(ecap & VTD_ECAP_PASID);
	assert_false(ecap & VTD_ECAP_DIT);
	assert_false(ecap & VTD_ECAP_PDS);
	assert_true(ecap & VTD_ECAP_SMTS);
	assert_false(ecap & VTD_ECAP_VCS);
	assert_false(ecap & VTD_ECAP_SLADS);
	assert_true(ecap & VTD_ECAP_SLTS);
	assert_false(ecap & VTD_ECAP_FLTS);
	assert_false(ecap & VTD_ECAP_SMPWCS);
	assert_false(ecap & VTD_ECAP_RPS);
	assert_false(ecap & VTD_ECAP_ADMS);
	assert_false(ecap & VTD_ECAP_RPRIVS);
	/* Nothing else is set: the flags above account for every bit. */
	assert_int_equal(ecap & ~(VTD_ECAP_QI | VTD_ECAP_IR | VTD_ECAP_PT |
				  VTD_ECAP_IRO | VTD_ECAP_MHMV |
				  VTD_ECAP_SRS | VTD_ECAP_PASID |
				  VTD_ECAP_SMTS | VTD_ECAP_SLTS), 0);
}

/* Default (-device intel-iommu), device-iotlb, snoop-control variants. */
static void test_regs_decode_qemu_other_configs(void **state)
{
	const u64 cap = FAKE_DMAR_QEMU_CAP_LEGACY;
	const u64 ecap = FAKE_DMAR_QEMU_ECAP_LEGACY;

	assert_int_equal(FIELD_GET(VTD_CAP_SAGAW, cap), VTD_CAP_SAGAW_39);
	assert_int_equal(FIELD_GET(VTD_CAP_MGAW, cap) + 1, 39);
	assert_false(cap & VTD_CAP_CM);
	assert_int_equal(FIELD_GET(VTD_CAP_ND, cap), 6);
	assert_int_equal(vtd_regs_frcd_offset(cap, 0), 0x220);
	assert_false(ecap & (VTD_ECAP_SMTS | VTD_ECAP_PASID | VTD_ECAP_SRS));
	assert_true(ecap & VTD_ECAP_QI);
	assert_int_equal(vtd_regs_iro_offset(ecap), 0xf0);
	/* device-iotlb=on: ECAP ...4e sets DT, drops PASID. */
	assert_true(0x0000480080f00f4eULL & VTD_ECAP_DT);
	assert_false(0x0000480080f00f4eULL & VTD_ECAP_PASID);
	/* dma-translation=off: SAGAW=0. */
	assert_int_equal(FIELD_GET(VTD_CAP_SAGAW, 0x00d2008c22260006ULL), 0);
	/* pt=off clears bit 6, snoop-control=on adds bit 7. */
	assert_int_equal(VTD_ECAP_PT, 1ULL << 6);
	assert_int_equal(VTD_ECAP_SC, 1ULL << 7);
	/* VER reads 0x10: version 1.0. */
	assert_int_equal(FIELD_GET(VTD_VER_MAX, 0x10U), 1);
	assert_int_equal(FIELD_GET(VTD_VER_MIN, 0x10U), 0);
	/* FECTL and IECTL reset to IM only. */
	assert_int_equal(VTD_FECTL_IM, 0x80000000U);
	assert_int_equal(VTD_IECTL_IM, 0x80000000U);
}

/* QEMU's register-based invalidation read-backs (docs/QEMU.md section 2). */
static void test_regs_decode_qemu_invalidation_readbacks(void **state)
{
	/* CCMD 0x2800.., 0x4800..0042, 0x7800.. */
	assert_int_equal(FIELD_GET(VTD_CCMD_CIRG, 0x2800000000000000ULL),
			 VTD_CCMD_G_GLOBAL);
	assert_int_equal(FIELD_GET(VTD_CCMD_CAIG, 0x2800000000000000ULL),
			 VTD_CCMD_G_GLOBAL);
	assert_int_equal(FIELD_GET(VTD_CCMD_CIRG, 0x4800000000000042ULL),
			 VTD_CCMD_G_DOMAIN);
	assert_int_equal(FIELD_GET(VTD_CCMD_CAIG, 0x4800000000000042ULL),
			 VTD_CCMD_G_GLOBAL);
	assert_int_equal(FIELD_GET(VTD_CCMD_DID, 0x4800000000000042ULL), 0x42);
	assert_int_equal(FIELD_GET(VTD_CCMD_CIRG, 0x7800000000000000ULL),
			 VTD_CCMD_G_DEVICE);
	assert_int_equal(FIELD_GET(VTD_CCMD_CAIG, 0x7800000000000000ULL),
			 VTD_CCMD_G_DEVICE);
	assert_false(0x7800000000000000ULL & VTD_CCMD_ICC);
	/* IOTLB 0x1200.., 0x2400.., 0x3600.. */
	assert_int_equal(FIELD_GET(VTD_IOTLB_IIRG, 0x1200000000000000ULL), 1);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IAIG, 0x1200000000000000ULL), 1);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IIRG, 0x2400000000000000ULL), 2);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IAIG, 0x2400000000000000ULL), 2);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IIRG, 0x3600000000000000ULL), 3);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IAIG, 0x3600000000000000ULL), 3);
	/* With QI enabled ICC/IVT stay set: 0xa000.. and 0x9000.. */
	assert_true(0xa000000000000000ULL & VTD_CCMD_ICC);
	assert_int_equal(FIELD_GET(VTD_CCMD_CIRG, 0xa000000000000000ULL), 1);
	assert_true(0x9000000000000000ULL & VTD_IOTLB_IVT);
	assert_int_equal(FIELD_GET(VTD_IOTLB_IIRG, 0x9000000000000000ULL), 1);
}

/*
 * QEMU's fault record (vtd_record_frcd): high qword = SID | PP << 31 |
 * FR << 32 | PV << 40 | T << 62 | F << 63; measured 0x8000050580000018.
 */
static void test_regs_decode_qemu_fault_record(void **state)
{
	const u64 hi = 0x8000050580000018ULL;

	assert_int_equal(FIELD_GET(VTD_FRCD_HI_SID, hi), 0x18);
	assert_true(hi & VTD_FRCD_HI_PP);
	assert_int_equal(FIELD_GET(VTD_FRCD_HI_FR, hi), 0x05);
	assert_int_equal(FIELD_GET(VTD_FRCD_HI_PV, hi), 0x5);
	assert_false(hi & VTD_FRCD_HI_T);	/* a write */
	assert_true(hi & VTD_FRCD_HI_F);
	assert_false(hi & (VTD_FRCD_HI_PRIV | VTD_FRCD_HI_EXE |
			   VTD_FRCD_HI_AT | VTD_FRCD_HI_T2));
	/* The layout the host DMAR model writes (tests/fakes). */
	assert_int_equal(VTD_FRCD_HI_SID, 0xffffULL);
	assert_int_equal(VTD_FRCD_HI_FR, 0xffULL << 32);
	assert_int_equal(VTD_FRCD_HI_F, 1ULL << 63);
	assert_int_equal(FIELD_GET(VTD_FRCD_LO_FI, 0x5000ULL | 0xfff), 0x5);
}

/* FIELD_GET and FIELD_PREP round-trip on every multi-bit CAP/ECAP field. */
static void test_regs_field_roundtrip(void **state)
{
	assert_int_equal(FIELD_GET(VTD_CAP_FRO, FIELD_PREP(VTD_CAP_FRO, 0x3ff)),
			 0x3ff);
	assert_int_equal(FIELD_PREP(VTD_CAP_FRO, 0x3ff), 0x3ffULL << 24);
	assert_int_equal(FIELD_PREP(VTD_CAP_NFR, 0xff), 0xffULL << 40);
	assert_int_equal(FIELD_PREP(VTD_CAP_MAMV, 0x3f), 0x3fULL << 48);
	assert_int_equal(FIELD_PREP(VTD_ECAP_PSS, 19), 19ULL << 35);
	assert_int_equal(FIELD_PREP(VTD_ECAP_IRO, 0x3ff), 0x3ffULL << 8);
	assert_true(FIELD_FIT(VTD_ECAP_MHMV, 15));
	assert_false(FIELD_FIT(VTD_ECAP_MHMV, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regs_ver_cap_fields),
		cmocka_unit_test(test_regs_ecap_fields),
		cmocka_unit_test(test_regs_command_fields),
		cmocka_unit_test(test_regs_event_and_queue_fields),
		cmocka_unit_test(test_regs_mtrr_and_command_interface_fields),
		cmocka_unit_test(test_regs_frcd_fields),
		cmocka_unit_test(test_regs_offsets),
		cmocka_unit_test(test_regs_encodings),
		cmocka_unit_test(test_regs_decode_qemu_scalable_cap),
		cmocka_unit_test(test_regs_decode_qemu_scalable_ecap),
		cmocka_unit_test(test_regs_decode_qemu_other_configs),
		cmocka_unit_test(test_regs_decode_qemu_invalidation_readbacks),
		cmocka_unit_test(test_regs_decode_qemu_fault_record),
		cmocka_unit_test(test_regs_field_roundtrip),
	};

	return cmocka_run_group_tests_name("regs", tests, NULL, NULL);
}
