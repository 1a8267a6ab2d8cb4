/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files procscope writes (the report, baselines, stacks, traces), written the way a
 * tool run as root must: never replacing what the path names with something else.
 *
 * - A regular file, or a path that does not exist yet, appears complete or not at all:
 *   it is written to an unnamed O_TMPFILE in its directory and linked into place at
 *   commit, so that even SIGKILL leaves no temporary file behind. (Replacing an
 *   existing file needs a name for the few microseconds between linkat and rename.)
 *   Where the filesystem has no O_TMPFILE, a named temporary file is the fallback.
 * - A character device, FIFO or socket is opened and written in place, as a shell's
 *   '>' does; a symlink is followed and its target written in place. A block device
 *   or a directory is refused before anything is traced.
 * - NULL (or "-") is standard output.
 *
 * Writes go through a stdio stream whose first failing write(2) keeps its errno, so
 * that a full disk says "No space left on device" and a closed pipe "Broken pipe".
 */
#ifndef PROCSCOPE_OUTPUT_H
#define PROCSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

enum output_kind {
	OUTPUT_STDOUT = 0,
	OUTPUT_TMPFILE, /* unnamed until commit */
	OUTPUT_TMPNAME, /* fallback: PATH.tmp.XXXXXX renamed at commit */
	OUTPUT_INPLACE, /* device, FIFO, socket, symlink target */
};

struct output {
	FILE *f;	/* write here; NULL once committed or aborted */
	char *path;	/* as given; NULL for stdout */
	char *tmp_path; /* OUTPUT_TMPNAME only */
	int fd;
	enum output_kind kind;
	int err; /* first write error (positive errno), 0 if none */
};

/* Open @path (NULL or "-": stdout). 0, or -errno after printing why. */
int output_open(struct output *o, const char *path);
/* Flush and put in place. 0, or -errno after printing why (the file is then not written). */
int output_commit(struct output *o);
/* Give up: nothing appears at the path (in-place outputs keep what was written). */
void output_abort(struct output *o);
/* "'FILE'" or "to standard output", after "cannot write", for messages. */
const char *output_name(const struct output *o);

/* Mark standard output closed (fd 1 was not open at start): writing to it is an error. */
void output_stdout_closed(void);

/*
 * The outputs of one run, opened up front and committed or aborted together. Slots
 * are fixed by the caller (an enum); a slot without a path stays closed (f == NULL).
 */
#define OUTPUTS_MAX 16

struct outputs {
	struct output o[OUTPUTS_MAX];
	bool open[OUTPUTS_MAX];
};

/* Open every non-NULL @paths[i] (i < @n; slot 0 with a NULL path is stdout if @stdout0). */
int outputs__open(struct outputs *set, const char *const *paths, int n, bool stdout0);
/* The stream of slot @i, or NULL if it has no output. */
FILE *outputs__file(struct outputs *set, int i);
/* The first write error of slot @i (a positive errno), 0 if none or no output. */
int outputs__err(const struct outputs *set, int i);
/*
 * A descriptor of slot @i that hangs up (EPOLLERR) once its reader is gone: standard
 * output or an output written in place, when it is a pipe, FIFO or socket; else -1.
 */
int outputs__reader_fd(const struct outputs *set, int i);
/* Commit every open output if @ok, else abort them all. 0, or the first -errno. */
int outputs__close(struct outputs *set, bool ok);

#endif
