/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend ops an exit can reach, called as static calls (hb_op() in
 * hb.h). Included with HB_EXIT_OP(op) defined: hb.h declares them,
 * main.c defines them and points them at the chosen backend. No include
 * guard: each inclusion expands the list anew.
 */
HB_EXIT_OP(vcpu_enter);
HB_EXIT_OP(fastpath);
HB_EXIT_OP(handle_exit);
HB_EXIT_OP(fpu_trap);
HB_EXIT_OP(cpu_mode);
HB_EXIT_OP(segment_base);
HB_EXIT_OP(get_paging);
HB_EXIT_OP(exit_insn_bytes);
HB_EXIT_OP(get_msr);
HB_EXIT_OP(set_msr);
HB_EXIT_OP(tdp_leaf);
HB_EXIT_OP(tdp_table);
HB_EXIT_OP(tdp_present);
HB_EXIT_OP(inject_exception);
HB_EXIT_OP(inject_irq);
HB_EXIT_OP(inject_nmi);
HB_EXIT_OP(interrupt_allowed);
HB_EXIT_OP(nmi_allowed);
HB_EXIT_OP(enable_irq_window);
HB_EXIT_OP(enable_nmi_window);
HB_EXIT_OP(set_interrupt_shadow);

#undef HB_EXIT_OP
