/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Atomics with explicit memory orders, on the compiler's __atomic builtins
 * (GCC and Clang lower them to single instructions on x86_64; no library
 * call is made for naturally aligned 1, 2, 4 and 8-byte objects).
 */
#pragma once

#include <hal/types.h>

#define HAL_RELAXED		__ATOMIC_RELAXED
#define HAL_ACQUIRE		__ATOMIC_ACQUIRE
#define HAL_RELEASE		__ATOMIC_RELEASE
#define HAL_ACQ_REL		__ATOMIC_ACQ_REL
#define HAL_SEQ_CST		__ATOMIC_SEQ_CST

#define hal_atomic_load(p, mo)		__atomic_load_n((p), (mo))
#define hal_atomic_store(p, v, mo)	__atomic_store_n((p), (v), (mo))
#define hal_atomic_xchg(p, v, mo)	__atomic_exchange_n((p), (v), (mo))
#define hal_atomic_fetch_add(p, v, mo)	__atomic_fetch_add((p), (v), (mo))
#define hal_atomic_fetch_sub(p, v, mo)	__atomic_fetch_sub((p), (v), (mo))
#define hal_atomic_fetch_or(p, v, mo)	__atomic_fetch_or((p), (v), (mo))
#define hal_atomic_fetch_and(p, v, mo)	__atomic_fetch_and((p), (v), (mo))

/*
 * Strong compare-and-swap: on failure *@expected receives the current value.
 * @mo applies on success, HAL_RELAXED or HAL_ACQUIRE on failure.
 */
#define hal_atomic_cas(p, expected, desired, mo, fail_mo) \
	__atomic_compare_exchange_n((p), (expected), (desired), false, \
				    (mo), (fail_mo))

#define hal_atomic_fence(mo)		__atomic_thread_fence(mo)
