// SPDX-License-Identifier: GPL-2.0
/* Output files: complete-or-nothing for regular files, in place for the rest; see output.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "app/output.h"
#include "lib/util.h"

#define OUTPUT_BUF (64 * 1024)

static bool stdout_closed;

void output_stdout_closed(void)
{
	stdout_closed = true;
}

const char *output_name(const struct output *o)
{
	static char buf[PATH_MAX + 8];

	if (!o->path)
		return "to standard output";
	snprintf(buf, sizeof(buf), "'%s'", o->path);
	return buf;
}

/* The stream's write function: all of it or the errno of the first failure. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
	struct output *o = cookie;
	size_t done = 0;

	if (o->err) {
		errno = o->err;
		return -1;
	}
	while (done < len) {
		ssize_t n = write(o->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* read by outputs__err() on another thread */
			__atomic_store_n(&o->err, n < 0 ? errno : EIO, __ATOMIC_RELEASE);
			errno = o->err;
			return done ? (ssize_t)done : -1;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static int open_stream(struct output *o)
{
	cookie_io_functions_t io = {.write = cookie_write};

	o->f = fopencookie(o, "w", io);
	if (!o->f)
		return -errno;
	setvbuf(o->f, NULL, _IOFBF, OUTPUT_BUF);
	return 0;
}

/* The directory of @path, for O_TMPFILE: "." when it has none. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int open_tmp(struct output *o)
{
	char *dir = dir_of(o->path);
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
	int err = 0;

	free(dir);
	if (fd >= 0) {
		o->kind = OUTPUT_TMPFILE;
		o->fd = fd;
		return 0;
	}
	/* filesystems without O_TMPFILE answer EOPNOTSUPP (or EISDIR/EINVAL on old kernels) */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	o->tmp_path = xmalloc(strlen(o->path) + 16);
	sprintf(o->tmp_path, "%s.tmp.XXXXXX", o->path);
	fd = mkostemp(o->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(o->tmp_path);
		o->tmp_path = NULL;
		return err;
	}
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0644 & ~mask); /* mkostemp makes it 0600; as O_TMPFILE would */
	}
	o->kind = OUTPUT_TMPNAME;
	o->fd = fd;
	return 0;
}

int output_open(struct output *o, const char *path)
{
	struct stat st;
	int err;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!path || strcmp(path, "-") == 0) {
		if (stdout_closed) {
			pr_error("standard output is closed: nowhere to write the report (give -o "
				 "FILE)");
			return -EBADF;
		}
		o->kind = OUTPUT_STDOUT;
		o->fd = STDOUT_FILENO;
		err = open_stream(o);
		goto out;
	}
	o->path = xstrdup(path);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY;

		if (S_ISDIR(st.st_mode)) {
			err = -EISDIR;
			goto out;
		}
		if (S_ISBLK(st.st_mode) ||
		    (S_ISLNK(st.st_mode) && stat(path, &st) == 0 && S_ISBLK(st.st_mode))) {
			pr_error("refusing to write %s: it is a block device", output_name(o));
			free(o->path);
			o->path = NULL;
			return -EPERM;
		}
		if (S_ISLNK(st.st_mode))
			flags |= O_CREAT | O_TRUNC; /* as '>' does: the target, in place */
		o->kind = OUTPUT_INPLACE;
		o->fd = open(path, flags, 0644);
		err = o->fd < 0 ? -errno : 0;
	} else {
		err = open_tmp(o);
	}
	if (!err)
		err = open_stream(o);
out:
	if (err) {
		pr_error("cannot write %s: %s", output_name(o), strerror(-err));
		if (o->fd >= 0 && o->kind != OUTPUT_STDOUT)
			close(o->fd);
		if (o->tmp_path)
			unlink(o->tmp_path);
		free(o->tmp_path);
		free(o->path);
		memset(o, 0, sizeof(*o));
		o->fd = -1;
	}
	return err;
}

static void output_free(struct output *o)
{
	if (o->fd >= 0 && o->kind != OUTPUT_STDOUT)
		close(o->fd);
	free(o->path);
	free(o->tmp_path);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

/* Flush the stream; the first write error, as -errno. */
static int output_flush(struct output *o)
{
	if (!o->f)
		return -EBADF;
	if (fclose(o->f) && !o->err)
		o->err = errno ? errno : EIO;
	o->f = NULL;
	return o->err ? -o->err : 0;
}

/* Give the unnamed file @o->fd the name @o->path, replacing a regular file there. */
static int link_tmpfile(struct output *o)
{
	char proc[64], *tmp;
	struct stat st;
	size_t len;
	int err = 0;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno == ENOENT && access("/proc/self/fd", F_OK) != 0 &&
	    linkat(o->fd, "", AT_FDCWD, o->path, AT_EMPTY_PATH) == 0)
		return 0; /* no procfs: root may link by descriptor */
	if (errno != EEXIST)
		return -errno;
	/* something is there now: replace it only if it is still a regular file */
	if (lstat(o->path, &st) || !S_ISREG(st.st_mode))
		return -EEXIST;
	len = strlen(o->path) + 16;
	tmp = xmalloc(len);
	for (int attempt = 0; attempt < 16; attempt++) {
		snprintf(tmp, len, "%s.tmp.%06x", o->path,
			 (unsigned int)((getpid() * 2654435761U + now_ns() + attempt) & 0xffffff));
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
			break;
		err = -errno;
		if (errno != EEXIST)
			goto out;
	}
	if (rename(tmp, o->path)) {
		err = -errno;
		unlink(tmp);
		goto out;
	}
	err = 0;
out:
	free(tmp);
	return err;
}

int output_commit(struct output *o)
{
	int err = output_flush(o);

	if (!err) {
		switch (o->kind) {
		case OUTPUT_TMPFILE:
			err = link_tmpfile(o);
			break;
		case OUTPUT_TMPNAME:
			err = rename(o->tmp_path, o->path) ? -errno : 0;
			break;
		default:
			break;
		}
	}
	if (err) {
		if (err == -EEXIST)
			pr_error("cannot write %s: something other than a regular file appeared "
				 "there",
				 output_name(o));
		else
			pr_error("cannot write %s: %s", output_name(o), strerror(-err));
		if (o->kind == OUTPUT_TMPNAME)
			unlink(o->tmp_path);
	}
	output_free(o);
	return err;
}

void output_abort(struct output *o)
{
	if (o->f) {
		fclose(o->f);
		o->f = NULL;
	}
	if (o->kind == OUTPUT_TMPNAME && o->tmp_path)
		unlink(o->tmp_path);
	output_free(o);
}

int outputs__open(struct outputs *set, const char *const *paths, int n, bool stdout0)
{
	memset(set, 0, sizeof(*set));
	for (int i = 0; i < n && i < OUTPUTS_MAX; i++) {
		int err;

		if (!paths[i] && !(i == 0 && stdout0))
			continue;
		err = output_open(&set->o[i], paths[i]);
		if (err) {
			outputs__close(set, false);
			return err;
		}
		set->open[i] = true;
	}
	return 0;
}

FILE *outputs__file(struct outputs *set, int i)
{
	return i >= 0 && i < OUTPUTS_MAX && set->open[i] ? set->o[i].f : NULL;
}

int outputs__err(const struct outputs *set, int i)
{
	if (i < 0 || i >= OUTPUTS_MAX || !set->open[i])
		return 0;
	return __atomic_load_n(&set->o[i].err, __ATOMIC_ACQUIRE);
}

int outputs__reader_fd(const struct outputs *set, int i)
{
	const struct output *o;
	struct stat st;

	if (i < 0 || i >= OUTPUTS_MAX || !set->open[i])
		return -1;
	o = &set->o[i];
	if (o->kind != OUTPUT_STDOUT && o->kind != OUTPUT_INPLACE)
		return -1;
	if (fstat(o->fd, &st) || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
		return -1;
	return o->fd;
}

int outputs__close(struct outputs *set, bool ok)
{
	int first = 0;

	/* a write error in any output (a full disk) aborts them all: flush first */
	for (int i = 0; ok && i < OUTPUTS_MAX; i++) {
		if (set->open[i] && set->o[i].f && fflush(set->o[i].f) && !set->o[i].err)
			set->o[i].err = errno ? errno : EIO;
		if (set->open[i] && set->o[i].err) {
			pr_error("cannot write %s: %s", output_name(&set->o[i]),
				 strerror(set->o[i].err));
			first = -set->o[i].err;
			ok = false;
		}
	}
	for (int i = 0; i < OUTPUTS_MAX; i++) {
		int err;

		if (!set->open[i])
			continue;
		set->open[i] = false;
		if (!ok) {
			/* standard output keeps what was written; files get nothing */
			output_abort(&set->o[i]);
			continue;
		}
		err = output_commit(&set->o[i]);
		if (err && !first)
			first = err;
	}
	return first;
}
