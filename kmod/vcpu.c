// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU file descriptors: the shared run page, register access and the run
 * loop. The loop is backend-neutral: it enters the guest through
 * hb_op(vcpu_enter)() with preemption and interrupts off, then handles
 * the exit preemptibly, and goes back to userspace on a signal, on an exit
 * userspace must see, or on an error.
 */
#define pr_fmt(fmt) "hyperbox: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include "hb.h"

static void hb_kick_nop(void *unused)
{
}

/*
 * hb_vcpu_kick_all() - wait until no vCPU of @vm runs on a stale view.
 *
 * Pairs with the smp_mb() in hb_vcpu_run_once(): a vCPU either sees the
 * new tdp_gen before it enters, or it was already IN_GUEST and the IPI
 * cannot be handled on its CPU before the guest has exited.
 */
void hb_vcpu_kick_all(struct hb_vm *vm)
{
	int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < HB_MAX_VCPUS; i++) {
		struct hb_vcpu *vcpu = vm->vcpus[i];

		if (vcpu && READ_ONCE(vcpu->mode) == HB_VCPU_IN_GUEST)
			smp_call_function_single(READ_ONCE(vcpu->cpu),
						 hb_kick_nop, NULL, 1);
	}
	mutex_unlock(&vm->lock);
}

/*
 * Enter the guest, and keep re-entering while the backend's fast path can
 * complete exits without sleeping (in-kernel hypercalls, CPUID, MSRs,
 * doorbells): interrupts stay off and the guest FPU stays as it is, loaded
 * or trapped (fpu.c). A host interrupt pending meanwhile makes the next
 * VMRUN/VM entry exit at once, so the host is never held off.
 *
 * Returns HB_RUN_EXIT when an exit awaits handle_exit(), HB_RUN_AGAIN when
 * everything was handled, HB_RUN_USER when run->exit_reason is ready for
 * userspace, HB_RUN_ABORTED when nothing ran.
 */
enum { HB_RUN_ABORTED, HB_RUN_EXIT, HB_RUN_AGAIN, HB_RUN_USER };

static int __hb_exit_path hb_vcpu_run_once(struct hb_vcpu *vcpu)
{
	int ret = HB_RUN_ABORTED, fast;
	unsigned int flags, again = 0;
	u64 gen;

	preempt_disable();
	hb_fpu_enter_run(vcpu);
	local_irq_disable();

	WRITE_ONCE(vcpu->mode, HB_VCPU_IN_GUEST);
	/* IN_GUEST before reading tdp_gen: pairs with hb_zap_flush(). */
	smp_mb();
	for (;;) {
		/* A signal or resched that raced the checks: do not enter. */
		if (signal_pending(current) || need_resched())
			break;
		gen = atomic64_read(&vcpu->vm->tdp_gen);
		flags = again;
		if (gen != vcpu->tdp_gen_seen)
			flags |= HB_ENTER_FLUSH_TDP;
		vcpu->tdp_gen_seen = gen;
		hb_inject_events(vcpu);

		hb_op(vcpu_enter)(vcpu, flags);
		again = HB_ENTER_AGAIN;

		fast = hb_op(fastpath)(vcpu);
		ret = fast == HB_FAST_NONE ? HB_RUN_EXIT :
		      fast == HB_FAST_USER ? HB_RUN_USER : HB_RUN_AGAIN;
		if (ret != HB_RUN_AGAIN)
			break;
	}

	WRITE_ONCE(vcpu->mode, HB_VCPU_OUTSIDE_GUEST);
	local_irq_enable();
	hb_fpu_leave_run(vcpu);
	preempt_enable();
	return ret;
}

static int __hb_exit_path hb_vcpu_run_loop(struct hb_vcpu *vcpu)
{
	struct hb_run *run = vcpu->run;
	int ret;

	ret = hb_complete_userspace_io(vcpu);
	if (ret <= 0)
		return ret;

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = HB_EXIT_INTR;
		return -EINTR;
	}

	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = HB_EXIT_INTR;
			return -EINTR;
		}
		if (hb_irq_window_exit(vcpu))
			return 0;
		hb_wake_hlt_for_interrupt(vcpu);
		ret = hb_vcpu_run_once(vcpu);
		if (ret == HB_RUN_USER)
			return 0;
		/* run_once() gives way to need_resched(): schedule here. */
		if (ret != HB_RUN_EXIT) {
			cond_resched();
			continue;
		}
		ret = hb_op(handle_exit)(vcpu);
		if (ret <= 0)
			return ret;
	}
}

static int __hb_exit_path hb_vcpu_run(struct hb_vcpu *vcpu)
{
	struct hb_vm *vm = vcpu->vm;
	int ret;

	/* irqfds kick this task when it runs the guest. */
	rcu_assign_pointer(vm->running[vcpu->id], current);
	ret = hb_vcpu_run_loop(vcpu);
	RCU_INIT_POINTER(vm->running[vcpu->id], NULL);
	hb_fill_run_state(vcpu);
	return ret;
}

static void hb_vcpu_get_regs(struct hb_vcpu *vcpu, struct hb_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rax = vcpu->regs[HB_RAX];
	r->rbx = vcpu->regs[HB_RBX];
	r->rcx = vcpu->regs[HB_RCX];
	r->rdx = vcpu->regs[HB_RDX];
	r->rsi = vcpu->regs[HB_RSI];
	r->rdi = vcpu->regs[HB_RDI];
	r->rsp = vcpu->regs[HB_RSP];
	r->rbp = vcpu->regs[HB_RBP];
	r->r8 = vcpu->regs[HB_R8];
	r->r9 = vcpu->regs[HB_R9];
	r->r10 = vcpu->regs[HB_R10];
	r->r11 = vcpu->regs[HB_R11];
	r->r12 = vcpu->regs[HB_R12];
	r->r13 = vcpu->regs[HB_R13];
	r->r14 = vcpu->regs[HB_R14];
	r->r15 = vcpu->regs[HB_R15];
	r->rip = vcpu->rip;
	r->rflags = vcpu->rflags;
}

/* RFLAGS bits a guest may hold: bit 1 is fixed to 1, VM and VIF/VIP too. */
#define HB_RFLAGS_FIXED1	BIT(1)
#define HB_RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

static int hb_vcpu_set_regs(struct hb_vcpu *vcpu, const struct hb_regs *r)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		if (r->reserved[i])
			return -EINVAL;
	if (r->rflags & HB_RFLAGS_RESERVED)
		return -EINVAL;

	vcpu->regs[HB_RAX] = r->rax;
	vcpu->regs[HB_RBX] = r->rbx;
	vcpu->regs[HB_RCX] = r->rcx;
	vcpu->regs[HB_RDX] = r->rdx;
	vcpu->regs[HB_RSI] = r->rsi;
	vcpu->regs[HB_RDI] = r->rdi;
	vcpu->regs[HB_RSP] = r->rsp;
	vcpu->regs[HB_RBP] = r->rbp;
	vcpu->regs[HB_R8] = r->r8;
	vcpu->regs[HB_R9] = r->r9;
	vcpu->regs[HB_R10] = r->r10;
	vcpu->regs[HB_R11] = r->r11;
	vcpu->regs[HB_R12] = r->r12;
	vcpu->regs[HB_R13] = r->r13;
	vcpu->regs[HB_R14] = r->r14;
	vcpu->regs[HB_R15] = r->r15;
	vcpu->rip = r->rip;
	vcpu->rflags = r->rflags | HB_RFLAGS_FIXED1;
	/* New registers cancel any half-done userspace exit. */
	vcpu->pending = HB_COMPLETE_NONE;
	return 0;
}

/* Everything but HB_RUN, with vcpu->mutex held; not on the exit path. */
static noinline long hb_vcpu_ioctl_locked(struct hb_vcpu *vcpu,
					  unsigned int cmd, void __user *argp)
{
	long ret;

	switch (cmd) {
	case HB_GET_REGS: {
		struct hb_regs r;

		hb_vcpu_get_regs(vcpu, &r);
		ret = copy_to_user(argp, &r, sizeof(r)) ? -EFAULT : 0;
		break;
	}
	case HB_SET_REGS: {
		struct hb_regs r;

		if (copy_from_user(&r, argp, sizeof(r)))
			ret = -EFAULT;
		else
			ret = hb_vcpu_set_regs(vcpu, &r);
		break;
	}
	case HB_GET_SREGS: {
		struct hb_sregs s;

		memset(&s, 0, sizeof(s));
		hb_ops->get_sregs(vcpu, &s);
		ret = copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
		break;
	}
	case HB_SET_SREGS: {
		struct hb_sregs s;
		int i;

		if (copy_from_user(&s, argp, sizeof(s))) {
			ret = -EFAULT;
			break;
		}
		ret = 0;
		for (i = 0; i < ARRAY_SIZE(s.reserved); i++)
			if (s.reserved[i])
				ret = -EINVAL;
		if (!ret)
			ret = hb_ops->set_sregs(vcpu, &s);
		break;
	}
	case HB_INTERRUPT:
	case HB_NMI:
	case HB_GET_VCPU_EVENTS:
	case HB_SET_VCPU_EVENTS:
		ret = hb_events_ioctl(vcpu, cmd, argp);
		break;
	case HB_SET_CPUID:
		ret = hb_cpuid_set(vcpu, argp);
		break;
	case HB_GET_MSRS:
	case HB_SET_MSRS:
		ret = hb_msrs_ioctl(vcpu, cmd, argp);
		break;
	case HB_GET_FPU:
	case HB_SET_FPU:
		ret = hb_fpu_ioctl(vcpu, cmd, argp);
		break;
	default:
		ret = -ENOTTY;
	}
	return ret;
}

static long __hb_exit_path hb_vcpu_ioctl(struct file *filp, unsigned int cmd,
					 unsigned long arg)
{
	struct hb_vcpu *vcpu = filp->private_data;
	long ret;

	if (vcpu->vm->mm != current->mm)
		return -EIO;

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	/* HB_RUN first, not at the end of the switch's compare tree. */
	if (likely(cmd == HB_RUN))
		ret = arg ? -EINVAL : hb_vcpu_run(vcpu);
	else
		ret = hb_vcpu_ioctl_locked(vcpu, cmd, (void __user *)arg);
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t hb_vcpu_fault(struct vm_fault *vmf)
{
	struct hb_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff >= 2)
		return VM_FAULT_SIGBUS;
	page = vcpu->run_pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hb_vcpu_vm_ops = {
	.fault = hb_vcpu_fault,
};

static int hb_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff + vma_pages(vma) > 2)
		return -EINVAL;
	vma->vm_ops = &hb_vcpu_vm_ops;
	return 0;
}

static void hb_vcpu_free_run(struct hb_vcpu *vcpu)
{
	if (vcpu->run_pages[0])
		__free_page(vcpu->run_pages[0]);
	if (vcpu->run_pages[1])
		__free_page(vcpu->run_pages[1]);
}

static void hb_vcpu_destroy(struct hb_vcpu *vcpu)
{
	struct hb_vm *vm = vcpu->vm;

	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	mutex_unlock(&vm->lock);

	hb_ops->vcpu_free(vcpu);
	hb_fpu_free(vcpu);
	hb_cpuid_free(vcpu);
	hb_vcpu_free_run(vcpu);
	kfree(vcpu);
	atomic64_dec(&hb_stat_vcpus);
	hb_vm_put(vm);
}

static int hb_vcpu_release(struct inode *inode, struct file *filp)
{
	hb_vcpu_destroy(filp->private_data);
	return 0;
}

static const struct file_operations hb_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hb_vcpu_release,
	.unlocked_ioctl = hb_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = hb_vcpu_mmap,
	.llseek = noop_llseek,
};

int hb_vcpu_create(struct hb_vm *vm, unsigned long id)
{
	struct hb_vcpu *vcpu;
	int ret, fd;

	if (id >= HB_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	hb_vcpu_halt_init(vcpu);
	mutex_init(&vcpu->mutex);
	vcpu->rflags = HB_RFLAGS_FIXED1;
	vcpu->rip = 0xfff0;
	vcpu->regs[HB_RDX] = 0x600;	/* family 6 "processor signature" */
	vcpu->apic_base = 0xfee00000 | BIT(11) | (id ? 0 : BIT(8));
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_FAST_STRING;

	vcpu->run_pages[0] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	vcpu->run_pages[1] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_pages[0] || !vcpu->run_pages[1]) {
		ret = -ENOMEM;
		goto err_run;
	}
	vcpu->run = page_address(vcpu->run_pages[0]);

	ret = hb_fpu_alloc(vcpu);
	if (ret)
		goto err_run;
	ret = hb_ops->vcpu_create(vcpu);
	if (ret)
		goto err_fpu;

	mutex_lock(&vm->lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->lock);
		ret = -EEXIST;
		goto err_backend;
	}
	vm->vcpus[id] = vcpu;
	refcount_inc(&vm->users);
	mutex_unlock(&vm->lock);
	atomic64_inc(&hb_stat_vcpus);

	fd = anon_inode_getfd("hyperbox-vcpu", &hb_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hb_vcpu_destroy(vcpu);
	return fd;

err_backend:
	hb_ops->vcpu_free(vcpu);
err_fpu:
	hb_fpu_free(vcpu);
err_run:
	hb_vcpu_free_run(vcpu);
	kfree(vcpu);
	return ret;
}
