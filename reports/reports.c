/* SPDX-License-Identifier: MIT */
/* reports.c — the registry of report writers, atomic report files, and reports written while
 * the scan runs (dbtls_report_out_*), see report.h. */
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

#include <openssl/rand.h>

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

/* A report file on its way: a temporary in the same directory that becomes path only once it is
 * complete (aw_commit), or goes away (aw_abort). With O_TMPFILE the temporary has no name until
 * the commit links it, so a process killed mid-scan leaves nothing behind; without it (a file
 * system that lacks it) it is path.tmp.XXXXXX from the start. */
struct aw {
	const char *path;
	char *tmp; /* the temporary's name; NULL while it has none (O_TMPFILE) */
	FILE *f;
};

/* Refuses what must not be replaced; *exists and *st say what is there. */
static enum dbtls_err aw_check(const char *path, bool *exists, struct stat *st,
			       struct dbtls_diag *d)
{
	if (lstat(path, st) == 0) {
		*exists = true;
		if (!S_ISREG(st->st_mode))
			return dbtls_diag_set(
			    d, DBTLS_ERR_FILE,
			    "%s: not a regular file (%s); refusing to replace it", path,
			    S_ISLNK(st->st_mode)			   ? "a symbolic link"
			    : S_ISDIR(st->st_mode)			   ? "a directory"
			    : S_ISFIFO(st->st_mode)			   ? "a FIFO"
			    : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "a device"
									   : "a special file");
		return DBTLS_OK;
	}
	if (errno == ENOENT) {
		*exists = false;
		return DBTLS_OK;
	}
	return dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
}

/* Opens the temporary for path (aw->f); unnamed when unnamed_ok and the file system allows. */
static enum dbtls_err aw_open(const char *path, bool unnamed_ok, struct aw *aw,
			      struct dbtls_diag *d)
{
	enum dbtls_err err;
	struct stat st;
	bool exists;
	int fd = -1;

	memset(aw, 0, sizeof(*aw));
	aw->path = path;
	err = aw_check(path, &exists, &st, d);
	if (err)
		return err;
#ifdef O_TMPFILE
	if (unnamed_ok) {
		const char *slash = strrchr(path, '/');
		char *dir =
		    slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");

		if (!dir)
			return DBTLS_ERR_NOMEM;
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		free(dir);
	}
#else
	(void)unnamed_ok;
#endif
	if (fd < 0) {
		if (asprintf(&aw->tmp, "%s.tmp.XXXXXX", path) < 0) {
			aw->tmp = NULL;
			return DBTLS_ERR_NOMEM;
		}
		fd = mkstemp(aw->tmp);
		if (fd < 0) {
			err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
			free(aw->tmp);
			aw->tmp = NULL; /* nothing was created */
			return err;
		}
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
	aw->f = fdopen(fd, "w");
	if (!aw->f) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		close(fd);
		if (aw->tmp)
			unlink(aw->tmp);
		free(aw->tmp);
		aw->tmp = NULL;
		return err;
	}
	return DBTLS_OK;
}

/* Drops the temporary; path stays as it was. */
static void aw_abort(struct aw *aw)
{
	if (aw->f)
		fclose(aw->f);
	if (aw->tmp) {
		unlink(aw->tmp);
		free(aw->tmp);
	}
	memset(aw, 0, sizeof(*aw));
}

/* Syncs the temporary and renames it over path (an unnamed one is linked to a name first); on
 * failure path stays as it was and no temporary is left. Call with signals held back. */
static enum dbtls_err aw_commit(struct aw *aw, struct dbtls_diag *d)
{
	const char *path = aw->path;
	enum dbtls_err err;

	if (fflush(aw->f) != 0 || (fsync(fileno(aw->f)) != 0 && errno != EINVAL)) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!aw->tmp) {
		char proc[64];
		unsigned char rnd[6];
		int tries = 0, rc;

		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(aw->f));
		do {
			free(aw->tmp);
			aw->tmp = NULL;
			if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
			    asprintf(&aw->tmp, "%s.tmp.%02x%02x%02x%02x%02x%02x", path, rnd[0],
				     rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]) < 0) {
				aw->tmp = NULL;
				err = DBTLS_ERR_NOMEM;
				goto fail;
			}
			rc = linkat(AT_FDCWD, proc, AT_FDCWD, aw->tmp, AT_SYMLINK_FOLLOW);
		} while (rc != 0 && errno == EEXIST && ++tries < 8);
		if (rc != 0) {
			err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
			free(aw->tmp);
			aw->tmp = NULL;
			goto fail;
		}
	}
	if (fclose(aw->f) != 0) {
		aw->f = NULL;
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	aw->f = NULL;
	if (rename(aw->tmp, path) != 0) {
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	free(aw->tmp);
	aw->tmp = NULL;
	return DBTLS_OK;
fail:
	aw_abort(aw);
	return err;
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
	char why[sizeof(d->msg)];
	sigset_t oldmask;
	struct aw aw;

	aw_block_signals(&oldmask);
	err = aw_open(path, false, &aw, d);
	if (err)
		goto out;
	err = body(aw.f, arg, d);
	if (err) {
		/* d->msg is both the detail and the destination: copy it first */
		snprintf(why, sizeof(why), "%s", d->msg);
		dbtls_diag_set(d, err, "%s: %s", path, why);
		aw_abort(&aw);
		goto out;
	}
	err = aw_commit(&aw, d);
out:
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	return err;
}

/* ---- a report written while the scan runs ---- */

struct dbtls_report_out {
	const struct dbtls_report_writer *w;
	struct dbtls_report_ctx ctx;
	struct aw aw;	    /* a file; aw.f NULL: the caller's stream */
	FILE *stream;	    /* where the report goes (a writer may point ctx.out at a spool) */
	enum dbtls_err err; /* the first failure: later endpoints are not written */
	bool begun;
};

enum dbtls_err dbtls_report_out_open(const struct dbtls_report_writer *w, const char *path,
				     FILE *stream, bool color, int width,
				     const struct dbtls_scan_facts *s,
				     const struct dbtls_evaluation *ev,
				     struct dbtls_report_out **out, struct dbtls_diag *d)
{
	struct dbtls_report_out *o = calloc(1, sizeof(*o));
	enum dbtls_err err;

	*out = NULL;
	if (!o)
		return dbtls_diag_set(d, DBTLS_ERR_NOMEM, "out of memory");
	o->w = w;
	if (path && strcmp(path, "-") != 0) {
		err = aw_open(path, true, &o->aw, d);
		if (err) {
			free(o);
			return err;
		}
		stream = o->aw.f;
		color = false;
		width = 0;
	} else if (path) {
		stream = stdout;
		color = false;
		width = 0;
	}
	o->stream = stream;
	o->ctx =
	    (struct dbtls_report_ctx){.out = stream, .color = color, .width = width, .eval = ev};
	o->err = w->begin(&o->ctx, s);
	o->begun = true;
	*out = o;
	return DBTLS_OK;
}

enum dbtls_err dbtls_report_out_endpoint(struct dbtls_report_out *o,
					 const struct dbtls_endpoint_facts *e,
					 const struct dbtls_findings *fs, size_t index)
{
	if (!o || o->err)
		return o ? o->err : DBTLS_OK;
	o->ctx.index = index;
	o->ctx.findings = fs;
	o->err = o->w->endpoint(&o->ctx, e);
	o->ctx.findings = NULL;
	return o->err;
}

enum dbtls_err dbtls_report_out_close(struct dbtls_report_out *o, const struct dbtls_scan_facts *s,
				      const struct dbtls_evaluation *ev, struct dbtls_diag *d)
{
	enum dbtls_err err, err2;
	sigset_t oldmask;
	FILE *f;

	if (!o)
		return DBTLS_OK;
	o->ctx.eval = ev;
	f = o->stream;
	err = o->err;
	err2 = o->w->end(&o->ctx, s);
	if (!err)
		err = err2;
	if (!err && (fflush(f) || ferror(f)))
		err = dbtls_diag_set(d, DBTLS_ERR_FILE, "%s%swrite error: %s",
				     o->aw.path ? o->aw.path : "", o->aw.path ? ": " : "",
				     strerror(errno));
	else if (err)
		dbtls_diag_set(d, err, "%s%s%s report: %s", o->aw.path ? o->aw.path : "",
			       o->aw.path ? ": " : "", o->w->name, dbtls_strerror(err));
	if (o->aw.f) {
		aw_block_signals(&oldmask);
		if (err)
			aw_abort(&o->aw);
		else
			err = aw_commit(&o->aw, d);
		pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	}
	free(o);
	return err;
}

void dbtls_report_out_abort(struct dbtls_report_out *o)
{
	if (!o)
		return;
	if (o->begun && o->ctx.priv) {
		/* end frees the writer's state; what it writes goes nowhere that stays */
		o->w->end(&o->ctx, &(struct dbtls_scan_facts){0});
	}
	aw_abort(&o->aw);
	free(o);
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
