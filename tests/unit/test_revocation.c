/* SPDX-License-Identifier: MIT */
/*
 * test_revocation.c — unit tests for dbtls_revocation_check() (src/revocation.c), with real parts.
 *
 * The group setup makes a small PKI with the OpenSSL API (EC P-256 root, intermediate, an OCSP
 * responder certificate the intermediate delegates to, and one leaf per scenario whose AIA / CDP
 * URLs point at loopback), CRLs signed by the intermediate and the root, and an `openssl ca`
 * index file. It then starts two real `openssl ocsp` responders on free ports (the second with
 * -nrequest 1, so a second network request to it would fail: the cache test relies on that) and a
 * tiny HTTP fixture thread that serves the CRLs, garbage, an oversized answer and a silent
 * socket, and counts requests per path. Nothing leaves 127.0.0.1. Stapled responses are made here
 * with OCSP_basic_sign, well and badly signed; damaged stapled responses and CRL files, bit by bit,
 * check that hostile bytes end as a status; eight threads share one cache and one download.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* strcasestr, strptime, timegm, mkdtemp */
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "src/facts/facts.h"
#include "src/wire/revocation.h"
#include "tests/unit/fixtures.h"

#define DAY	   86400
#define TIMEOUT_MS 1000
#define MAX_PATHS  32
#define MAX_SILENT 8

/* --- the loopback HTTP fixture ---------------------------------------------------------- */

struct http_fixture {
	int lfd;
	int port;
	pthread_t thread;
	atomic_int stop;
	pthread_mutex_t lock;
	char paths[MAX_PATHS][64];
	int counts[MAX_PATHS];
	int silent[MAX_SILENT];
	int nsilent;
};

struct body {
	const char *path;
	const char *ctype;
	const unsigned char *data;
	size_t len;
};

static struct {
	char dir[64];
	EVP_PKEY *root_key, *inter_key, *resp_key, *other_key, *leaf_key;
	X509 *root, *inter, *resp, *other, *fake_inter, *root_resp;
	X509 *good, *revoked, *unknown, *cdp_revoked, *cdp_good, *conc, *bare, *down, *silent,
	    *garbage, *https, *forged, *big, *cached;
	unsigned char *inter_crl, *root_crl, *forged_crl;
	int inter_crl_len, root_crl_len, forged_crl_len;
	int ocsp_port, ocsp2_port, dead_port;
	pid_t ocsp_pid, ocsp2_pid;
	struct http_fixture http;
	struct body bodies[8];
	size_t nbodies;
} F;

static int tr_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void http_count(struct http_fixture *h, const char *path)
{
	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < MAX_PATHS; i++) {
		if (!h->paths[i][0])
			snprintf(h->paths[i], sizeof(h->paths[i]), "%s", path);
		if (!strcmp(h->paths[i], path)) {
			h->counts[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&h->lock);
}

static int http_requests(struct http_fixture *h, const char *path)
{
	int n = 0;

	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < MAX_PATHS; i++)
		if (!strcmp(h->paths[i], path))
			n = h->counts[i];
	pthread_mutex_unlock(&h->lock);
	return n;
}

static void http_send(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* Reads one request (head and a Content-Length body); its path goes to path[64]. */
static bool http_read_request(int fd, char path[64])
{
	char buf[8192], *end, *cl;
	size_t got = 0;
	long body = 0;

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (got + 1 >= sizeof(buf) || poll(&p, 1, 2000) <= 0)
			return false;
		r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (r <= 0)
			return false;
		got += (size_t)r;
		buf[got] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
	}
	if (sscanf(buf, "%*s %63s", path) != 1)
		return false;
	cl = strcasestr(buf, "content-length:");
	if (cl)
		body = strtol(cl + 15, NULL, 10);
	body -= (long)(got - (size_t)(end + 4 - buf));
	while (body > 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 2000) <= 0)
			break;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		body -= r;
	}
	return true;
}

static void http_answer(struct http_fixture *h, int fd)
{
	char path[64] = "", head[256];
	const unsigned char not_der[] = "this is not DER, not OCSP, not a CRL\n";
	const unsigned char der_int[] = {0x30, 0x03, 0x02, 0x01, 0x00}; /* SEQUENCE { 0 } */

	if (!http_read_request(fd, path)) {
		close(fd);
		return;
	}
	http_count(h, path);
	if (!strcmp(path, "/silent") && h->nsilent < MAX_SILENT) {
		h->silent[h->nsilent++] = fd; /* never answered; closed at teardown */
		return;
	}
	for (size_t i = 0; i < F.nbodies; i++)
		if (!strcmp(path, F.bodies[i].path)) {
			snprintf(
			    head, sizeof(head),
			    "HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			    F.bodies[i].ctype, F.bodies[i].len);
			http_send(fd, head, strlen(head));
			http_send(fd, F.bodies[i].data, F.bodies[i].len);
			goto out;
		}
	if (!strcmp(path, "/garbage")) {
		snprintf(head, sizeof(head),
			 "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 sizeof(not_der) - 1);
		http_send(fd, head, strlen(head));
		http_send(fd, not_der, sizeof(not_der) - 1);
	} else if (!strcmp(path, "/notder.crl") || !strcmp(path, "/notocsp")) {
		snprintf(head, sizeof(head),
			 "HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
			 strcmp(path, "/notocsp") ? "application/pkix-crl"
						  : "application/ocsp-response",
			 sizeof(der_int));
		http_send(fd, head, strlen(head));
		http_send(fd, der_int, sizeof(der_int));
	} else if (!strcmp(path, "/big.crl") || !strcmp(path, "/bigocsp")) {
		/* announces 20 MiB; the client must refuse before reading it */
		snprintf(head, sizeof(head),
			 "HTTP/1.0 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			 strcmp(path, "/bigocsp") ? "application/pkix-crl"
						  : "application/ocsp-response",
			 20 * 1024 * 1024);
		http_send(fd, head, strlen(head));
	} else {
		snprintf(head, sizeof(head), "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
		http_send(fd, head, strlen(head));
	}
out:
	close(fd);
}

static void *http_main(void *arg)
{
	struct http_fixture *h = arg;

	while (!atomic_load(&h->stop)) {
		struct pollfd p = {.fd = h->lfd, .events = POLLIN};
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(h->lfd, NULL, NULL);
		if (fd >= 0)
			http_answer(h, fd);
	}
	return NULL;
}

static void http_start(struct http_fixture *h)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	h->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(h->lfd >= 0);
	assert_int_equal(bind(h->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(h->lfd, 64), 0);
	assert_int_equal(getsockname(h->lfd, (struct sockaddr *)&a, &alen), 0);
	h->port = ntohs(a.sin_port);
	assert_int_equal(pthread_mutex_init(&h->lock, NULL), 0);
}

/* --- PKI ------------------------------------------------------------------------------- */

static X509 *tr_cert(EVP_PKEY *key, const char *cn, const char *serial_hex, X509 *issuer,
		     EVP_PKEY *sign_key, const struct fx_ext *exts)
{
	const char *const name[] = {"O", "dbtls test", "CN", cn, NULL};

	return fx_cert(&(struct fx_cert_spec){.key = key,
					      .sign_key = sign_key,
					      .issuer = issuer,
					      .name = name,
					      .serial_hex = serial_hex,
					      .relative = true,
					      .not_before = -DAY,
					      .not_after = 30 * DAY,
					      .exts = exts});
}

/* A leaf issued by the intermediate, with an AIA OCSP URL and/or a CDP URL (NULL: none). */
static X509 *tr_leaf(const char *cn, const char *serial, const char *ocsp, const char *cdp)
{
	char aia[160], dp[160];
	struct fx_ext exts[6] = {
	    {NID_basic_constraints, "CA:FALSE"},
	    {NID_subject_key_identifier, "hash"},
	    {NID_authority_key_identifier, "keyid:always"},
	};
	size_t n = 3;

	if (ocsp) {
		snprintf(aia, sizeof(aia), "OCSP;URI:%s", ocsp);
		exts[n++] = (struct fx_ext){NID_info_access, aia};
	}
	if (cdp) {
		snprintf(dp, sizeof(dp), "URI:%s", cdp);
		exts[n++] = (struct fx_ext){NID_crl_distribution_points, dp};
	}
	return tr_cert(F.leaf_key, cn, serial, F.inter, F.inter_key, exts);
}

static void tr_revoke(X509_CRL *crl, const char *serial_hex, long reason)
{
	X509_REVOKED *r = X509_REVOKED_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial;
	ASN1_TIME *t = X509_gmtime_adj(NULL, -DAY);
	ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();

	assert_true(r && t && e);
	assert_true(BN_hex2bn(&bn, serial_hex));
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	assert_true(X509_REVOKED_set_serialNumber(r, serial));
	assert_true(X509_REVOKED_set_revocationDate(r, t));
	assert_true(ASN1_ENUMERATED_set(e, reason));
	assert_true(X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0));
	assert_true(X509_CRL_add0_revoked(crl, r));
	ASN1_ENUMERATED_free(e);
	ASN1_TIME_free(t);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
}

/* A v2 CRL named after `issuer`, signed by key, listing serials[] (NULL-terminated), issued
 * `age` seconds ago and valid for `valid` seconds from then. DER in *der, PEM in pem_file. */
static int tr_crl_at(X509 *issuer, EVP_PKEY *key, const char *const *serials, long age, long valid,
		     unsigned char **der, const char *pem_file)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t1 = X509_gmtime_adj(NULL, -age), *t2 = X509_gmtime_adj(NULL, valid - age);
	int len;

	assert_true(crl && t1 && t2);
	assert_true(X509_CRL_set_version(crl, X509_CRL_VERSION_2));
	assert_true(X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)));
	assert_true(X509_CRL_set1_lastUpdate(crl, t1));
	assert_true(X509_CRL_set1_nextUpdate(crl, t2));
	for (size_t i = 0; serials && serials[i]; i++)
		tr_revoke(crl, serials[i], i == 2 ? 5 /* cessationOfOperation */ : 1);
	assert_true(X509_CRL_sort(crl));
	assert_true(X509_CRL_sign(crl, key, EVP_sha256()) > 0);
	*der = NULL;
	len = i2d_X509_CRL(crl, der);
	assert_true(len > 0);
	if (pem_file) {
		FILE *f = fopen(pem_file, "w");

		assert_non_null(f);
		assert_true(PEM_write_X509_CRL(f, crl));
		fclose(f);
	}
	ASN1_TIME_free(t1);
	ASN1_TIME_free(t2);
	X509_CRL_free(crl);
	return len;
}

static int tr_crl(X509 *issuer, EVP_PKEY *key, const char *const *serials, unsigned char **der,
		  const char *pem_file)
{
	return tr_crl_at(issuer, key, serials, 60, DAY, der, pem_file);
}

static void tr_write_pem(const char *name, X509 *x, EVP_PKEY *k)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", F.dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	if (x)
		assert_true(PEM_write_X509(f, x));
	if (k)
		assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL));
	fclose(f);
}

/* Starts `openssl ocsp` on port (extra: "-nrequest", "1" or NULLs) and waits until it is bound. */
static pid_t tr_start_ocsp(int port, const char *nrequest)
{
	char portstr[16], idx[128], ca[128], rsigner[128], rkey[128], log[128];
	struct timespec nap = {0, 20 * 1000 * 1000};
	pid_t pid;

	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(idx, sizeof(idx), "%s/index.txt", F.dir);
	snprintf(ca, sizeof(ca), "%s/inter.pem", F.dir);
	snprintf(rsigner, sizeof(rsigner), "%s/resp.pem", F.dir);
	snprintf(rkey, sizeof(rkey), "%s/resp.key", F.dir);
	snprintf(log, sizeof(log), "%s/ocsp-%d.log", F.dir, port);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *l = fopen(log, "w");

		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
		if (l) {
			dup2(fileno(l), 1);
			dup2(fileno(l), 2);
		}
		execlp("openssl", "openssl", "ocsp", "-index", idx, "-CA", ca, "-rsigner", rsigner,
		       "-rkey", rkey, "-port", portstr, "-ndays", "1", "-nrequest",
		       nrequest ? nrequest : "1000", (char *)NULL);
		_exit(127);
	}
	/* bound = our own bind to the port fails; no request is spent on finding out (openssl
	 * ocsp binds the wildcard address: it has no option for loopback only) */
	for (int i = 0; i < 250; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_port = htons((uint16_t)port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int rc = bind(fd, (struct sockaddr *)&a, sizeof(a));

		close(fd);
		if (rc < 0 && errno == EADDRINUSE)
			return pid;
		assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
		nanosleep(&nap, NULL);
	}
	fail_msg("openssl ocsp did not start on port %d", port);
	return -1;
}

static void tr_write_index(void)
{
	char path[128], exp[32], rev[32];
	time_t now = time(NULL), e = now + 30 * DAY, r = now - DAY;
	FILE *f;

	/* the index wants UTCTime, two-digit years: print four and skip the century */
	strftime(exp, sizeof(exp), "%Y%m%d%H%M%SZ", gmtime(&e));
	strftime(rev, sizeof(rev), "%Y%m%d%H%M%SZ", gmtime(&r));
	snprintf(path, sizeof(path), "%s/index.txt", F.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "V\t%s\t\t1001\tunknown\t/O=dbtls test/CN=good\n", exp + 2);
	fprintf(f, "R\t%s\t%s,keyCompromise\t1002\tunknown\t/O=dbtls test/CN=revoked\n", exp + 2,
		rev + 2);
	fprintf(f, "V\t%s\t\t100E\tunknown\t/O=dbtls test/CN=cached\n", exp + 2);
	fclose(f);
}

static int setup(void **state)
{
	char url[6][128], path[128];
	const char *inter_revoked[] = {"1002", "1004", "1006", NULL};
	const struct fx_ext ca_exts[] = {
	    {NID_basic_constraints, "critical,CA:TRUE"},
	    {NID_key_usage, "critical,keyCertSign,cRLSign"},
	    {NID_subject_key_identifier, "hash"},
	    {NID_authority_key_identifier, "keyid:always"},
	    {0, NULL},
	};
	const struct fx_ext resp_exts[] = {
	    {NID_basic_constraints, "CA:FALSE"},
	    {NID_key_usage, "critical,digitalSignature"},
	    {NID_ext_key_usage, "OCSPSigning"},
	    {NID_subject_key_identifier, "hash"},
	    {NID_authority_key_identifier, "keyid:always"},
	    {0, NULL},
	};
	struct fx_ext inter_exts[6];

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	setenv("no_proxy", "127.0.0.1",
	       1); /* an http_proxy in the environment must not interfere */
	snprintf(F.dir, sizeof(F.dir), "/tmp/dbtls-rev-XXXXXX");
	assert_non_null(mkdtemp(F.dir));
	http_start(&F.http);
	F.ocsp_port = tr_free_port();
	F.ocsp2_port = tr_free_port();
	F.dead_port = tr_free_port();

	F.root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	F.inter_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	F.resp_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	F.other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	F.leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_true(F.root_key && F.inter_key && F.resp_key && F.other_key && F.leaf_key);

	F.root = tr_cert(F.root_key, "root", "01", NULL, F.root_key, ca_exts);
	memcpy(inter_exts, ca_exts, 4 * sizeof(ca_exts[0]));
	snprintf(url[0], sizeof(url[0]), "URI:http://127.0.0.1:%d/root.crl", F.http.port);
	inter_exts[4] = (struct fx_ext){NID_crl_distribution_points, url[0]};
	inter_exts[5] = (struct fx_ext){0, NULL};
	F.inter = tr_cert(F.inter_key, "intermediate", "02", F.root, F.root_key, inter_exts);
	F.resp = tr_cert(F.resp_key, "ocsp responder", "03", F.inter, F.inter_key, resp_exts);
	/* an OCSP signer for the wrong CA: issued by the root, not by the leaves' issuer */
	F.root_resp =
	    tr_cert(F.resp_key, "root ocsp responder", "04", F.root, F.root_key, resp_exts);
	F.other = tr_cert(F.other_key, "unrelated", "05", NULL, F.other_key, ca_exts);
	/* self-signed with the intermediate's name and another key */
	F.fake_inter = tr_cert(F.other_key, "intermediate", "06", NULL, F.other_key, ca_exts);

	snprintf(url[0], sizeof(url[0]), "http://127.0.0.1:%d/", F.ocsp_port);
	snprintf(url[1], sizeof(url[1]), "http://127.0.0.1:%d/inter.crl", F.http.port);
	snprintf(url[2], sizeof(url[2]), "http://127.0.0.1:%d/conc.crl", F.http.port);
	F.good = tr_leaf("good", "1001", url[0], NULL);
	F.revoked = tr_leaf("revoked", "1002", url[0], NULL);
	F.unknown = tr_leaf("unknown", "1003", url[0], NULL);
	F.cdp_revoked = tr_leaf("cdp revoked", "1004", NULL, url[1]);
	F.cdp_good = tr_leaf("cdp good", "1005", NULL, url[1]);
	F.conc = tr_leaf("concurrent", "1006", NULL, url[2]);
	F.bare = tr_leaf("bare", "1007", NULL, NULL);
	snprintf(url[3], sizeof(url[3]), "http://127.0.0.1:%d/", F.dead_port);
	F.down = tr_leaf("down", "1008", url[3], NULL);
	snprintf(url[3], sizeof(url[3]), "http://127.0.0.1:%d/silent", F.http.port);
	F.silent = tr_leaf("silent", "1009", url[3], NULL);
	/* two responders in one AIA: garbage, then DER that is no OCSP response */
	snprintf(url[3], sizeof(url[3]),
		 "http://127.0.0.1:%d/garbage,OCSP;URI:http://127.0.0.1:%d/notocsp", F.http.port,
		 F.http.port);
	snprintf(url[4], sizeof(url[4]), "http://127.0.0.1:%d/notder.crl", F.http.port);
	F.garbage = tr_leaf("garbage", "100A", url[3], url[4]);
	F.https = tr_leaf("https", "100B", "https://127.0.0.1:1/ocsp", "ldap://127.0.0.1/cn=crl");
	snprintf(url[3], sizeof(url[3]), "http://127.0.0.1:%d/forged.crl", F.http.port);
	F.forged = tr_leaf("forged", "100C", NULL, url[3]);
	snprintf(url[3], sizeof(url[3]), "http://127.0.0.1:%d/bigocsp", F.http.port);
	snprintf(url[4], sizeof(url[4]), "http://127.0.0.1:%d/big.crl", F.http.port);
	F.big = tr_leaf("big", "100D", url[3], url[4]);
	snprintf(url[5], sizeof(url[5]), "http://127.0.0.1:%d/", F.ocsp2_port);
	F.cached = tr_leaf("cached", "100E", url[5], NULL);

	snprintf(path, sizeof(path), "%s/inter.crl.pem", F.dir);
	F.inter_crl_len = tr_crl(F.inter, F.inter_key, inter_revoked, &F.inter_crl, path);
	snprintf(path, sizeof(path), "%s/root.crl.pem", F.dir);
	F.root_crl_len = tr_crl(F.root, F.root_key, NULL, &F.root_crl, path);
	F.forged_crl_len = tr_crl(F.inter, F.other_key, NULL, &F.forged_crl, NULL);
	F.bodies[F.nbodies++] = (struct body){"/inter.crl", "application/pkix-crl", F.inter_crl,
					      (size_t)F.inter_crl_len};
	F.bodies[F.nbodies++] = (struct body){"/conc.crl", "application/pkix-crl", F.inter_crl,
					      (size_t)F.inter_crl_len};
	F.bodies[F.nbodies++] =
	    (struct body){"/root.crl", "application/pkix-crl", F.root_crl, (size_t)F.root_crl_len};
	F.bodies[F.nbodies++] = (struct body){"/forged.crl", "application/pkix-crl", F.forged_crl,
					      (size_t)F.forged_crl_len};
	assert_int_equal(pthread_create(&F.http.thread, NULL, http_main, &F.http), 0);

	tr_write_pem("inter.pem", F.inter, NULL);
	tr_write_pem("resp.pem", F.resp, NULL);
	tr_write_pem("resp.key", NULL, F.resp_key);
	tr_write_index();
	F.ocsp_pid = tr_start_ocsp(F.ocsp_port, NULL);
	F.ocsp2_pid = tr_start_ocsp(F.ocsp2_port, "1");
	return 0;
}

static void tr_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	tr_stop(&F.ocsp_pid);
	tr_stop(&F.ocsp2_pid);
	atomic_store(&F.http.stop, 1);
	pthread_join(F.http.thread, NULL);
	for (int i = 0; i < F.http.nsilent; i++)
		close(F.http.silent[i]);
	close(F.http.lfd);
	pthread_mutex_destroy(&F.http.lock);
	X509 **xs[] = {&F.root,	     &F.inter, &F.resp,	   &F.other,   &F.fake_inter,
		       &F.root_resp, &F.good,  &F.revoked, &F.unknown, &F.cdp_revoked,
		       &F.cdp_good,  &F.conc,  &F.bare,	   &F.down,    &F.silent,
		       &F.garbage,   &F.https, &F.forged,  &F.big,     &F.cached};
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		X509_free(*xs[i]);
	EVP_PKEY_free(F.root_key);
	EVP_PKEY_free(F.inter_key);
	EVP_PKEY_free(F.resp_key);
	EVP_PKEY_free(F.other_key);
	EVP_PKEY_free(F.leaf_key);
	OPENSSL_free(F.inter_crl);
	OPENSSL_free(F.root_crl);
	OPENSSL_free(F.forged_crl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", F.dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* --- helpers ---------------------------------------------------------------------------- */

static struct dbtls_rev_opts tr_opts(struct dbtls_rev_cache *cache)
{
	return (struct dbtls_rev_opts){.enabled = true, .timeout_ms = TIMEOUT_MS, .cache = cache};
}

/*
 * Checks the served chain leaf [, inter [, root]] (n certificates); with_path adds the verified
 * path leaf, inter, root. certs must hold n zeroed facts.
 */
static void tr_check(X509 *leaf, size_t n, bool with_path, const unsigned char *stapled,
		     size_t nstapled, const struct dbtls_rev_opts *o, struct dbtls_cert *certs)
{
	STACK_OF(X509) *served = sk_X509_new_null(), *path = NULL;
	X509 *chain[] = {leaf, F.inter, F.root};

	assert_non_null(served);
	for (size_t i = 0; i < n; i++)
		assert_true(sk_X509_push(served, chain[i]));
	if (with_path) {
		path = sk_X509_new_null();
		for (size_t i = 0; i < 3; i++)
			assert_true(sk_X509_push(path, chain[i]));
	}
	dbtls_revocation_check(served, path, stapled, nstapled, o, certs, n);
	sk_X509_free(served);
	sk_X509_free(path);
}

static void tr_free_certs(struct dbtls_cert *certs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dbtls_cert_free(&certs[i]);
}

static void tr_assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay ? hay : "(null)", needle);
}

static double tr_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A DER OCSP response about cert (CertID under issuer), signed by signer/key. */
static unsigned char *tr_staple(X509 *cert, X509 *issuer, X509 *signer, EVP_PKEY *key, int status,
				int reason, long this_off, long next_off, unsigned long flags,
				size_t *len)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
	ASN1_TIME *thisupd = X509_gmtime_adj(NULL, this_off),
		  *nextupd = X509_gmtime_adj(NULL, next_off);
	ASN1_TIME *rev = X509_gmtime_adj(NULL, -2 * DAY);
	OCSP_RESPONSE *resp;
	unsigned char *der = NULL;
	int n;

	assert_true(bs && id && thisupd && nextupd && rev);
	assert_non_null(OCSP_basic_add1_status(bs, id, status, reason,
					       status == V_OCSP_CERTSTATUS_REVOKED ? rev : NULL,
					       thisupd, nextupd));
	assert_true(OCSP_basic_sign(bs, signer, key, EVP_sha256(), NULL, flags));
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	assert_non_null(resp);
	n = i2d_OCSP_RESPONSE(resp, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ASN1_TIME_free(rev);
	return der;
}

/* --- tests ------------------------------------------------------------------------------ */

static void test_ocsp_good(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	char src[64];

	(void)state;
	tr_check(F.good, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_GOOD);
	snprintf(src, sizeof(src), "OCSP http://127.0.0.1:%d/", F.ocsp_port);
	assert_string_equal(certs[0].revocation.source, src);
	assert_non_null(certs[0].revocation.this_update);
	assert_non_null(certs[0].revocation.next_update); /* -ndays 1 */
	assert_null(certs[0].revocation.revoked_at);
	tr_free_certs(certs, 1);
}

static void test_ocsp_revoked(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	struct tm tm = {0};
	time_t when;

	(void)state;
	tr_check(F.revoked, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	tr_assert_contains(certs[0].revocation.source, "OCSP http://127.0.0.1:");
	assert_string_equal(certs[0].revocation.reason, "keyCompromise");
	/* the index says "revoked a day before the setup ran" */
	assert_non_null(certs[0].revocation.revoked_at);
	assert_non_null(strptime(certs[0].revocation.revoked_at, "%Y-%m-%dT%H:%M:%SZ", &tm));
	when = timegm(&tm);
	assert_true(when > time(NULL) - DAY - 600 && when <= time(NULL) - DAY);
	tr_free_certs(certs, 1);
}

static void test_ocsp_unknown(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.unknown, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNKNOWN);
	tr_assert_contains(certs[0].revocation.detail, "does not know this certificate");
	tr_free_certs(certs, 1);
}

static void test_crl_file(void **state)
{
	struct dbtls_cert certs[1] = {0};
	char missing[128], root_crl[128], inter_crl[128];
	const char *files[] = {missing, root_crl, inter_crl};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	snprintf(missing, sizeof(missing), "%s/missing.crl", F.dir);
	snprintf(root_crl, sizeof(root_crl), "%s/root.crl.pem", F.dir);
	snprintf(inter_crl, sizeof(inter_crl), "%s/inter.crl.pem", F.dir);
	o.crl_files = files;
	o.ncrl_files = 3;
	/* the revoked leaf also names the OCSP responder; the file comes first and answers */
	tr_check(F.revoked, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	tr_assert_contains(certs[0].revocation.source, "CRL file ");
	tr_assert_contains(certs[0].revocation.source, "inter.crl.pem");
	assert_string_equal(certs[0].revocation.reason, "keyCompromise");
	assert_non_null(certs[0].revocation.revoked_at);
	assert_non_null(certs[0].revocation.this_update);
	assert_non_null(certs[0].revocation.next_update);
	tr_assert_contains(certs[0].revocation.detail, "missing.crl: cannot open");
	tr_assert_contains(certs[0].revocation.detail,
			   "root.crl.pem: not issued by this certificate's issuer");
	tr_free_certs(certs, 1);
}

/* A CRL past its nextUpdate: a listed certificate stays revoked, an unlisted one is not "good". */
static void test_crl_stale(void **state)
{
	struct dbtls_cert certs[1] = {0};
	const char *listed[] = {"1002", NULL};
	char file[128];
	const char *files[] = {file};
	struct dbtls_rev_opts o = tr_opts(NULL);
	unsigned char *der = NULL;

	(void)state;
	snprintf(file, sizeof(file), "%s/stale.crl.pem", F.dir);
	tr_crl_at(F.inter, F.inter_key, listed, 3 * DAY, DAY, &der, file);
	OPENSSL_free(der);
	o.crl_files = files;
	o.ncrl_files = 1;
	tr_check(F.revoked, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	tr_assert_contains(certs[0].revocation.source, "stale.crl.pem");
	tr_assert_contains(certs[0].revocation.detail, "stale");
	tr_free_certs(certs, 1);

	tr_check(F.bare, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "stale.crl.pem: expired (nextUpdate ");
	tr_free_certs(certs, 1);
}

static void test_crl_url_and_cache(void **state)
{
	struct dbtls_cert certs[1] = {0}, more[1] = {0};
	struct dbtls_rev_cache *cache = dbtls_rev_cache_new();
	struct dbtls_rev_opts o = tr_opts(cache);
	char src[64];

	(void)state;
	assert_non_null(cache);
	tr_check(F.cdp_revoked, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	snprintf(src, sizeof(src), "CRL http://127.0.0.1:%d/inter.crl", F.http.port);
	assert_string_equal(certs[0].revocation.source, src);
	assert_string_equal(certs[0].revocation.reason, "keyCompromise");
	assert_non_null(certs[0].revocation.revoked_at);
	/* another certificate behind the same URL: the CRL is not downloaded again */
	tr_check(F.cdp_good, 1, true, NULL, 0, &o, more);
	assert_int_equal(more[0].revocation.status, DBTLS_REV_GOOD);
	assert_string_equal(more[0].revocation.source, src);
	assert_int_equal(http_requests(&F.http, "/inter.crl"), 1);
	tr_free_certs(certs, 1);
	tr_free_certs(more, 1);
	dbtls_rev_cache_free(cache);
}

static void test_chain(void **state)
{
	struct dbtls_cert certs[3] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.good, 3, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_GOOD);
	/* the intermediate through the root's CRL */
	assert_int_equal(certs[1].revocation.status, DBTLS_REV_GOOD);
	tr_assert_contains(certs[1].revocation.source, "/root.crl");
	/* the anchor is never asked about */
	assert_int_equal(certs[2].revocation.status, DBTLS_REV_NOT_CHECKED);
	assert_null(certs[2].revocation.source);
	tr_free_certs(certs, 3);
}

static void test_leaf_only(void **state)
{
	struct dbtls_cert certs[2] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	int before = http_requests(&F.http, "/root.crl");

	(void)state;
	o.leaf_only = true;
	tr_check(F.good, 2, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_GOOD);
	assert_int_equal(certs[1].revocation.status, DBTLS_REV_NOT_CHECKED);
	assert_null(certs[1].revocation.source);
	assert_int_equal(http_requests(&F.http, "/root.crl"), before);
	tr_free_certs(certs, 2);
}

static void test_disabled(void **state)
{
	struct dbtls_cert certs[2] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	o.enabled = false;
	tr_check(F.good, 2, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_NOT_CHECKED);
	assert_int_equal(certs[1].revocation.status, DBTLS_REV_NOT_CHECKED);
	assert_null(certs[0].revocation.detail);
	tr_free_certs(certs, 2);
}

static void test_no_issuer(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.good, 1, false, NULL, 0, &o, certs); /* leaf alone, no verified path */
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "issuer certificate not available");
	tr_free_certs(certs, 1);
}

static void test_no_urls(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.bare, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	assert_string_equal(certs[0].revocation.detail, "no OCSP URL, no CRL distribution point");
	assert_null(certs[0].revocation.source);
	tr_free_certs(certs, 1);
}

static void test_stapled_good(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	size_t len;
	unsigned char *der = tr_staple(F.bare, F.inter, F.inter, F.inter_key,
				       V_OCSP_CERTSTATUS_GOOD, -1, -60, DAY, 0, &len);

	(void)state;
	tr_check(F.bare, 1, true, der, len, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_GOOD);
	assert_string_equal(certs[0].revocation.source, "stapled OCSP");
	assert_non_null(certs[0].revocation.this_update);
	assert_non_null(certs[0].revocation.next_update);
	tr_free_certs(certs, 1);
	OPENSSL_free(der);
}

static void test_stapled_delegated_revoked(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	size_t len;
	unsigned char *der =
	    tr_staple(F.bare, F.inter, F.resp, F.resp_key, V_OCSP_CERTSTATUS_REVOKED,
		      OCSP_REVOKED_STATUS_SUPERSEDED, -60, DAY, 0, &len);

	(void)state;
	tr_check(F.bare, 1, true, der, len, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	assert_string_equal(certs[0].revocation.source, "stapled OCSP");
	assert_string_equal(certs[0].revocation.reason, "superseded");
	assert_non_null(certs[0].revocation.revoked_at);
	tr_free_certs(certs, 1);
	OPENSSL_free(der);
}

/* Each of these stapled responses must be refused; the lookup falls through to the next source. */
static void test_stapled_rejected(void **state)
{
	struct {
		const char *what;
		X509 *cert, *signer;
		EVP_PKEY *key;
		unsigned long flags;
		long this_off, next_off;
		const char *why;
	} cases[] = {
	    {"unrelated self-signed key", F.bare, F.other, F.other_key, 0, -60, DAY,
	     "signature does not verify"},
	    {"unrelated key, responder named as the issuer, no certificate", F.bare, F.fake_inter,
	     F.other_key, OCSP_NOCERTS, -60, DAY, "signature does not verify"},
	    {"responder of another CA", F.bare, F.root_resp, F.resp_key, 0, -60, DAY,
	     "signature does not verify"},
	    {"about another certificate", F.good, F.inter, F.inter_key, 0, -60, DAY,
	     "does not cover this certificate"},
	    {"expired", F.bare, F.inter, F.inter_key, 0, -3 * DAY, -2 * DAY,
	     "outside its validity period"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dbtls_cert certs[1] = {0};
		struct dbtls_rev_opts o = tr_opts(NULL);
		size_t len;
		unsigned char *der = tr_staple(
		    cases[i].cert, F.inter, cases[i].signer, cases[i].key, V_OCSP_CERTSTATUS_GOOD,
		    -1, cases[i].this_off, cases[i].next_off, cases[i].flags, &len);

		print_message("stapled: %s\n", cases[i].what);
		tr_check(F.bare, 1, true, der, len, &o, certs);
		assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
		tr_assert_contains(certs[0].revocation.detail, "stapled OCSP: ");
		tr_assert_contains(certs[0].revocation.detail, cases[i].why);
		tr_assert_contains(certs[0].revocation.detail,
				   "no OCSP URL, no CRL distribution point");
		tr_free_certs(certs, 1);
		OPENSSL_free(der);
	}
}

static void test_stapled_falls_through(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	size_t len;
	unsigned char *der = tr_staple(F.cdp_revoked, F.inter, F.other, F.other_key,
				       V_OCSP_CERTSTATUS_GOOD, -1, -60, DAY, 0, &len);
	const unsigned char junk[] = "\x30\x82\xff\xff not a response";

	(void)state;
	/* a forged "good" must not hide that the CRL lists the certificate */
	tr_check(F.cdp_revoked, 1, true, der, len, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
	tr_assert_contains(certs[0].revocation.source, "CRL http://");
	tr_assert_contains(certs[0].revocation.detail, "stapled OCSP: signature does not verify");
	tr_free_certs(certs, 1);

	tr_check(F.bare, 1, true, junk, sizeof(junk) - 1, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "stapled OCSP: not an OCSP response");
	tr_free_certs(certs, 1);
	OPENSSL_free(der);
}

static void test_responder_down(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	char want[96];
	double t0 = tr_now(), dt;

	(void)state;
	tr_check(F.down, 1, true, NULL, 0, &o, certs);
	dt = tr_now() - t0;
	print_message("refused responder: %.2f s with a %d ms timeout\n", dt, TIMEOUT_MS);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	snprintf(want, sizeof(want), "OCSP http://127.0.0.1:%d/: connection refused", F.dead_port);
	tr_assert_contains(certs[0].revocation.detail, want);
	/* a refusal is an answer: at once, not after the deadline (OpenSSL 3.0's HTTP client alone
	 * retries a refused connect until then) */
	assert_true(dt < 0.5);
	tr_free_certs(certs, 1);
}

static void test_responder_silent(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	double t0 = tr_now(), dt;

	(void)state;
	o.timeout_ms = 1; /* rounds up to one second */
	tr_check(F.silent, 1, true, NULL, 0, &o, certs);
	dt = tr_now() - t0;
	print_message("silent responder: %.2f s with a 1 ms timeout (1 s)\n", dt);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "/silent: timed out after 1 s");
	assert_true(dt >= 0.5 && dt < 2.5);
	tr_free_certs(certs, 1);
}

static void test_garbage(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.garbage, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "/garbage: ");
	tr_assert_contains(certs[0].revocation.detail, "/notocsp: not an OCSP response");
	tr_assert_contains(certs[0].revocation.detail, "/notder.crl: not a CRL");
	print_message("garbage: %s\n", certs[0].revocation.detail);
	tr_free_certs(certs, 1);
}

static void test_oversized(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.big, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail,
			   "/bigocsp: response larger than 1048576 bytes, refused");
	tr_assert_contains(certs[0].revocation.detail,
			   "/big.crl: response larger than 10485760 bytes, refused");
	tr_free_certs(certs, 1);
}

static void test_https_and_ldap(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);
	double t0 = tr_now();

	(void)state;
	tr_check(F.https, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	assert_string_equal(certs[0].revocation.detail,
			    "OCSP https://127.0.0.1:1/ocsp: https is not supported (HTTP only); "
			    "CRL ldap://127.0.0.1/cn=crl: not an http URL");
	assert_true(tr_now() - t0 < 0.5);
	tr_free_certs(certs, 1);
}

static void test_forged_crl(void **state)
{
	struct dbtls_cert certs[1] = {0};
	struct dbtls_rev_opts o = tr_opts(NULL);

	(void)state;
	tr_check(F.forged, 1, true, NULL, 0, &o, certs);
	assert_int_equal(certs[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_assert_contains(certs[0].revocation.detail, "/forged.crl: signature does not verify");
	tr_free_certs(certs, 1);
}

/* The second responder serves one request and exits: only the cache can answer again. */
static void test_cache(void **state)
{
	struct dbtls_cert a[1] = {0}, b[1] = {0}, c[1] = {0};
	struct dbtls_rev_cache *cache = dbtls_rev_cache_new();
	struct dbtls_rev_opts o = tr_opts(cache), fresh = tr_opts(NULL);
	struct timespec nap = {0, 20 * 1000 * 1000};
	pid_t gone = 0;

	(void)state;
	assert_non_null(cache);
	tr_check(F.cached, 1, true, NULL, 0, &o, a);
	assert_int_equal(a[0].revocation.status, DBTLS_REV_GOOD);
	for (int i = 0; i < 250 && gone == 0; i++) {
		gone = waitpid(F.ocsp2_pid, NULL, WNOHANG);
		if (gone == 0)
			nanosleep(&nap, NULL);
	}
	assert_int_equal(gone, F.ocsp2_pid); /* it has served its one request */
	F.ocsp2_pid = 0;

	tr_check(F.cached, 1, true, NULL, 0, &o, b);
	assert_int_equal(b[0].revocation.status, DBTLS_REV_GOOD);
	assert_string_equal(b[0].revocation.source, a[0].revocation.source);
	assert_string_equal(b[0].revocation.this_update, a[0].revocation.this_update);
	assert_true(b[0].revocation.source != a[0].revocation.source); /* a copy */

	/* without the cache the network is asked, and nobody answers */
	tr_check(F.cached, 1, true, NULL, 0, &fresh, c);
	assert_int_equal(c[0].revocation.status, DBTLS_REV_UNAVAILABLE);
	tr_free_certs(a, 1);
	tr_free_certs(b, 1);
	tr_free_certs(c, 1);
	dbtls_rev_cache_free(cache);
}

struct worker {
	struct dbtls_rev_opts *o;
	struct dbtls_cert certs[2];
};

/* Each worker has its own copies of the certificates, as scan workers have their own chains
 * (OpenSSL fills an X509's caches lazily: one X509 is not meant to be shared between threads). */
static void *tr_worker(void *arg)
{
	struct worker *w = arg;
	STACK_OF(X509) *served = sk_X509_new_null();
	X509 *leaf = X509_dup(F.conc), *inter = X509_dup(F.inter);

	if (served && leaf && inter && sk_X509_push(served, leaf) && sk_X509_push(served, inter))
		dbtls_revocation_check(served, NULL, NULL, 0, w->o, w->certs, 2);
	sk_X509_free(served);
	X509_free(leaf);
	X509_free(inter);
	return NULL;
}

/* Workers asking about one certificate at once share one download. */
static void test_concurrent(void **state)
{
	struct dbtls_rev_cache *cache = dbtls_rev_cache_new();
	struct dbtls_rev_opts o = tr_opts(cache);
	struct worker w[8];
	pthread_t t[8];

	(void)state;
	assert_non_null(cache);
	memset(w, 0, sizeof(w));
	for (size_t i = 0; i < 8; i++) {
		w[i].o = &o;
		assert_int_equal(pthread_create(&t[i], NULL, tr_worker, &w[i]), 0);
	}
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].certs[0].revocation.status, DBTLS_REV_REVOKED);
		assert_string_equal(w[i].certs[0].revocation.reason, "cessationOfOperation");
		/* no verified path: the intermediate's issuer (the root) was not served */
		assert_int_equal(w[i].certs[1].revocation.status, DBTLS_REV_UNAVAILABLE);
		tr_free_certs(w[i].certs, 2);
	}
	assert_int_equal(http_requests(&F.http, "/conc.crl"), 1);
	dbtls_rev_cache_free(cache);
}

/* Every bit pattern of a damaged stapled response or CRL file ends as a status, never a crash,
 * and never as "revoked" for a certificate nobody revoked. */
static void test_hostile_bytes(void **state)
{
	const unsigned char masks[] = {0x01, 0x80, 0xff};
	char file[128];
	const char *files[] = {file};
	size_t len;
	/* no certificates inside: then every byte but the wrapping is signed */
	unsigned char *der = tr_staple(F.bare, F.inter, F.inter, F.inter_key,
				       V_OCSP_CERTSTATUS_GOOD, -1, -60, DAY, OCSP_NOCERTS, &len);
	unsigned char *buf = malloc(len > (size_t)F.inter_crl_len ? len : (size_t)F.inter_crl_len);
	struct dbtls_rev_opts o = tr_opts(NULL);
	int good = 0;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i <= len; i++)
		for (size_t m = 0; m < sizeof(masks) + 1; m++) {
			struct dbtls_cert certs[1] = {0};
			size_t n = m < sizeof(masks) ? len : i; /* the last round truncates */

			if (m < sizeof(masks) && i == len)
				continue;
			memcpy(buf, der, len);
			if (m < sizeof(masks))
				buf[i] ^= masks[m];
			tr_check(F.bare, 1, true, buf, n, &o, certs);
			assert_int_not_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
			good += certs[0].revocation.status == DBTLS_REV_GOOD;
			tr_free_certs(certs, 1);
		}
	/* only the last round's full-length "truncation" (the response itself) still verifies */
	assert_int_equal(good, 1);
	OPENSSL_free(der);

	snprintf(file, sizeof(file), "%s/hostile.crl", F.dir);
	o.crl_files = files;
	o.ncrl_files = 1;
	for (size_t i = 0; i < (size_t)F.inter_crl_len; i++)
		for (size_t m = 0; m < sizeof(masks); m++) {
			struct dbtls_cert certs[1] = {0};
			size_t n =
			    m == 2 ? i : (size_t)F.inter_crl_len; /* the last round truncates */
			FILE *f = fopen(file, "wb");

			assert_non_null(f);
			memcpy(buf, F.inter_crl, (size_t)F.inter_crl_len);
			buf[i] ^= masks[m];
			assert_int_equal(fwrite(buf, 1, n, f), n);
			fclose(f);
			tr_check(F.bare, 1, true, NULL, 0, &o, certs);
			assert_int_not_equal(certs[0].revocation.status, DBTLS_REV_REVOKED);
			tr_free_certs(certs, 1);
		}
	free(buf);
}

static void test_cache_free_null(void **state)
{
	(void)state;
	dbtls_rev_cache_free(NULL);
	dbtls_revocation_check(NULL, NULL, NULL, 0, NULL, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ocsp_good),
	    cmocka_unit_test(test_ocsp_revoked),
	    cmocka_unit_test(test_ocsp_unknown),
	    cmocka_unit_test(test_crl_file),
	    cmocka_unit_test(test_crl_stale),
	    cmocka_unit_test(test_crl_url_and_cache),
	    cmocka_unit_test(test_chain),
	    cmocka_unit_test(test_leaf_only),
	    cmocka_unit_test(test_disabled),
	    cmocka_unit_test(test_no_issuer),
	    cmocka_unit_test(test_no_urls),
	    cmocka_unit_test(test_stapled_good),
	    cmocka_unit_test(test_stapled_delegated_revoked),
	    cmocka_unit_test(test_stapled_rejected),
	    cmocka_unit_test(test_stapled_falls_through),
	    cmocka_unit_test(test_responder_down),
	    cmocka_unit_test(test_responder_silent),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_https_and_ldap),
	    cmocka_unit_test(test_forged_crl),
	    cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_concurrent),
	    cmocka_unit_test(test_hostile_bytes),
	    cmocka_unit_test(test_cache_free_null),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
