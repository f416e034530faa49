/* SPDX-License-Identifier: MIT */
/* reports.c — the registry of report writers, and atomic report files (see report.h). */
#include "reports/report.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The registry: one X(NAME) line per writer file (reports/report_NAME.c ends in its
 * `const struct dbtls_report_writer dbtls_report_NAME`), which both declares it and lists it, in
 * the order of `dbtls help` and of --format's list. A new format needs no line in report.h. */
#define DBTLS_REPORT_WRITERS(X)                                                                    \
	X(json)                                                                                    \
	X(text)                                                                                    \
	X(html)                                                                                    \
	X(jsonl)                                                                                   \
	X(prom)

#define RW_DECLARE(name) extern const struct dbtls_report_writer dbtls_report_##name;
DBTLS_REPORT_WRITERS(RW_DECLARE)
#undef RW_DECLARE
#define RW_ENTRY(name) &dbtls_report_##name,
static const struct dbtls_report_writer *const writers[] = {DBTLS_REPORT_WRITERS(RW_ENTRY)};
#undef RW_ENTRY
#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

const struct dbtls_report_writer *dbtls_report_find(const char *name)
{
	for (size_t i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

const struct dbtls_report_writer *dbtls_report_for_path(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return NULL;
	for (size_t i = 0; i < NWRITERS; i++)
		if (writers[i]->extension && strcmp(writers[i]->extension, dot) == 0)
			return writers[i];
	return NULL;
}

const struct dbtls_report_writer *const *dbtls_report_all(size_t *n)
{
	*n = NWRITERS;
	return writers;
}

void dbtls_report_list_formats(FILE *out)
{
	for (size_t i = 0; i < NWRITERS; i++)
		fprintf(out, "%s %s", i ? "," : "", writers[i]->name);
}

enum dbtls_err dbtls_report_write(const struct dbtls_report_writer *w,
				  const struct dbtls_scan_facts *s, FILE *out, bool color,
				  struct dbtls_diag *d)
{
	return dbtls_report_write_eval(w, s, NULL, out, color, d);
}

enum dbtls_err dbtls_report_write_eval(const struct dbtls_report_writer *w,
				       const struct dbtls_scan_facts *s,
				       const struct dbtls_evaluation *ev, FILE *out, bool color,
				       struct dbtls_diag *d)
{
	return dbtls_report_write_tty(w, s, ev, out, color, 0, d);
}

enum dbtls_err dbtls_report_write_tty(const struct dbtls_report_writer *w,
				      const struct dbtls_scan_facts *s,
				      const struct dbtls_evaluation *ev, FILE *out, bool color,
				      int width, struct dbtls_diag *d)
{
	struct dbtls_report_ctx ctx = {.out = out, .color = color, .width = width, .eval = ev};
	enum dbtls_err err, err2;

	err = w->begin(&ctx, s);
	for (size_t i = 0; !err && i < s->nendpoints; i++) {
		ctx.index = i;
		ctx.findings = ev && i < ev->nendpoints ? &ev->findings[i] : NULL;
		err = w->endpoint(&ctx, &s->endpoints[i]);
	}
	err2 = w->end(&ctx, s);
	if (!err)
		err = err2;
	if (!err && (fflush(out) || ferror(out)))
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "write error: %s", strerror(errno));
	else if (err)
		dbtls_diag_set(d, err, "%s report: %s", w->name, dbtls_strerror(err));
	return err;
}

enum dbtls_err dbtls_report_write_file(const struct dbtls_report_writer *w,
				       const struct dbtls_scan_facts *s, const char *path,
				       struct dbtls_diag *d)
{
	return dbtls_report_write_file_eval(w, s, NULL, path, d);
}

/* Signals that end the process by default: held back while a temporary report file exists, so
 * that one arriving between mkstemp and rename (or unlink) is delivered only after the temporary
 * is gone — never leaving "r.json.tmp.XXXXXX" behind. */
static void aw_block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Writes path atomically: body(f, arg) fills a temporary file in the same directory, which is
 * synced and renamed over path. Only a regular file (or nothing) is ever replaced: a device,
 * FIFO, directory or symlink at path is refused, and a replaced report keeps its mode (and, where
 * allowed, its owner). A failure leaves path as it was and no temporary behind. */
static enum dbtls_err atomic_write(const char *path,
				   enum dbtls_err (*body)(FILE *f, void *arg, struct dbtls_diag *d),
				   void *arg, struct dbtls_diag *d)
{
	enum dbtls_err err;
	char *tmp = NULL, why[sizeof(d->msg)];
	struct stat st;
	bool exists;
	sigset_t oldmask;
	FILE *f = NULL;
	int fd = -1;

	if (lstat(path, &st) == 0) {
		exists = true;
		if (!S_ISREG(st.st_mode))
			return dbtls_diag_set(
			    d, DBTLS_ERR_FILE,
			    "%s: not a regular file (%s); refusing to replace it", path,
			    S_ISLNK(st.st_mode)				 ? "a symbolic link"
			    : S_ISDIR(st.st_mode)			 ? "a directory"
			    : S_ISFIFO(st.st_mode)			 ? "a FIFO"
			    : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
									 : "a special file");
	} else if (errno == ENOENT) {
		exists = false;
	} else {
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
	}
	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		return DBTLS_ERR_NOMEM;
	}
	aw_block_signals(&oldmask);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL; /* nothing was created */
		goto out;
	}
	if (exists) {
		/* a rescan must not widen (or narrow) a report's permissions */
		if (fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* not ours to give away: the file becomes ours, the mode stays */
		}
		fchmod(fd, st.st_mode & 07777);
	} else {
		/* mkstemp makes 0600; the file gets the mode any new file would (0666 & ~umask) */
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		goto out;
	}
	fd = -1;
	err = body(f, arg, d);
	if (err) {
		/* d->msg is both the detail and the destination: copy it first */
		snprintf(why, sizeof(why), "%s", d->msg);
		dbtls_diag_set(d, err, "%s: %s", path, why);
		goto out;
	}
	if (fflush(f) != 0 || (fsync(fileno(f)) != 0 && errno != EINVAL)) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: rename: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	err = DBTLS_OK;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	return err;
}

struct report_job {
	const struct dbtls_report_writer *w;
	const struct dbtls_scan_facts *s;
	const struct dbtls_evaluation *ev;
};

static enum dbtls_err report_body(FILE *f, void *arg, struct dbtls_diag *d)
{
	const struct report_job *j = arg;
	return dbtls_report_write_eval(j->w, j->s, j->ev, f, false, d);
}

enum dbtls_err dbtls_report_write_file_eval(const struct dbtls_report_writer *w,
					    const struct dbtls_scan_facts *s,
					    const struct dbtls_evaluation *ev, const char *path,
					    struct dbtls_diag *d)
{
	struct report_job j = {.w = w, .s = s, .ev = ev};

	if (strcmp(path, "-") == 0)
		return dbtls_report_write_eval(w, s, ev, stdout, false, d);
	return atomic_write(path, report_body, &j, d);
}

static enum dbtls_err text_body(FILE *f, void *arg, struct dbtls_diag *d)
{
	if (fputs(arg, f) == EOF || fputc('\n', f) == EOF)
		return dbtls_diag_set(d, DBTLS_ERR_FILE, "write error: %s", strerror(errno));
	return DBTLS_OK;
}

enum dbtls_err dbtls_write_text_file(const char *path, const char *text, struct dbtls_diag *d)
{
	return atomic_write(path, text_body, (void *)text, d);
}
