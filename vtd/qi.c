// SPDX-License-Identifier: BSD-2-Clause
/*
 * Queued invalidation [VT-d 6.5.2]: the descriptor ring, submission of a
 * batch behind one wait descriptor, completion by status write or by the
 * invalidation completion event, and recovery from the errors the unit
 * reports in FSTS (IQE, ITE, ICE) [VT-d 6.5.2.10].
 *
 * Submissions are synchronous and serialised by qi.lock: at most one
 * batch is in the queue at a time, so every descriptor between IQH and
 * the tail belongs to the submission that holds the lock. That is what
 * makes error attribution exact: an IQE, ITE or ICE seen while waiting is
 * this batch's, and only this batch gets the error.
 */
#include <hal/hal.h>

#include "unit.h"

#define QI_ERRORS	(VTD_FSTS_IQE | VTD_FSTS_ITE | VTD_FSTS_ICE)

int vtd_qi_init(struct vtd_unit *u)
{
	struct vtd_qi *q = &u->qi;

	/*
	 * [VT-d 6.5.2] 256-bit descriptors are required in scalable mode;
	 * 128-bit ones in legacy mode.
	 */
	q->desc_size = u->scalable ? 32 : 16;
	q->slots = (u32)((HAL_PAGE_SIZE << q->order) / q->desc_size);
	q->ring = hal_page_alloc(q->order);
	q->status = hal_page_alloc(0);
	if (!q->ring || !q->status) {
		vtd_qi_fini(u);
		return VTD_ERR(-ENOMEM);
	}
	q->status_pa = hal_virt_to_phys((const void *)q->status);
	return 0;
}

void vtd_qi_fini(struct vtd_unit *u)
{
	struct vtd_qi *q = &u->qi;

	if (q->ring)
		hal_page_free(q->ring, q->order);
	if (q->status)
		hal_page_free((void *)q->status, 0);
	q->ring = NULL;
	q->status = NULL;
}

bool vtd_qi_enabled(const struct vtd_unit *u)
{
	return u->gsts & VTD_GSTS_QIES;
}

/* Called with u->lock held. */
int vtd_qi_enable(struct vtd_unit *u)
{
	struct vtd_qi *q = &u->qi;
	u64 iqa;
	int ret;

	hal_lock_assert_held(&u->lock);
	hal_spin_lock(&q->lock);
	q->tail = 0;
	q->hw_idle = true;
	hal_memset(q->ring, 0, HAL_PAGE_SIZE << q->order);
	/*
	 * [VT-d 11.4.9.2] Tail to 0 before QIE: the unit starts fetching at
	 * IQH (reset to 0 on enable) and a stale tail would replay old
	 * descriptors (QEMU 7.2 processes IQT != 0 at enable).
	 */
	vtd_write64(u, VTD_IQT_REG, 0);
	iqa = (hal_paddr_val(hal_virt_to_phys(q->ring)) & VTD_IQA_IQA) |
	      FIELD_PREP(VTD_IQA_QS, q->order) |
	      (q->desc_size == 32 ? VTD_IQA_DW : 0);
	vtd_write64(u, VTD_IQA_REG, iqa);
	ret = vtd_reg_gcmd_locked(u, VTD_GCMD_QIE, VTD_GSTS_QIES, true);
	hal_spin_unlock(&q->lock);
	return ret;
}

/* Called with u->lock held. */
int vtd_qi_disable(struct vtd_unit *u)
{
	struct vtd_qi *q = &u->qi;
	int ret;

	hal_lock_assert_held(&u->lock);
	hal_spin_lock(&q->lock);
	/*
	 * [VT-d 6.5.2] Software disables queued invalidation only when the
	 * queue is empty (IQH == IQT) and no wait is outstanding.
	 */
	ret = vtd_reg_wait64(u, VTD_IQH_REG, VTD_IQH_QH,
			     vtd_read64(u, VTD_IQT_REG) & VTD_IQT_QT);
	if (!ret)
		ret = vtd_reg_gcmd_locked(u, VTD_GCMD_QIE, VTD_GSTS_QIES, false);
	hal_spin_unlock(&q->lock);
	return ret;
}

static u8 *slot(struct vtd_qi *q, u32 index)
{
	return q->ring + (size_t)index * q->desc_size;
}

/* Write one descriptor into the ring at the tail: 16 or 32 bytes. */
static void put_desc_locked(struct vtd_qi *q, const struct vtd_qi_desc *d)
{
	u64 *p = (u64 *)slot(q, q->tail);
	unsigned int i, words = q->desc_size / 8;

	for (i = 0; i < words; i++)
		WRITE_ONCE(p[i], d->qw[i]);
	q->tail = (q->tail + 1) % q->slots;
	q->descs++;
}

static u32 iqh_slot(struct vtd_unit *u)
{
	return (u32)(vtd_read64(u, VTD_IQH_REG) & VTD_IQH_QH) /
	       u->qi.desc_size;
}

/* Slots free for writing: one always stays empty so full != empty. */
static int wait_space_locked(struct vtd_unit *u, u32 need)
{
	struct vtd_qi *q = &u->qi;
	u64 deadline;
	u32 head;

	if (q->hw_idle)
		return 0;
	deadline = vtd_deadline();
	for (;;) {
		head = iqh_slot(u);
		if ((head + q->slots - q->tail - 1) % q->slots >= need) {
			if (head == q->tail)
				q->hw_idle = true;
			return 0;
		}
		if (hal_time_ns() > deadline)
			return VTD_ERR(-ETIMEDOUT);
		hal_cpu_relax();
	}
}

/*
 * [VT-d 6.5.2.10] Recover from an error the unit reported while this
 * batch was queued; the caller returns -EIO.
 *
 * IQE: the unit stopped with IQH on the descriptor it refused. Every slot
 * from there up to the tail (the batch's own wait included: the batch has
 * failed, and even a refused wait must not stall the queue) is
 * overwritten with a harmless status write to the scratch word, IQE is
 * cleared, and the tail is written again so that the unit (QEMU 7.2
 * restarts only on a tail write) fetches from IQH once more.
 *
 * ITE/ICE: the unit aborted the pending waits; the error is cleared and
 * the unit resumes fetching at IQH.
 *
 * Either way the queue is then drained to the tail, so the next
 * submission starts on an empty, error-free queue.
 */
static int recover_locked(struct vtd_unit *u, u32 fsts)
{
	struct vtd_qi *q = &u->qi;
	struct vtd_qi_desc nop = vtd_qi_wait(true, false, false, 0,
		hal_paddr_val(q->status_pa) +
		VTD_QI_STATUS_SCRATCH * sizeof(u32));
	u32 head, saved_tail;
	int ret;

	if (fsts & VTD_FSTS_IQE) {
		q->iqe_count++;
		head = iqh_slot(u);
		hal_log(HAL_LOG_ERR, "vtd %llx: invalidation queue error at "
			"slot %u (IQERCD %#llx)\n",
			(unsigned long long)u->reg_base, head,
			(unsigned long long)vtd_read64(u, VTD_IQERCD_REG));
		/*
		 * The batch has failed: every slot from the refused one up
		 * to the tail, our own wait included, becomes a harmless
		 * status write, so the unit can always drain the queue.
		 */
		saved_tail = q->tail;
		while (head != saved_tail) {
			q->tail = head;
			put_desc_locked(q, &nop);
			head = q->tail;
		}
		q->tail = saved_tail;
	}
	if (fsts & VTD_FSTS_ITE)
		q->ite_count++;
	if (fsts & VTD_FSTS_ICE)
		q->ice_count++;
	vtd_write32(u, VTD_FSTS_REG, fsts & QI_ERRORS);
	vtd_write64(u, VTD_IQT_REG, (u64)q->tail * q->desc_size);
	q->hw_idle = false;
	ret = wait_space_locked(u, q->slots - 1);
	if (!ret && (vtd_read32(u, VTD_FSTS_REG) & QI_ERRORS))
		ret = VTD_ERR(-EIO);
	return ret;
}

/* Wait for the batch's wait descriptor, watching FSTS for errors. */
static int wait_done_locked(struct vtd_unit *u, u32 seq, bool irq)
{
	struct vtd_qi *q = &u->qi;
	u64 deadline = vtd_deadline();
	u32 fsts;
	bool late = false;

	for (;;) {
		if (irq) {
			if (vtd_read32(u, VTD_ICS_REG) & VTD_ICS_IWC) {
				/* [VT-d 11.4.9.4] IWC is RW1CS. */
				vtd_write32(u, VTD_ICS_REG, VTD_ICS_IWC);
				break;
			}
		} else if (__atomic_load_n(&q->status[VTD_QI_STATUS_WAIT],
					   __ATOMIC_ACQUIRE) == seq) {
			break;
		}
		fsts = vtd_read32(u, VTD_FSTS_REG);
		if (fsts & QI_ERRORS) {
			recover_locked(u, fsts);
			return VTD_ERR(-EIO);
		}
		if (late) {
			q->hw_idle = false;
			return VTD_ERR(-ETIMEDOUT);
		}
		if (hal_time_ns() > deadline)
			late = true;	/* one more look, then give up */
		else
			hal_cpu_relax();
	}
	/* The wait completed, so everything before it was fetched. */
	q->hw_idle = true;
	return 0;
}

static int submit_locked(struct vtd_unit *u, const struct vtd_qi_desc *descs,
			 unsigned int n, unsigned int flags)
{
	struct vtd_qi *q = &u->qi;
	bool irq = flags & VTD_QI_WAIT_IRQ;
	struct vtd_qi_desc wait;
	unsigned int i;
	int ret;

	/*
	 * An IF wait completes only through ICS.IWC, which does not say
	 * which wait set it: no earlier wait (one that timed out) may still
	 * be pending, so the queue must be drained first.
	 */
	ret = wait_space_locked(u, irq ? q->slots - 1 : n + 1);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		put_desc_locked(q, &descs[i]);
	/* Status 0 never means done: the status word starts at 0. */
	if (++q->seq == 0)
		q->seq = 1;
	/*
	 * [VT-d 6.5.2.8] SW and IF are used one at a time: QEMU 7.2 aborts
	 * when both are set.
	 */
	wait = vtd_qi_wait(!irq, irq, false, q->seq,
			   hal_paddr_val(q->status_pa) +
			   VTD_QI_STATUS_WAIT * sizeof(u32));
	put_desc_locked(q, &wait);
	q->waits++;
	q->submits++;
	q->hw_idle = false;
	/*
	 * [VT-d 11.4.9.4] IWC is the only completion signal of an IF wait,
	 * and while it is set a completing wait is not a new condition. A
	 * stale IWC (left by firmware, or by a wait that timed out and
	 * completed late) would complete this batch before the unit has
	 * reached it: clear it before the unit can see the new wait.
	 */
	if (irq)
		vtd_write32(u, VTD_ICS_REG, VTD_ICS_IWC);
	/*
	 * The descriptors are ordinary write-back stores; x86 keeps them
	 * ahead of the uncached tail write, and the HAL's MMIO write is a
	 * compiler barrier. [VT-d 6.5.2] Queue fetches are snooped.
	 */
	vtd_write64(u, VTD_IQT_REG, (u64)q->tail * q->desc_size);
	return wait_done_locked(u, q->seq, irq);
}

int vtd_qi_submit(struct vtd_unit *u, const struct vtd_qi_desc *descs,
		  unsigned int n, unsigned int flags)
{
	struct vtd_qi *q = &u->qi;
	unsigned int chunk, max;
	int ret = 0;

	if (!u || (n && !descs) || (flags & ~VTD_QI_WAIT_IRQ))
		return VTD_ERR(-EINVAL);
	if (!vtd_qi_enabled(u))
		return VTD_ERR(-EOPNOTSUPP);
	hal_spin_lock(&q->lock);
	max = q->slots - 2;		/* one empty slot, one wait */
	do {
		chunk = n < max ? n : max;
		ret = submit_locked(u, descs, chunk, flags);
		descs += chunk;
		n -= chunk;
	} while (!ret && n);
	hal_spin_unlock(&q->lock);
	return ret;
}
