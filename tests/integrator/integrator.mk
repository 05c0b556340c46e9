# SPDX-License-Identifier: BSD-2-Clause
#
# `make check` stage: an out-of-tree integrator with its own HAL and lock
# type (tests/integrator/run says what it proves). Everything it builds
# goes under $(O)/integrator.

.PHONY: check-integrator
check-integrator:
	@MAKE="$(MAKE)" O="$(O)" HOSTCC="$(HOSTCC)" tests/integrator/run
