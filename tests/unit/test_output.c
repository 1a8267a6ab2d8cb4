// SPDX-License-Identifier: GPL-2.0
/*
 * Output files: a regular file appears whole at commit and not at all on abort, with
 * nothing left in its directory; devices, FIFOs and symlink targets are written in
 * place and keep their type; block devices and directories are refused; a write
 * error keeps its errno; a failure in one output of a set aborts them all. Device
 * nodes are made in a temporary directory (root only), never taken from /dev.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/log.h"
#include "app/output.h"
#include "test.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/procscope-out-XXXXXX");
	if (!mkdtemp(dir))
		test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
	log_verbosity = -1; /* expected errors: keep the output clean */
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		test_fail(__FILE__, __LINE__, "cannot remove %s", dir);
	log_verbosity = 0;
}

static const char *in_dir(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

/* Entries in the directory, "." and ".." aside. */
static int entries(void)
{
	char cmd[128];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

TEST(test_output__new_file_appears_at_commit)
{
	struct output o;
	char buf[64];

	setup();
	CHECK_I64(output_open(&o, in_dir("r.txt")), 0);
	fputs("report\n", o.f);
	fflush(o.f);
	CHECK(access(in_dir("r.txt"), F_OK) != 0); /* not before commit ... */
	CHECK_I64(entries(), 0);		   /* ... and no visible temporary */
	CHECK_I64(output_commit(&o), 0);
	slurp(in_dir("r.txt"), buf, sizeof(buf));
	CHECK_STR(buf, "report\n");
	CHECK_I64(entries(), 1);
	teardown();
}

TEST(test_output__abort_leaves_nothing)
{
	struct output o;
	char buf[64];

	setup();
	CHECK_I64(output_open(&o, in_dir("r.txt")), 0);
	fputs("half", o.f);
	output_abort(&o);
	CHECK_I64(entries(), 0);
	/* an existing file is left as it was */
	slurp(in_dir("r.txt"), buf, sizeof(buf));
	CHECK_I64(output_open(&o, in_dir("r.txt")), 0);
	output_abort(&o);
	CHECK_I64(entries(), 0);
	teardown();
}

TEST(test_output__existing_file_replaced_whole)
{
	struct output o;
	struct stat before, after;
	char buf[64];
	FILE *f;

	setup();
	f = fopen(in_dir("r.txt"), "w");
	fputs("old content, longer than the new\n", f);
	fclose(f);
	stat(in_dir("r.txt"), &before);
	CHECK_I64(output_open(&o, in_dir("r.txt")), 0);
	fputs("new\n", o.f);
	slurp(in_dir("r.txt"), buf, sizeof(buf));
	CHECK_STR(buf, "old content, longer than the new\n"); /* untouched while writing */
	CHECK_I64(output_commit(&o), 0);
	slurp(in_dir("r.txt"), buf, sizeof(buf));
	CHECK_STR(buf, "new\n");
	stat(in_dir("r.txt"), &after);
	CHECK(before.st_ino != after.st_ino); /* a new file renamed over, not rewritten */
	CHECK_I64(entries(), 1);
	teardown();
}

TEST(test_output__symlink_target_written_in_place)
{
	struct output o;
	struct stat st;
	char buf[64];
	FILE *f;

	setup();
	f = fopen(in_dir("target"), "w");
	fputs("old\n", f);
	fclose(f);
	CHECK_I64(symlink("target", in_dir("link")), 0);
	CHECK_I64(output_open(&o, in_dir("link")), 0);
	CHECK_I64(o.kind, OUTPUT_INPLACE);
	fputs("via link\n", o.f);
	CHECK_I64(output_commit(&o), 0);
	CHECK(lstat(in_dir("link"), &st) == 0 && S_ISLNK(st.st_mode));
	slurp(in_dir("target"), buf, sizeof(buf));
	CHECK_STR(buf, "via link\n");
	teardown();
}

TEST(test_output__fifo_written_in_place)
{
	struct output o;
	struct stat st;
	char buf[64] = "";
	int rd;

	setup();
	CHECK_I64(mkfifo(in_dir("fifo"), 0600), 0);
	rd = open(in_dir("fifo"),
		  O_RDONLY | O_NONBLOCK); /* a reader, so that opening does not block */
	CHECK_I64(output_open(&o, in_dir("fifo")), 0);
	fputs("through the pipe\n", o.f);
	CHECK_I64(output_commit(&o), 0);
	CHECK(read(rd, buf, sizeof(buf) - 1) == 17);
	CHECK_STR(buf, "through the pipe\n");
	close(rd);
	CHECK(stat(in_dir("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
	teardown();
}

TEST(test_output__devices)
{
	struct output o;
	struct stat st;

	setup();
	if (geteuid() != 0) {
		printf("    skip: device nodes need root\n");
		teardown();
		return;
	}
	/* the null device: written in place, still a character device afterwards */
	CHECK_I64(mknod(in_dir("null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	CHECK_I64(output_open(&o, in_dir("null")), 0);
	fputs("discarded\n", o.f);
	CHECK_I64(output_commit(&o), 0);
	CHECK(stat(in_dir("null"), &st) == 0 && S_ISCHR(st.st_mode));
	/* the full device: the real reason, and a non-zero result */
	CHECK_I64(mknod(in_dir("full"), S_IFCHR | 0666, makedev(1, 7)), 0);
	CHECK_I64(output_open(&o, in_dir("full")), 0);
	fputs("no room\n", o.f);
	CHECK_I64(output_commit(&o), -ENOSPC);
	/* a block device: refused before anything is written (never opened) */
	CHECK_I64(mknod(in_dir("blk"), S_IFBLK | 0600, makedev(7, 200)), 0);
	CHECK_I64(output_open(&o, in_dir("blk")), -EPERM);
	teardown();
}

TEST(test_output__directory_refused)
{
	struct output o;

	setup();
	CHECK_I64(output_open(&o, dir), -EISDIR);
	CHECK_I64(output_open(&o, in_dir("no/such/dir/r.txt")), -ENOENT);
	teardown();
}

/* A pipe to write to, by a path (a symlink in /proc, written in place); SIGPIPE ignored. */
static void pipe_open(int p[2], char *path, size_t len)
{
	signal(SIGPIPE, SIG_IGN);
	if (pipe(p))
		test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
	snprintf(path, len, "/proc/self/fd/%d", p[1]);
}

static void pipe_close(int p[2])
{
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

TEST(test_output__broken_pipe_keeps_errno)
{
	struct output o;
	char path[64];
	int p[2];

	setup();
	pipe_open(p, path, sizeof(path));
	close(p[0]);
	CHECK_I64(output_open(&o, path), 0); /* a symlink to a pipe: in place */
	fputs("nobody reads this\n", o.f);
	CHECK_I64(output_commit(&o), -EPIPE);
	pipe_close(p);
	teardown();
}

TEST(test_output__set_fails_together)
{
	const char *paths[3];
	struct outputs set;
	char path[64];
	int p[2];

	setup();
	pipe_open(p, path, sizeof(path));
	close(p[0]);
	paths[0] = in_dir("a.txt");
	paths[1] = path; /* this one cannot be written */
	paths[2] = in_dir("c.txt");
	CHECK_I64(outputs__open(&set, paths, 3, false), 0);
	for (int i = 0; i < 3; i++)
		fputs("data\n", outputs__file(&set, i));
	CHECK_I64(outputs__close(&set, true), -EPIPE);
	CHECK_I64(entries(), 0); /* neither of the good ones appeared */
	/* and all of them when every one is fine */
	paths[1] = in_dir("b.txt");
	CHECK_I64(outputs__open(&set, paths, 3, false), 0);
	CHECK(outputs__file(&set, 3) == NULL);
	for (int i = 0; i < 3; i++)
		fputs("data\n", outputs__file(&set, i));
	CHECK_I64(outputs__close(&set, true), 0);
	CHECK_I64(entries(), 3);
	pipe_close(p);
	teardown();
}

TEST(test_output__first_error_and_reader_fd)
{
	const char *paths[2];
	struct outputs set;
	char path[64];
	int p[2];

	setup();
	pipe_open(p, path, sizeof(path));
	paths[0] = path;	    /* a pipe: its hang-up can be watched */
	paths[1] = in_dir("r.txt"); /* a regular file: nothing to watch */
	CHECK_I64(outputs__open(&set, paths, 2, false), 0);
	CHECK(outputs__reader_fd(&set, 0) >= 0);
	CHECK_I64(outputs__reader_fd(&set, 1), -1);
	CHECK_I64(outputs__reader_fd(&set, 5), -1); /* no output there */
	/* written while the reader is there; the first write after it left fails, kept */
	fputs("one\n", outputs__file(&set, 0));
	CHECK_I64(fflush(outputs__file(&set, 0)), 0);
	CHECK_I64(outputs__err(&set, 0), 0);
	close(p[0]);
	fputs("two\n", outputs__file(&set, 0));
	CHECK(fflush(outputs__file(&set, 0)) != 0);
	CHECK_I64(outputs__err(&set, 0), EPIPE);
	CHECK_I64(outputs__err(&set, 1), 0);
	outputs__close(&set, false);
	CHECK_I64(entries(), 0);
	pipe_close(p);
	teardown();
}
