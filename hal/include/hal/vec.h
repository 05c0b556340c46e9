/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A growable array of fixed-size elements in HAL pages, for the lists of
 * the library whose length only memory limits (a domain's units, its ATS
 * devices and RMRR ranges; a VM's devices and bindings). Header-only. Room is made with
 * hal_vec_reserve(), which may fail, before the element is appended
 * with hal_vec_push(), which cannot: validate-then-commit callers
 * reserve in their validation step. Order is not kept on removal.
 */
#pragma once

#include <hal/errno.h>
#include <hal/mem.h>
#include <hal/string.h>
#include <hal/types.h>

struct hal_vec {
	void *data;			/* 2^order pages, or NULL */
	u32 count;
	u32 cap;			/* elements that fit */
	u8 order;
};

static inline void *hal_vec_at(const struct hal_vec *v, size_t elem, u32 i)
{
	return (u8 *)v->data + (size_t)i * elem;
}

/* Room for @n more elements of @elem bytes: 0 or -ENOMEM (unchanged). */
static inline int hal_vec_reserve(struct hal_vec *v, size_t elem, u32 n)
{
	unsigned int order = v->data ? v->order + 1U : 0;
	void *p;

	if (v->count + n <= v->cap) {
		return 0;
	}
	while (((HAL_PAGE_SIZE << order) / elem) < v->count + n) {
		order++;
	}
	p = hal_page_alloc(order);
	if (!p) {
		return -ENOMEM;
	}
	if (v->data) {
		hal_memcpy(p, v->data, (size_t)v->count * elem);
		hal_page_free(v->data, v->order);
	}
	v->data = p;
	v->order = (u8)order;
	v->cap = (u32)((HAL_PAGE_SIZE << order) / elem);
	return 0;
}

/* Append a copy of @e; room was reserved. Returns the new element. */
static inline void *hal_vec_push(struct hal_vec *v, size_t elem,
				 const void *e)
{
	void *slot = hal_vec_at(v, elem, v->count++);

	hal_memcpy(slot, e, elem);
	return slot;
}

/* Remove element @i; the last one takes its place. */
static inline void hal_vec_remove(struct hal_vec *v, size_t elem, u32 i)
{
	v->count--;
	if (i != v->count) {
		hal_memcpy(hal_vec_at(v, elem, i), hal_vec_at(v, elem, v->count),
			   elem);
	}
}

static inline void hal_vec_free(struct hal_vec *v)
{
	if (v->data) {
		hal_page_free(v->data, v->order);
	}
	v->data = NULL;
	v->count = 0;
	v->cap = 0;
}
