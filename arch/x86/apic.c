// SPDX-License-Identifier: BSD-2-Clause
/*
 * Local APIC [SDM 3A 10.4]: enabled through IA32_APIC_BASE and the
 * spurious-interrupt vector register, with the task priority at 0 so
 * that every vector is delivered, the timer and error LVTs masked, and
 * EOI after each handled interrupt. In xAPIC mode through its MMIO
 * window; in x2APIC mode [SDM 3A 10.12] (IA32_APIC_BASE.EXTD, when asked
 * and CPUID.1:ECX.x2APIC says the CPU has it) through MSRs 0x800 +
 * offset/16,
 * with a 32-bit APIC ID, which is what an interrupt remapping unit with
 * IRTA.EIME delivers to. MSIs aimed at it use the compatibility format
 * of [SDM 3A 10.11], which reaches the APIC directly while the remapping
 * hardware has interrupt remapping disabled.
 */
#include <hal/bits.h>
#include <hal/compiler.h>
#include <hal/errno.h>
#include <hal/time.h>
#include <hal/types.h>

#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/paging.h>

/* [SDM 3A Figure 10-5] IA32_APIC_BASE. */
#define APIC_BASE_EN		BIT_ULL(11)	/* xAPIC global enable */
#define APIC_BASE_EXTD		BIT_ULL(10)	/* x2APIC mode */
#define APIC_BASE_ADDR		GENMASK_ULL(51, 12)

/* [SDM 3A Table 10-1] Local APIC register offsets. */
#define LAPIC_ID		0x020
#define  LAPIC_ID_XAPIC		GENMASK(31, 24)
#define LAPIC_TPR		0x080
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define  LAPIC_SVR_VECTOR	GENMASK(7, 0)
#define  LAPIC_SVR_ENABLE	BIT(8)		/* APIC software enable */
#define LAPIC_ICR_LO		0x300
#define  LAPIC_ICR_VECTOR	GENMASK(7, 0)
#define  LAPIC_ICR_DELIVERY	GENMASK(10, 8)		/* 000: fixed */
#define  LAPIC_ICR_PENDING	BIT(12)			/* Delivery Status */
#define  LAPIC_ICR_ASSERT	BIT(14)
#define  LAPIC_ICR_SHORTHAND	GENMASK(19, 18)		/* 01: self */
#define LAPIC_ICR_HI		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_ERROR		0x370
#define  LAPIC_LVT_MASKED	BIT(16)
#define LAPIC_WINDOW		0x1000

/* [SDM 3A 10.11.1] Message address and data of an MSI to an APIC. */
#define MSI_ADDR_BASE		GENMASK_ULL(31, 20)	/* 0xFEE */
#define MSI_ADDR_DEST_ID	GENMASK_ULL(19, 12)
#define MSI_ADDR_FEE		0xfeeULL
#define MSI_DATA_VECTOR		GENMASK(7, 0)
#define MSI_DATA_DELIVERY	GENMASK(10, 8)		/* 000: fixed */

#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_ECX_X2APIC	BIT(21)
/* [SDM 3A 10.12.1.2] x2APIC register MSR: 0x800 + MMIO offset / 16. */
#define X2APIC_MSR(off)		(0x800 + (off) / 16)
#define X2APIC_MSR_SELF_IPI	0x83f
#define SELF_IPI_TIMEOUT_NS	10000000ULL

static volatile u32 *lapic;
static bool x2apic;

static u32 lapic_read(u32 off)
{
	if (x2apic)
		return (u32)x86_rdmsr(X2APIC_MSR(off));
	return lapic[off / 4];
}

static void lapic_write(u32 off, u32 val)
{
	if (x2apic)
		x86_wrmsr(X2APIC_MSR(off), val);
	else
		lapic[off / 4] = val;
}

int x86_lapic_init(bool want_x2apic)
{
	u32 a, b, c, d;
	u64 base;
	int ret;

	x86_cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_APIC))
		return -ENODEV;
	base = x86_rdmsr(X86_MSR_APIC_BASE);
	ret = x86_paging_set_uncached(base & APIC_BASE_ADDR, LAPIC_WINDOW);
	if (ret)
		return ret;
	x86_wrmsr(X86_MSR_APIC_BASE, base | APIC_BASE_EN);
	lapic = (volatile u32 *)(uintptr_t)(base & APIC_BASE_ADDR);
	/* [SDM 3A 10.12.5] xAPIC to x2APIC: EXTD set while EN is set. */
	if (want_x2apic && (c & CPUID_1_ECX_X2APIC)) {
		x86_wrmsr(X86_MSR_APIC_BASE,
			  base | APIC_BASE_EN | APIC_BASE_EXTD);
		x2apic = true;
	}

	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE |
			       FIELD_PREP(LAPIC_SVR_VECTOR, X86_VEC_SPURIOUS));
	/* Retire anything left in service by the firmware. */
	lapic_write(LAPIC_EOI, 0);
	return 0;
}

u32 x86_lapic_id(void)
{
	if (!lapic)
		return 0;
	/* [SDM 3A 10.12.5.1] The x2APIC ID is all 32 bits of the register. */
	if (x2apic)
		return lapic_read(LAPIC_ID);
	return FIELD_GET(LAPIC_ID_XAPIC, lapic_read(LAPIC_ID));
}

bool x86_lapic_x2apic(void)
{
	return x2apic;
}

void x86_lapic_eoi(void)
{
	if (lapic)
		lapic_write(LAPIC_EOI, 0);
}

int x86_lapic_self_ipi(u8 vector)
{
	u64 deadline;

	if (!lapic)
		return -ENODEV;
	/*
	 * [SDM 3A 10.12.9, 10.12.11] x2APIC: the SELF IPI register (MSR
	 * 0x83F) takes the vector; there is no delivery status to wait on.
	 */
	if (x2apic) {
		x86_wrmsr(X2APIC_MSR_SELF_IPI, vector);
		return 0;
	}
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, FIELD_PREP(LAPIC_ICR_VECTOR, vector) |
				  FIELD_PREP(LAPIC_ICR_DELIVERY, 0) |
				  LAPIC_ICR_ASSERT |
				  FIELD_PREP(LAPIC_ICR_SHORTHAND, 1));
	deadline = hal_time_ns() + SELF_IPI_TIMEOUT_NS;
	while (lapic_read(LAPIC_ICR_LO) & LAPIC_ICR_PENDING) {
		if (hal_time_ns() > deadline)
			return -ETIMEDOUT;
		x86_cpu_relax();
	}
	return 0;
}

u64 x86_msi_address(u32 apic_id)
{
	return FIELD_PREP(MSI_ADDR_BASE, MSI_ADDR_FEE) |
	       FIELD_PREP(MSI_ADDR_DEST_ID, apic_id);
}

u32 x86_msi_data(u8 vector)
{
	return FIELD_PREP(MSI_DATA_VECTOR, vector) |
	       FIELD_PREP(MSI_DATA_DELIVERY, 0);
}
