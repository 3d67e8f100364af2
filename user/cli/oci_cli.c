// SPDX-License-Identifier: GPL-2.0
/* Argument parsing and output for the OCI verbs; the work is in user/container. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "../container/container.h"
#include "../container/security.h"
#include "../net/net.h"
#include "oci_cli.h"

struct globals {
	const char *root;
	const char *log;
	const char *log_format;
	bool systemd_cgroup;
};

static struct globals g;

static void log_error(const char *msg)
{
	cleanup_fclose FILE *f = NULL;
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;

	fprintf(stderr, "hyperbox: %s\n", msg);
	if (!g.log)
		return;
	f = fopen(g.log, "ae");
	if (!f)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (g.log_format && !strcmp(g.log_format, "json")) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(ts));
		fprintf(f, "%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", ts, msg);
	}
}

static int fail_err(hb_err_t *err)
{
	log_error(*err ? (*err)->msg : "unknown error");
	hb_error_free(err);
	return 1;
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error(buf);
	return 2;
}

int oci_parse_signal(const char *s)
{
	char *end;
	long n;
	int i;

	if (!s || !*s)
		return -1;
	n = strtol(s, &end, 10);
	if (!*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN+", 6)) {
		n = strtol(s + 6, &end, 10);
		return !*end && SIGRTMIN + n <= SIGRTMAX ? SIGRTMIN + (int)n : -1;
	}
	for (i = 1; i < SIGRTMIN; i++) {
		const char *abbrev = sigabbrev_np(i);

		if (abbrev && !strcasecmp(abbrev, s))
			return i;
	}
	return -1;
}

/*
 * Tiny option matcher: "--name value", "--name=value" and short "-x value".
 * Returns 1 and sets *val (NULL for flags) when argv[*i] matches.
 */
static int opt(int argc, char **argv, int *i, const char *lng, char shrt,
	       bool has_arg, const char **val)
{
	const char *a = argv[*i], *name;
	size_t l = strlen(lng);

	if (shrt && a[0] == '-' && a[1] == shrt && !a[2])
		goto matched;
	if (a[0] != '-')
		return 0;
	/* --name and, as runc accepts, -name. */
	name = a + 1 + (a[1] == '-');
	if (strncmp(name, lng, l))
		return 0;
	if (name[l] == '=' && has_arg) {
		*val = name + l + 1;
		return 1;
	}
	if (name[l] != '\0')
		return 0;
matched:
	if (!has_arg)
		return 1;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

#define OPT_ARG(lng, shrt, dst)						\
	({								\
		const char *__v = NULL;					\
		int __r = opt(argc, argv, &i, lng, shrt, true, &__v);	\
		if (__r < 0)						\
			return usage_error("option --%s needs a value", lng); \
		if (__r > 0)						\
			dst = __v;					\
		__r > 0;						\
	})
#define OPT_FLAG(lng, shrt)						\
	(opt(argc, argv, &i, lng, shrt, false, NULL) > 0)

static int parse_int_arg(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 0 || v > 1 << 20)
		return -1;
	*out = v;
	return 0;
}

/* create and run share their options; run adds -t and -d. */
static int cmd_create_run(int argc, char **argv, bool run)
{
	cleanup_err hb_err_t err = NULL;
	const char *layers[32], *id = NULL, *pfds = NULL, *ignored;
	struct hb_opts o = { .root = g.root, .systemd_cgroup = g.systemd_cgroup,
			     .layers = layers };
	int i, status = 0;

	for (i = 1; i < argc; i++) {
		const char *layer = NULL;

		if (OPT_ARG("bundle", 'b', o.bundle) ||
		    OPT_ARG("pid-file", 0, o.pid_file) ||
		    OPT_ARG("console-socket", 0, o.console_socket) ||
		    OPT_ARG("preserve-fds", 0, pfds) ||
		    OPT_ARG("network", 0, o.net_bridge) ||
		    OPT_ARG("upper", 0, o.upper))
			continue;
		if (OPT_ARG("layer", 0, layer)) {
			if (o.n_layers == ARRAY_SIZE(layers))
				return usage_error("too many --layer options");
			layers[o.n_layers++] = layer;
			continue;
		}
		if (OPT_FLAG("no-pivot", 0)) {
			o.no_pivot = true;
			continue;
		}
		if (OPT_FLAG("no-new-keyring", 0) || OPT_FLAG("keep", 0))
			continue;
		if (OPT_ARG("log", 0, ignored)) {
			(void)ignored;
			continue;
		}
		if (run && OPT_FLAG("tty", 't')) {
			o.tty = true;
			continue;
		}
		if (run && OPT_FLAG("detach", 'd')) {
			o.detach = true;
			continue;
		}
		if (argv[i][0] == '-')
			return usage_error("%s: unknown option `%s`", argv[0],
					   argv[i]);
		if (id)
			return usage_error("%s: unexpected argument `%s`",
					   argv[0], argv[i]);
		id = argv[i];
	}
	if (!id)
		return usage_error("%s: container ID missing", argv[0]);
	if (pfds && parse_int_arg(pfds, &o.preserve_fds) < 0)
		return usage_error("bad --preserve-fds `%s`", pfds);
	if (state_check_id(id, &err) < 0)
		return fail_err(&err);
	if (!run)
		return container_create(id, &o, &err) < 0 ? fail_err(&err) : 0;
	if (container_run(id, &o, &status, &err) < 0)
		return fail_err(&err);
	return status;
}

static int cmd_start(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;

	if (argc != 2)
		return usage_error("usage: start ID");
	return container_start(g.root, argv[1], &err) < 0 ? fail_err(&err) : 0;
}

static int cmd_state(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	cleanup_free char *json = NULL;

	if (argc != 2)
		return usage_error("usage: state ID");
	if (container_state_json(g.root, argv[1], &json, &err) < 0)
		return fail_err(&err);
	puts(json);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	const char *id = NULL, *sig = "SIGTERM", *sig_opt = NULL;
	bool all = false;
	int i, signo;

	for (i = 1; i < argc; i++) {
		if (OPT_FLAG("all", 'a')) {
			all = true;
			continue;
		}
		if (OPT_ARG("signal", 's', sig_opt))
			continue;
		if (argv[i][0] == '-' && oci_parse_signal(argv[i] + 1) < 0)
			return usage_error("kill: unknown option `%s`", argv[i]);
		if (!id)
			id = argv[i];
		else
			sig = argv[i];
	}
	if (sig_opt)
		sig = sig_opt;
	if (!id)
		return usage_error("usage: kill [--all] ID [SIGNAL]");
	signo = oci_parse_signal(sig);
	if (signo < 0)
		return usage_error("kill: unknown signal `%s`", sig);
	if (container_kill(g.root, id, signo, all, &err) < 0)
		return fail_err(&err);
	return 0;
}

static int cmd_delete(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	const char *id = NULL;
	bool force = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (OPT_FLAG("force", 'f')) {
			force = true;
			continue;
		}
		if (argv[i][0] == '-')
			return usage_error("delete: unknown option `%s`", argv[i]);
		id = argv[i];
	}
	if (!id)
		return usage_error("usage: delete [--force] ID");
	if (container_delete(g.root, id, force, &err) < 0) {
		/* podman deletes twice; a missing container is done already. */
		if (force && err && strstr(err->msg, "does not exist"))
			return 0;
		return fail_err(&err);
	}
	return 0;
}

static int cmd_exec(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	const char *env[64], *id = NULL, *pfds = NULL, *e = NULL;
	struct hb_exec_opts o = { .env = env };
	int i, status = 0;

	for (i = 1; i < argc && !o.args; i++) {
		if (OPT_ARG("process", 'p', o.process_file) ||
		    OPT_ARG("cwd", 0, o.cwd) || OPT_ARG("user", 'u', o.user) ||
		    OPT_ARG("pid-file", 0, o.pid_file) ||
		    OPT_ARG("console-socket", 0, o.console_socket) ||
		    OPT_ARG("preserve-fds", 0, pfds))
			continue;
		if (OPT_ARG("env", 'e', e)) {
			if (o.n_env == ARRAY_SIZE(env))
				return usage_error("exec: too many --env");
			if (!spec_env_entry_ok(e))
				return usage_error("exec: --env `%s` is not NAME=VALUE",
						   e);
			env[o.n_env++] = e;
			continue;
		}
		if (OPT_FLAG("tty", 't')) {
			o.tty = true;
			continue;
		}
		if (OPT_FLAG("detach", 'd')) {
			o.detach = true;
			continue;
		}
		if (argv[i][0] == '-' && !id)
			return usage_error("exec: unknown option `%s`", argv[i]);
		if (!id) {
			id = argv[i];
		} else {
			o.args = (const char **)argv + i;
			o.n_args = argc - i;
		}
	}
	if (!id || (!o.args && !o.process_file))
		return usage_error("usage: exec [options] ID COMMAND [ARG...]");
	if (pfds && parse_int_arg(pfds, &o.preserve_fds) < 0)
		return usage_error("bad --preserve-fds `%s`", pfds);
	if (container_exec(g.root, id, &o, &status, &err) < 0)
		return fail_err(&err);
	return status;
}

struct list_ctx {
	bool json, quiet;
	struct json_object *arr;
};

static int list_one(const char *id, void *arg)
{
	struct list_ctx *l = arg;
	cleanup_err hb_err_t err = NULL;
	cleanup_free char *text = NULL;
	struct json_object *o;

	if (l->quiet) {
		puts(id);
		return 0;
	}
	if (container_state_json(g.root, id, &text, &err) < 0)
		return 0;
	o = json_tokener_parse(text);
	if (!o)
		return 0;
	if (l->json) {
		json_object_array_add(l->arr, o);
		return 0;
	}
	{
		struct json_object *pid, *status, *bundle, *created;

		json_object_object_get_ex(o, "pid", &pid);
		json_object_object_get_ex(o, "status", &status);
		json_object_object_get_ex(o, "bundle", &bundle);
		json_object_object_get_ex(o, "created", &created);
		printf("%-20s %-8d %-10s %-40s %s\n", id, json_object_get_int(pid),
		       json_object_get_string(status),
		       json_object_get_string(bundle),
		       created ? json_object_get_string(created) : "");
	}
	json_object_put(o);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	struct list_ctx l = { 0 };
	const char *fmt = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (OPT_ARG("format", 'f', fmt))
			continue;
		if (OPT_FLAG("quiet", 'q')) {
			l.quiet = true;
			continue;
		}
		return usage_error("list: unknown argument `%s`", argv[i]);
	}
	if (fmt && strcmp(fmt, "json") && strcmp(fmt, "table"))
		return usage_error("list: --format must be table or json, not `%s`",
				   fmt);
	l.json = fmt && !strcmp(fmt, "json");
	if (l.json)
		l.arr = json_object_new_array();
	else if (!l.quiet)
		printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS",
		       "BUNDLE", "CREATED");
	if (state_foreach(g.root, list_one, &l, &err) < 0)
		return fail_err(&err);
	if (l.json) {
		puts(json_object_to_json_string_ext(l.arr,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(l.arr);
	}
	return 0;
}

static int cmd_spec(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	cleanup_free char *text = NULL, *path = NULL;
	const char *bundle = ".";
	bool rootless = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (OPT_ARG("bundle", 'b', bundle))
			continue;
		if (OPT_FLAG("rootless", 0)) {
			rootless = true;
			continue;
		}
		return usage_error("spec: unknown argument `%s`", argv[i]);
	}
	text = spec_default_json(rootless);
	path = xasprintf("%s/config.json", bundle);
	if (access(path, F_OK) == 0)
		return usage_error("spec: `%s` already exists", path);
	if (write_file_fmt(path, &err, "%s\n", text) < 0)
		return fail_err(&err);
	return 0;
}

static int cmd_net(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	const char *subnet = NULL, *name = NULL, *verb = argc > 1 ? argv[1] : "";
	bool force = false;
	int i;

	for (i = 2; i < argc; i++) {
		if (OPT_ARG("subnet", 0, subnet))
			continue;
		if (OPT_FLAG("force", 'f')) {
			force = true;
			continue;
		}
		if (argv[i][0] == '-' || name)
			return usage_error("net: unexpected argument `%s`", argv[i]);
		name = argv[i];
	}
	if (!strcmp(verb, "list") || !strcmp(verb, "ls"))
		return hbnet_list(g.root, &err) < 0 ? fail_err(&err) : 0;
	if (!strcmp(verb, "create") && name)
		return hbnet_create(g.root, name, subnet ? subnet : "10.88.0.1/24",
				    &err) < 0 ? fail_err(&err) : 0;
	if ((!strcmp(verb, "delete") || !strcmp(verb, "rm")) && name)
		return hbnet_delete(g.root, name, force, &err) < 0 ?
		       fail_err(&err) : 0;
	return usage_error("usage: net create NAME [--subnet A.B.C.D/N] | net delete NAME [--force] | net list");
}

static void usage(FILE *f)
{
	fputs("usage: hyperbox [--root DIR] [--log FILE] [--log-format text|json]\n"
	      "                [--systemd-cgroup] COMMAND\n"
	      "  create [--bundle DIR] [--pid-file F] [--console-socket S]\n"
	      "         [--network BRIDGE] [--layer DIR]... [--upper DIR] ID\n"
	      "  start ID | state ID | kill [--all] ID [SIGNAL]\n"
	      "  delete [--force] ID | list [--format json] [-q]\n"
	      "  run [create options] [-t] [-d] ID\n"
	      "  exec [-t] [-d] [--env K=V] [--cwd D] [--user U[:G]]\n"
	      "       [--process F] ID CMD...\n"
	      "  spec [--rootless] [--bundle DIR]\n"
	      "  net create NAME [--subnet A.B.C.D/N] | net delete NAME | net list\n",
	      f);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool guard;	/* enters a container: CVE-2019-5736 re-exec */
} verbs[] = {
	{ "create", NULL, true }, { "run", NULL, true },
	{ "start", cmd_start, false }, { "state", cmd_state, false },
	{ "kill", cmd_kill, false }, { "delete", cmd_delete, false },
	{ "exec", cmd_exec, true }, { "list", cmd_list, false },
	{ "ps", cmd_list, false }, { "spec", cmd_spec, false },
	{ "net", cmd_net, false },
};

int oci_cli_main(int argc, char **argv)
{
	cleanup_err hb_err_t err = NULL;
	const char *ignored;
	size_t v;
	int i;

	memset(&g, 0, sizeof(g));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (OPT_ARG("root", 0, g.root) || OPT_ARG("log", 0, g.log) ||
		    OPT_ARG("log-format", 0, g.log_format) ||
		    OPT_ARG("cgroup-manager", 0, ignored) ||
		    OPT_ARG("rootless", 0, ignored) ||
		    OPT_ARG("criu", 0, ignored))
			continue;
		if (OPT_FLAG("systemd-cgroup", 0)) {
			g.systemd_cgroup = true;
			continue;
		}
		if (OPT_FLAG("debug", 0)) {
			(void)ignored;
			continue;
		}
		if (OPT_FLAG("help", 'h')) {
			usage(stdout);
			return 0;
		}
		return usage_error("unknown global option `%s`", argv[i]);
	}
	if (g.log_format && strcmp(g.log_format, "text") &&
	    strcmp(g.log_format, "json")) {
		const char *bad = g.log_format;

		g.log_format = NULL;	/* the error itself goes out as text */
		return usage_error("--log-format must be text or json, not `%s`",
				   bad);
	}
	if (!g.root)
		g.root = state_default_root();
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (v = 0; v < ARRAY_SIZE(verbs); v++) {
		if (strcmp(argv[i], verbs[v].name))
			continue;
		if (verbs[v].guard && !getenv("HYPERBOX_NO_EXE_GUARD") &&
		    exe_guard_reexec(argv, &err) < 0)
			return fail_err(&err);
		if (!verbs[v].fn)
			return cmd_create_run(argc - i, argv + i,
					      !strcmp(argv[i], "run"));
		return verbs[v].fn(argc - i, argv + i);
	}
	return usage_error("unknown command `%s` (see --help)", argv[i]);
}
