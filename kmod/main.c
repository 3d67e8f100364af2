// SPDX-License-Identifier: GPL-2.0
/*
 * hyperbox: /dev/hyperbox, backend selection and per-CPU virtualization
 * enable. Virtualization (EFER.SVME or VMXON) is turned on for every CPU
 * when the first VM is created and off again when the last one goes away,
 * so that the host's own KVM can load whenever no hyperbox VM exists.
 */
#define pr_fmt(fmt) "hyperbox: " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/smp.h>
#include "hb.h"

const struct hb_backend_ops *hb_ops;

#define HB_EXIT_OP(op)							\
	DEFINE_STATIC_CALL_NULL(hb_op_##op, *(((struct hb_backend_ops *)0)->op))
#include "hb_exit_ops.h"

/* Before anything can run a guest: point the static calls at hb_ops. */
static void hb_ops_patch(void)
{
#define HB_EXIT_OP(op)							\
	static_call_update(hb_op_##op,					\
			   (void *)hb_ops->op ?: (void *)__static_call_return0)
#include "hb_exit_ops.h"
}

static DEFINE_MUTEX(hb_virt_lock);
static unsigned int hb_virt_users;
static enum cpuhp_state hb_cpuhp_state;
static bool hb_cpuhp_registered;

const struct hb_backend_ops * __weak hb_vmx_probe(void)
{
	return NULL;
}

static void hb_cpu_enable_one(void *failed)
{
	int ret = hb_ops->cpu_enable();

	if (ret)
		atomic_cmpxchg(failed, 0, ret);
}

static void hb_cpu_disable_one(void *unused)
{
	hb_ops->cpu_disable();
}

static int hb_cpu_online(unsigned int cpu)
{
	/* Called on @cpu itself, only while VMs exist. */
	return hb_ops->cpu_enable();
}

static int hb_cpu_offline(unsigned int cpu)
{
	hb_ops->cpu_disable();
	return 0;
}

/*
 * hb_virt_get() - make sure every online CPU can run guests.
 *
 * The backends' cpu_enable() refuses with -EBUSY when another hypervisor
 * already owns the CPU (EFER.SVME set, or CR4.VMXE set by kvm since Linux
 * 6.12 enables virtualization at module load).
 */
int hb_virt_get(void)
{
	atomic_t failed = ATOMIC_INIT(0);
	int ret = 0;

	mutex_lock(&hb_virt_lock);
	if (hb_virt_users++)
		goto out;

	cpus_read_lock();
	on_each_cpu(hb_cpu_enable_one, &failed, 1);
	ret = atomic_read(&failed);
	if (!ret) {
		ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
							   "hyperbox:online",
							   hb_cpu_online,
							   hb_cpu_offline);
		if (ret >= 0) {
			hb_cpuhp_state = ret;
			hb_cpuhp_registered = true;
			ret = 0;
		}
	}
	if (ret) {
		on_each_cpu(hb_cpu_disable_one, NULL, 1);
		hb_virt_users = 0;
	}
	cpus_read_unlock();
out:
	mutex_unlock(&hb_virt_lock);
	return ret;
}

void hb_virt_put(void)
{
	mutex_lock(&hb_virt_lock);
	if (!--hb_virt_users) {
		cpus_read_lock();
		if (hb_cpuhp_registered)
			cpuhp_remove_state_nocalls_cpuslocked(hb_cpuhp_state);
		hb_cpuhp_registered = false;
		on_each_cpu(hb_cpu_disable_one, NULL, 1);
		cpus_read_unlock();
	}
	mutex_unlock(&hb_virt_lock);
}

static long hb_check_extension(long cap)
{
	switch (cap) {
	case HB_CAP_MAX_VCPUS:
		return HB_MAX_VCPUS;
	case HB_CAP_NR_MEMSLOTS:
		return HB_NR_MEMSLOTS;
	case HB_CAP_READONLY_MEM:
	case HB_CAP_IMMEDIATE_EXIT:
	case HB_CAP_MMIO:
	case HB_CAP_IRQ_WINDOW:
	case HB_CAP_VCPU_EVENTS:
	case HB_CAP_CPUID:
	case HB_CAP_MSRS:
	case HB_CAP_FPU:
	case HB_CAP_DOORBELL:
	case HB_CAP_IRQFD:
		return 1;
	case HB_CAP_RING:
		return BIT(HB_RING_BACKEND_LOOPBACK) | BIT(HB_RING_BACKEND_TAP) |
		       BIT(HB_RING_BACKEND_STREAM);
	case HB_CAP_MAX_MEM_SIZE_MB:
		return HB_MAX_SLOT_SIZE >> 20;
	default:
		return hb_ops->check_extension(cap);
	}
}

static long hb_dev_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	switch (cmd) {
	case HB_GET_API_VERSION:
		return arg ? -EINVAL : HB_API_VERSION;
	case HB_CHECK_EXTENSION:
		return hb_check_extension(arg);
	case HB_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : 2 * PAGE_SIZE;
	case HB_CREATE_VM:
		return hb_vm_create(arg);
	case HB_GET_SUPPORTED_CPUID:
		return hb_cpuid_get_supported((void __user *)arg);
	case HB_GET_MSR_INDEX_LIST:
		return hb_msr_index_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hb_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hb_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hyperbox",
	.fops = &hb_dev_fops,
	.mode = 0660,
};

static int __init hb_init(void)
{
	int ret;

	hb_ops = hb_svm_probe();
	if (!hb_ops)
		hb_ops = hb_vmx_probe();
	if (!hb_ops) {
		pr_err("no usable AMD SVM or Intel VMX support on this CPU\n");
		return -ENODEV;
	}
	hb_ops_patch();

	ret = hb_stats_init();
	if (ret)
		goto err_unload;

	ret = misc_register(&hb_misc);
	if (ret)
		goto err_stats;
	pr_info("loaded, backend %s\n", hb_ops->name);
	return 0;

err_stats:
	hb_stats_exit();
err_unload:
	hb_ops->unload();
	return ret;
}

/*
 * Every VM and vCPU file holds a reference on this module (fops.owner), so
 * rmmod is refused while any VM exists and hb_exit() never races a guest.
 */
static void __exit hb_exit(void)
{
	misc_deregister(&hb_misc);
	/* Doorbells are freed after a grace period: let those finish. */
	rcu_barrier();
	hb_stats_exit();
	hb_ops->unload();
}

module_init(hb_init);
module_exit(hb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hyperbox: a small hypervisor with SVM and VMX backends");
MODULE_AUTHOR("hyperbox developers");
