/* SPDX-License-Identifier: GPL-2.0 */
/* The SVM backend's assembly entry (svm_vmrun.S). */
#ifndef HB_SVM_H
#define HB_SVM_H

#include <linux/types.h>

void hb_svm_vmrun(unsigned long vmcb_pa, u64 *regs,
		  unsigned long host_state_pa);

#endif /* HB_SVM_H */
