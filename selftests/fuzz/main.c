// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: the ioctl fuzzer's driver. Usage:
 *
 *   fuzz [--seed N] [--seconds N] [--iterations N] [--start I]
 *        [--threads N] [--full] [-v]
 *
 * Defaults come from the kernel command line of the test guest when
 * present (hb.fuzz_seconds=N, hb.fuzz_seed=N, hb.fuzz_start=I,
 * hb.fuzz_iterations=N, hb.fuzz_full=1; see `make fuzz`), else a
 * 25 s budget and a seed from the clock. The seed is printed first; a
 * failing iteration is replayed with --seed S --start I --iterations 1.
 *
 * Output: TAP, and the lines "# fuzz iterations run: N" and "# leaks
 * found: N" that scripts/tap-summary.sh adds up.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "verdict.h"

#ifndef FUZZ_VERSION
#define FUZZ_VERSION "dev"
#endif

struct shared {
	uint64_t ioctls, runs, findings;
	char finding[512];
};

static struct shared *sh;
static int verbose;
static unsigned int max_threads = 3;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void fuzz_finding(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->findings, 1, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->finding, sizeof(sh->finding), fmt, ap);
	va_end(ap);
}

/* A process that inherited the fds: every VM/vCPU ioctl must refuse it. */
static void op_fork(struct fuzz_world *w)
{
	pid_t pid = fork();
	int i, idx;

	if (pid == 0) {
		for (i = 0; i < 8; i++) {
			idx = world_pick_any(w);
			if (idx >= 0 && rnd_chance(2))
				fuzz_op_garbage(w);
			else if (rnd_chance(2))
				fuzz_op_vcpu(w);
			else
				fuzz_op_vm(w);
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void one_op(struct fuzz_world *w)
{
	unsigned int r = rnd(100);

	if (r < 22)
		fuzz_op_vcpu(w);
	else if (r < 36)
		fuzz_op_vm(w);
	else if (r < 50)
		fuzz_op_run(w);
	else if (r < 56)
		fuzz_op_scenario(w);
	else if (r < 66)
		fuzz_op_memory(w);
	else if (r < 80)
		fuzz_op_garbage(w);
	else if (r < 86)
		fuzz_op_sys(w);
	else if (r < 98)
		fuzz_op_ring(w);
	else if (r < 99)
		op_fork(w);
	else
		world_close(w, world_pick_any(w));
}

struct thread_arg {
	struct fuzz_world *w;
	uint64_t seed;
	pthread_t tid;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	unsigned int i;

	rnd_seed(a->seed);
	for (i = 0; i < a->w->max_ops && now_ns() < a->w->deadline_ns; i++)
		one_op(a->w);
	return NULL;
}

/*
 * The child's own watchdog: past its deadline the process exits, killing
 * threads that may still sit in HB_RUN (the module must let them go).
 */
static void *watchdog(void *p)
{
	struct fuzz_world *w = p;

	while (now_ns() < w->deadline_ns + 1000000000ull)
		usleep(20000);
	_exit(0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void child_main(uint64_t seed, uint64_t iter)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct thread_arg args[FUZZ_MAX_THREADS];
	static struct fuzz_world w;
	unsigned int i, n;
	uint64_t grace;
	pthread_t wd;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: HB_RUN gets EINTR */
	signal(SIGPIPE, SIG_IGN);
	fuzz_args_init();
	rnd_seed(mix_seed(seed, iter));
	pthread_mutex_init(&w.lock, NULL);
	w.ioctls = &sh->ioctls;
	w.runs = &sh->runs;
	w.deadline_ns = now_ns() + (100 + rnd(700)) * 1000000ull;
	w.max_ops = 20 + rnd(200);
	n = 1 + rnd(max_threads);
	pthread_create(&wd, NULL, watchdog, &w);
	for (i = 0; i < n; i++) {
		args[i].w = &w;
		args[i].seed = mix_seed(mix_seed(seed, iter), i + 1);
		if (i && pthread_create(&args[i].tid, NULL, thread_main, &args[i]))
			n = i;
	}
	thread_main(&args[0]);
	/* Threads still in HB_RUN get a moment, then die with the process. */
	grace = now_ns() + 300000000ull;
	for (i = 1; i < n; i++)
		while (pthread_tryjoin_np(args[i].tid, NULL) && now_ns() < grace)
			usleep(1000);
	switch (rnd(3)) {
	case 0:
		world_close_all(&w);
		break;
	case 1:	/* in reverse creation order: vCPUs after their VM */
		for (i = FUZZ_MAX_FDS; i-- > 0;)
			world_close(&w, i);
		break;
	default:	/* leave it all to exit(): mm and files torn down together */
		break;
	}
	_exit(0);
}

enum { T_HANG, T_SPLAT, T_LEAK, T_RUNPAGE, T_SANE, T_MAX };

static const char *const test_names[T_MAX] = {
	"every iteration's process exited (no task stuck in the kernel)",
	"no kernel splat (Oops/BUG/WARNING/KASAN/lockdep/stall) during fuzzing",
	"debugfs counters back to zero after every iteration",
	"run page contents sane after every HB_RUN",
	"a fresh VM still runs a guest after fuzzing",
};

struct opts {
	uint64_t seed, start, iterations;
	unsigned int seconds;
};

static uint64_t cmdline_knob(const char *name, uint64_t def)
{
	char buf[4096], *p;
	FILE *f = fopen("/proc/cmdline", "re");
	size_t n;

	if (!f)
		return def;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strstr(buf, name);
	if (!p || p[strlen(name)] != '=')
		return def;
	return strtoull(p + strlen(name) + 1, NULL, 0);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	o->seed = cmdline_knob("hb.fuzz_seed", now_ns() ^ ((uint64_t)getpid() << 32));
	o->seconds = cmdline_knob("hb.fuzz_seconds", 25);
	verbose = cmdline_knob("hb.fuzz_verbose", 0);
	fuzz_gentle = !cmdline_knob("hb.fuzz_full", 0);
	o->start = cmdline_knob("hb.fuzz_start", 0);
	o->iterations = cmdline_knob("hb.fuzz_iterations", UINT64_MAX);
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
			continue;
		}
		if (!strcmp(argv[i], "--full")) {
			fuzz_gentle = false;
			continue;
		}
		if (!v) {
			fprintf(stderr, "fuzz: %s needs a value\n", argv[i]);
			exit(2);
		}
		if (!strcmp(argv[i], "--seed"))
			o->seed = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			o->seconds = strtoul(v, NULL, 0);
		else if (!strcmp(argv[i], "--iterations"))
			o->iterations = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "--start"))
			o->start = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "--threads"))
			max_threads = atoi(v) < 1 ? 1 : atoi(v) > FUZZ_MAX_THREADS ?
				      FUZZ_MAX_THREADS : atoi(v);
		else {
			fprintf(stderr, "usage: fuzz [--seed N] [--seconds N] [--iterations N] [--start I] [--threads N] [--full] [-v]\n");
			exit(2);
		}
		i++;
	}
}

/* Waits for the iteration's child. Returns 0, or -1 if it never died. */
static int reap(pid_t pid, int *status)
{
	uint64_t t0 = now_ns(), killed = 0;

	for (;;) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return 0;
		if (!killed && now_ns() - t0 > 20000000000ull) {
			kill(pid, SIGKILL);
			killed = now_ns();
		}
		if (killed && now_ns() - killed > 20000000000ull)
			return -1;
		usleep(now_ns() - t0 < 50000000ull ? 500 : 5000);
	}
}

int main(int argc, char **argv)
{
	char why[T_MAX][600] = { { 0 } };
	uint64_t iter, done = 0, t0, end, crashes = 0;
	struct opts o;
	bool stop = false, have_counters;
	int status, i, fd, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_opts(argc, argv, &o);
	printf("TAP version 13\n");
	fd = open("/dev/hyperbox", O_RDWR);
	if (fd < 0) {
		printf("1..0 # SKIP /dev/hyperbox: %s\n", strerror(errno));
		return 4;
	}
	close(fd);
	printf("1..%d\n", T_MAX);
	printf("# fuzz %s: seed %" PRIu64 ", budget %u s, up to %u threads, %s profile; replay: fuzz --seed %" PRIu64 "%s (same fuzz build)\n",
	       FUZZ_VERSION, o.seed, o.seconds, max_threads,
	       fuzz_gentle ? "gentle" : "full", o.seed, fuzz_gentle ? "" : " --full");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	have_counters = verdict_counters_zero(NULL, 0) != -ENOENT;
	verdict_kmsg_open();
	if (verbose)
		verdict_print_module_text();
	t0 = now_ns();
	end = t0 + o.seconds * 1000000000ull;

	for (iter = o.start; !stop && iter - o.start < o.iterations && now_ns() < end; iter++) {
		pid_t pid;

		sh->findings = 0;
		if (verbose)
			printf("# iteration %" PRIu64 "\n", iter);
		pid = fork();
		if (pid == 0)
			child_main(o.seed, iter);
		if (pid < 0)
			break;
		done++;
		if (reap(pid, &status)) {
			snprintf(why[T_HANG], sizeof(why[0]),
				 "iteration %" PRIu64 " (fuzz --seed %" PRIu64 " --start %" PRIu64 " --iterations 1): still alive 20 s after SIGKILL",
				 iter, o.seed, iter);
			stop = true;
		} else if (WIFSIGNALED(status)) {
			crashes++;
			if (verbose)
				printf("# iteration %" PRIu64 ": child killed by signal %d\n",
				       iter, WTERMSIG(status));
		}
		if (sh->findings && !why[T_RUNPAGE][0])
			snprintf(why[T_RUNPAGE], sizeof(why[0]),
				 "iteration %" PRIu64 " (--seed %" PRIu64 " --start %" PRIu64 "): %s",
				 iter, o.seed, iter, sh->finding);
		if (verdict_kmsg_splat(why[T_SPLAT], sizeof(why[0]))) {
			printf("# kernel splat after iteration %" PRIu64 "; replay: fuzz --seed %" PRIu64 " --start %" PRIu64 " --iterations 1\n",
			       iter, o.seed, iter);
			stop = true;
		}
		if (have_counters && !stop &&
		    verdict_counters_settle(why[T_LEAK], sizeof(why[0]))) {
			printf("# leak after iteration %" PRIu64 "; replay: fuzz --seed %" PRIu64 " --start %" PRIu64 " --iterations 1\n",
			       iter, o.seed, iter);
			stop = true;
		}
		if (verbose || (done % 50) == 0)
			printf("# %" PRIu64 " iterations, %" PRIu64 " ioctls, %" PRIu64 " runs\n",
			       done, sh->ioctls, sh->runs);
	}
	if (why[T_HANG][0] || why[T_SPLAT][0]) {
		/* Stall reports and hung-task backtraces come late. */
		sleep(why[T_HANG][0] ? 30 : 3);
		verdict_kmsg_dump_rest();
	}
	if (!why[T_HANG][0])
		verdict_sanity_run(why[T_SANE], sizeof(why[0]));
	for (i = 0; i < T_MAX; i++) {
		if (i == T_LEAK && !have_counters) {
			printf("ok %d - %s # SKIP no /sys/kernel/debug/hyperbox\n", i + 1, test_names[i]);
		} else if (why[i][0]) {
			printf("# %s\nnot ok %d - %s\n", why[i], i + 1, test_names[i]);
			failed = 1;
		} else {
			printf("ok %d - %s\n", i + 1, test_names[i]);
		}
	}
	t0 = now_ns() - t0;
	printf("# fuzz: %" PRIu64 " iterations in %.1f s (%.2f/s), %" PRIu64 " ioctls (%.0f/s), %" PRIu64 " HB_RUNs, %" PRIu64 " iterations ended by a signal in the fuzzer itself\n",
	       done, t0 / 1e9, done / (t0 / 1e9), sh->ioctls, sh->ioctls / (t0 / 1e9),
	       sh->runs, crashes);
	printf("# fuzz iterations run: %" PRIu64 "\n", done);
	printf("# leaks found: %d\n", why[T_LEAK][0] ? 1 : 0);
	printf("# seed %" PRIu64 "\n", o.seed);
	return failed;
}
