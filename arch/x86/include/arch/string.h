/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The C string functions that the compiler may call on its own (struct
 * copies and initialisers lower to memcpy and memset even with
 * -ffreestanding), plus the few the kernel uses. Kernel only: the library
 * uses the inline loops in <hal/string.h>.
 */
#pragma once

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
