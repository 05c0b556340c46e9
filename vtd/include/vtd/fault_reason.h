/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault reasons [VT-d 7.1.3, Appendix A]: the FR field of a fault record
 * (struct vtd_fault.reason) and of a software walk
 * (struct vtd_translation.fault_reason). Legacy-mode codes are 0x01-0x0e;
 * scalable-mode ones (VTD_FR_SM_*) 0x30-0x90; interrupt-remapping ones
 * 0x20-0x27. vtd_fault_reason_str() gives each one's meaning. The
 * scalable-mode codes agree with Linux's table in dmar.c (second source).
 */
#pragma once

enum vtd_fault_reason {
	VTD_FR_ROOT_NP = 0x01,		/* root entry not present */
	VTD_FR_CTX_NP = 0x02,		/* context entry not present */
	VTD_FR_CTX_INV = 0x03,		/* invalid context entry (TT, AW) */
	VTD_FR_ADDR_BEYOND = 0x04,	/* address beyond the domain's width */
	VTD_FR_WRITE = 0x05,		/* write without write permission */
	VTD_FR_READ = 0x06,		/* read without read permission */
	VTD_FR_SL_FETCH = 0x07,		/* second-level entry fetch failed */
	VTD_FR_ROOT_FETCH = 0x08,	/* root table fetch failed */
	VTD_FR_CTX_FETCH = 0x09,	/* context table fetch failed */
	VTD_FR_ROOT_RSVD = 0x0a,	/* reserved bit in root entry */
	VTD_FR_CTX_RSVD = 0x0b,		/* reserved bit in context entry */
	VTD_FR_SL_RSVD = 0x0c,		/* reserved bit in second-level entry */
	VTD_FR_BLOCKED = 0x0d,		/* translation request blocked */
	VTD_FR_INTR_RANGE = 0x0e,	/* address in 0xFEEx_xxxx */
	/* Interrupt remapping [VT-d 7.1.3]; FI holds the IRTE index. */
	VTD_FR_IR_RSVD = 0x20,		/* reserved field set in the request */
	VTD_FR_IR_INDEX = 0x21,		/* index beyond the table size */
	VTD_FR_IR_NP = 0x22,		/* IRTE not present */
	VTD_FR_IR_FETCH = 0x23,		/* IRT access failed */
	VTD_FR_IR_IRTE_RSVD = 0x24,	/* reserved field set in the IRTE */
	VTD_FR_IR_COMPAT = 0x25,	/* compatibility format blocked */
	VTD_FR_IR_SID = 0x26,		/* source-ID validation failed */
	VTD_FR_IR_PID_FETCH = 0x27,	/* posted descriptor access failed */
	VTD_FR_SM_RTA_INV = 0x30,	/* invalid root table address */
	VTD_FR_SM_TTM_PASID = 0x31,	/* TTM 0 for a request with PASID */
	VTD_FR_SM_TTM_PGR = 0x32,	/* TTM 0 for a page group request */
	VTD_FR_SM_ROOT_FETCH = 0x38,
	VTD_FR_SM_ROOT_NP = 0x39,
	VTD_FR_SM_ROOT_RSVD = 0x3a,
	VTD_FR_SM_CTX_FETCH = 0x40,
	VTD_FR_SM_CTX_NP = 0x41,
	VTD_FR_SM_CTX_RSVD = 0x42,
	VTD_FR_SM_CTX_INV = 0x43,
	VTD_FR_SM_DTE = 0x44,		/* DTE clear */
	VTD_FR_SM_PASIDE = 0x45,	/* PASIDE clear */
	VTD_FR_SM_PASID_BIG = 0x46,	/* PASID beyond the directory size */
	VTD_FR_SM_PRE = 0x47,		/* PRE clear */
	VTD_FR_SM_RID_PASID = 0x48,	/* RID_PASID error */
	VTD_FR_SM_PDE_FETCH = 0x50,
	VTD_FR_SM_PDE_NP = 0x51,
	VTD_FR_SM_PDE_RSVD = 0x52,
	VTD_FR_SM_PTE_FETCH = 0x58,	/* PASID-table entry */
	VTD_FR_SM_PTE_NP = 0x59,
	VTD_FR_SM_PTE_RSVD = 0x5a,
	VTD_FR_SM_PTE_INV = 0x5b,	/* e.g. a PGTT the unit lacks */
	VTD_FR_SM_ERE = 0x5c,		/* ERE clear */
	VTD_FR_SM_SRE = 0x5d,		/* SRE clear */
	VTD_FR_SM_FL_FETCH = 0x70,
	VTD_FR_SM_FL_NP = 0x71,
	VTD_FR_SM_FL_RSVD = 0x72,
	VTD_FR_SM_FL_ROOT_FETCH = 0x73,
	VTD_FR_SM_NEST_BEYOND = 0x74,
	VTD_FR_SM_NEST_ROOT_READ = 0x75,
	VTD_FR_SM_NEST_READ = 0x76,
	VTD_FR_SM_NEST_WRITE = 0x77,
	VTD_FR_SM_SL_FETCH = 0x78,
	VTD_FR_SM_SL_RW = 0x79,
	VTD_FR_SM_SL_RSVD = 0x7a,
	VTD_FR_SM_SL_PTR_INV = 0x7b,
	VTD_FR_SM_SL_AD = 0x7c,
	VTD_FR_SM_NONCANON = 0x80,
	VTD_FR_SM_USER = 0x81,		/* user request, supervisor page */
	VTD_FR_SM_EXEC = 0x82,
	VTD_FR_SM_ADDR_BEYOND = 0x83,
	VTD_FR_SM_SL_BEYOND = 0x84,
	VTD_FR_SM_WRITE = 0x85,
	VTD_FR_SM_READ = 0x86,
	VTD_FR_SM_INTR_RANGE = 0x87,
	VTD_FR_SM_FL_AD = 0x90,
};

/**
 * vtd_fault_reason_str() - The meaning of fault reason @fr [VT-d 7.1.3,
 * Appendix A], for logs. Never NULL.
 */
const char *vtd_fault_reason_str(unsigned char fr);
