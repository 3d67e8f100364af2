// SPDX-License-Identifier: GPL-2.0
/* Port I/O exits to userspace: every size, both directions, rep strings. */
#include "lib/hb_util.h"

#define PORT_OUT	0xe0
#define PORT_IN		0xe4

static const char message[] = "hello from rep outsb";
static char inbuf[64];

static void guest_pio(void)
{
	unsigned int i;

	outb(PORT_OUT, 0xab);
	outw(PORT_OUT, 0xbeef);
	outl(PORT_OUT, 0xdeadbeef);
	GUEST_ASSERT_EQ(inb(PORT_IN), 0x5a);
	GUEST_ASSERT_EQ(inw(PORT_IN), 0x1234);
	GUEST_ASSERT_EQ(inl(PORT_IN), 0x89abcdef);
	rep_outsb(PORT_OUT, message, sizeof(message));
	rep_insb(PORT_IN, inbuf, 32);
	for (i = 0; i < 32; i++)
		GUEST_ASSERT_EQ(inbuf[i], (char)(i * 7 + 1));
}

static void expect_io(struct vcpu *vcpu, int dir, int size, uint16_t port)
{
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT(vcpu, HB_EXIT_IO);
	TEST_ASSERT_EQ(vcpu->run->io.direction, dir);
	TEST_ASSERT_EQ(vcpu->run->io.size, size);
	TEST_ASSERT_EQ(vcpu->run->io.port, port);
	TEST_ASSERT(vcpu->run->io.data_offset >= sizeof(struct hb_run) &&
		    vcpu->run->io.data_offset < vcpu->hb.run_size,
		    "data_offset 0x%llx outside the mapping",
		    (unsigned long long)vcpu->run->io.data_offset);
}

static uint32_t io_data(struct vcpu *vcpu)
{
	uint32_t v = 0;

	memcpy(&v, hb_run_io_data(vcpu->run), vcpu->run->io.size);
	return v;
}

HB_TEST(out_of_every_size)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_pio);

	expect_io(vcpu, HB_EXIT_IO_OUT, 1, PORT_OUT);
	TEST_ASSERT_EQ(vcpu->run->io.count, 1);
	TEST_ASSERT_EQ(io_data(vcpu), 0xab);
	expect_io(vcpu, HB_EXIT_IO_OUT, 2, PORT_OUT);
	TEST_ASSERT_EQ(io_data(vcpu), 0xbeef);
	expect_io(vcpu, HB_EXIT_IO_OUT, 4, PORT_OUT);
	TEST_ASSERT_EQ(io_data(vcpu), 0xdeadbeef);
	vm_free(vm);
}

static void complete_in(struct vcpu *vcpu, int size, uint32_t value)
{
	expect_io(vcpu, HB_EXIT_IO_IN, size, PORT_IN);
	TEST_ASSERT_EQ(vcpu->run->io.count, 1);
	memcpy(hb_run_io_data(vcpu->run), &value, size);
}

static void run_through_outs(struct vcpu *vcpu)
{
	expect_io(vcpu, HB_EXIT_IO_OUT, 1, PORT_OUT);
	expect_io(vcpu, HB_EXIT_IO_OUT, 2, PORT_OUT);
	expect_io(vcpu, HB_EXIT_IO_OUT, 4, PORT_OUT);
}

HB_TEST(in_of_every_size_reaches_the_guest)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_pio);

	run_through_outs(vcpu);
	complete_in(vcpu, 1, 0x5a);
	complete_in(vcpu, 2, 0x1234);
	complete_in(vcpu, 4, 0x89abcdef);
	/* The guest checks the values; a mismatch is a guest assert here. */
	expect_io(vcpu, HB_EXIT_IO_OUT, 1, PORT_OUT);
	vm_free(vm);
}

/* The module may split a rep string into several exits; gather them. */
HB_TEST(rep_outsb_and_insb_move_whole_strings)
{
	struct vm *vm = vm_create(VMM_MODE_LONG);
	struct vcpu *vcpu = vm_vcpu_add(vm, 0, guest_pio);
	char got[sizeof(message)];
	unsigned int have = 0, i;

	run_through_outs(vcpu);
	complete_in(vcpu, 1, 0x5a);
	complete_in(vcpu, 2, 0x1234);
	complete_in(vcpu, 4, 0x89abcdef);
	while (have < sizeof(message)) {
		expect_io(vcpu, HB_EXIT_IO_OUT, 1, PORT_OUT);
		TEST_ASSERT(vcpu->run->io.count >= 1 &&
			    have + vcpu->run->io.count <= sizeof(message),
			    "count %u after %u bytes", vcpu->run->io.count, have);
		memcpy(got + have, hb_run_io_data(vcpu->run), vcpu->run->io.count);
		have += vcpu->run->io.count;
	}
	TEST_ASSERT(!memcmp(got, message, sizeof(message)), "got '%.*s'",
		    (int)sizeof(got), got);

	have = 0;
	while (have < 32) {
		uint8_t *data;

		expect_io(vcpu, HB_EXIT_IO_IN, 1, PORT_IN);
		TEST_ASSERT(vcpu->run->io.count >= 1 &&
			    have + vcpu->run->io.count <= 32,
			    "count %u after %u bytes", vcpu->run->io.count, have);
		data = hb_run_io_data(vcpu->run);
		for (i = 0; i < vcpu->run->io.count; i++)
			data[i] = (have + i) * 7 + 1;
		have += vcpu->run->io.count;
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}
