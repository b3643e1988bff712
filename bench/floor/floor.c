// SPDX-License-Identifier: GPL-2.0-only
/* Loads floor.bpf.o, attaches the named empty programs, says "ready", and waits for SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int wanted(const char *name, int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	int rc = 1, attached = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s floor.bpf.o PROGRAM...\n", argv[0]);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		perror(argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		bpf_program__set_autoload(prog, wanted(bpf_program__name(prog), argc, argv));
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floor: load failed\n");
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!wanted(bpf_program__name(prog), argc, argv))
			continue;
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "floor: cannot attach %s\n", bpf_program__name(prog));
			goto out;
		}
		attached++;
	}
	if (attached != argc - 2) {
		fprintf(stderr, "floor: %d of %d programs found\n", attached, argc - 2);
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	rc = 0;
out:
	bpf_object__close(obj); /* links leak on purpose: closing the process detaches them */
	return rc;
}
