/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Local APIC of the test kernel, in xAPIC (MMIO) mode [SDM 3A 10.4] or,
 * when the CPU has it, x2APIC (MSR) mode [SDM 3A 10.12], and
 * the address/data format of MSIs that target it [SDM 3A 10.11].
 */
#pragma once

#include <hal/types.h>

/**
 * x86_lapic_init() - Enable the local APIC (IA32_APIC_BASE global enable
 * and SVR software enable, spurious vector X86_VEC_SPURIOUS), accept all
 * priorities (TPR 0) and mask its timer.
 * @want_x2apic: switch to x2APIC mode when CPUID.1:ECX.x2APIC is set.
 *
 * Return: 0, -ENODEV without an APIC (CPUID.1:EDX.APIC), or -ERANGE when
 * the APIC window is outside the identity map.
 */
int x86_lapic_init(bool want_x2apic);

/**
 * x86_lapic_id() - The boot CPU's local APIC ID: 8 bits in xAPIC mode,
 * the 32-bit x2APIC ID in x2APIC mode.
 */
u32 x86_lapic_id(void);

/**
 * x86_lapic_x2apic() - Whether x86_lapic_init() put the APIC in x2APIC
 * mode.
 */
bool x86_lapic_x2apic(void);

/** x86_lapic_eoi() - Signal end of interrupt. */
void x86_lapic_eoi(void);

/**
 * x86_lapic_self_ipi() - Send fixed interrupt @vector to this CPU through
 * the ICR (destination shorthand self) and wait until it is sent.
 *
 * Return: 0, or -ETIMEDOUT when the delivery status stays pending.
 */
int x86_lapic_self_ipi(u8 vector);

/* [SDM 3A 10.11.1] Fixed, edge-triggered, physical destination. */
u64 x86_msi_address(u32 apic_id);
u32 x86_msi_data(u8 vector);
