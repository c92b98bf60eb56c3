/* tls: the Mbed TLS client edge.  The socket is driven through our own BIO
 * callbacks: poll() against one deadline per call, send/recv with
 * MSG_DONTWAIT, so the fd may be blocking or not and every wait is
 * bounded.  A socket error is kept in t->io_err and reported as -errno; what
 * Mbed TLS itself refused becomes -ERR_UNSAFE with its cause named. */
#include "net/tls.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <psa/crypto.h>

#define TLS_READ_MAX 16384

struct tls {
	int fd;
	int io_err;                /* -errno of the last socket failure, or 0 */
	bool close_notify;         /* the peer ended with close_notify */
	long long deadline;        /* CLOCK_MONOTONIC ms */
	char name[256];
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_deadline(struct tls *t, int timeout_ms)
{
	t->deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	t->io_err = 0;
}

/* Wait for events on t->fd until the deadline: 0, or -ETIMEDOUT / -errno. */
static int wait_fd(struct tls *t, short events)
{
	for (;;) {
		long long left = t->deadline - now_ms();
		struct pollfd pfd = { t->fd, events, 0 };
		int k;

		if (left <= 0)
			return -ETIMEDOUT;
		k = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (k > 0)
			return 0;     /* ready, or an error the next call reports */
		if (k < 0 && errno != EINTR)
			return -errno;
	}
}

static int bio_fail(struct tls *t, int rc, int code)
{
	t->io_err = rc;
	return rc == -ETIMEDOUT ? MBEDTLS_ERR_SSL_TIMEOUT : code;
}

/* One send or recv on the non-blocking socket, waiting within the deadline.
 * recv returns 0 at EOF: Mbed TLS turns it into MBEDTLS_ERR_SSL_CONN_EOF. */
static int bio_io(struct tls *t, unsigned char *buf, size_t len, bool out)
{
	int fail = out ? MBEDTLS_ERR_NET_SEND_FAILED : MBEDTLS_ERR_NET_RECV_FAILED;

	if (len > INT_MAX)
		len = INT_MAX;
	for (;;) {
		ssize_t k = out ? send(t->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)
				: recv(t->fd, buf, len, MSG_DONTWAIT);
		int rc;

		if (k >= 0)
			return (int)k;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return bio_fail(t, -errno, fail);
		rc = wait_fd(t, out ? POLLOUT : POLLIN);
		if (rc < 0)
			return bio_fail(t, rc, fail);
	}
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	return bio_io(ctx, (unsigned char *)(uintptr_t)buf, len, true);
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	return bio_io(ctx, buf, len, false);
}

/* ---- messages ------------------------------------------------------------- */

static const struct {
	uint32_t flag;
	const char *what;
} verify_flags[] = {
	{ MBEDTLS_X509_BADCERT_NOT_TRUSTED, "certificate not trusted" },
	{ MBEDTLS_X509_BADCERT_CN_MISMATCH, "name mismatch" },
	{ MBEDTLS_X509_BADCERT_EXPIRED, "certificate expired" },
	{ MBEDTLS_X509_BADCERT_FUTURE, "certificate not yet valid" },
	{ MBEDTLS_X509_BADCERT_KEY_USAGE, "key usage does not allow TLS" },
	{ MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "extended key usage is not serverAuth" },
	{ MBEDTLS_X509_BADCERT_BAD_MD, "signature hash not acceptable" },
	{ MBEDTLS_X509_BADCERT_BAD_PK, "key type not acceptable" },
	{ MBEDTLS_X509_BADCERT_BAD_KEY, "key too weak" },
};

/* Append ", " (unless first) and s to out[cap], cutting what does not fit. */
static void append(char *out, size_t cap, const char *s)
{
	size_t o = strlen(out), n;

	if (o && o + 2 < cap) {
		memcpy(out + o, ", ", 2);
		o += 2;
	}
	n = strlen(s);
	if (n > cap - 1 - o)
		n = cap - 1 - o;
	memcpy(out + o, s, n);
	out[o + n] = '\0';
}

/* The verification flags as "certificate not trusted, name mismatch ...";
 * bits without a short name are rendered by mbedtls_x509_crt_verify_info. */
static void describe_flags(uint32_t flags, char *out, size_t cap)
{
	char rest[256];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < sizeof(verify_flags) / sizeof(verify_flags[0]); i++) {
		if (flags & verify_flags[i].flag)
			append(out, cap, verify_flags[i].what);
		flags &= ~verify_flags[i].flag;
	}
	if (flags && mbedtls_x509_crt_verify_info(rest, sizeof(rest), "", flags) > 0) {
		for (i = 0; rest[i]; i++)
			if (rest[i] == '\n')
				rest[i] = rest[i + 1] ? ';' : '\0';
		append(out, cap, rest);
	}
}

/* Turn a failed Mbed TLS call into our code and one line. */
static int tls_fail(struct tls *t, int ret, const char *what, struct err *e)
{
	char buf[200];

	if (t->io_err == -ETIMEDOUT)
		return err_set(e, -ETIMEDOUT, "%s: timed out", what);
	if (t->io_err)
		return err_set(e, t->io_err, "%s: %s", what, strerror(-t->io_err));
	switch (ret) {
	case MBEDTLS_ERR_SSL_CONN_EOF:
		return err_set(e, -ECONNRESET, "%s: connection closed by the server", what);
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
		return err_set(e, -ENOMEM, "%s: out of memory", what);
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
		describe_flags(mbedtls_ssl_get_verify_result(&t->ssl), buf, sizeof(buf));
		return err_set(e, -ERR_UNSAFE, "%s: certificate verification failed: %s "
			       "(checked for \"%s\")", what, buf, t->name);
	default:
		mbedtls_strerror(ret, buf, sizeof(buf));
		return err_set(e, -ERR_UNSAFE, "%s: %s (-0x%04x)", what, buf, (unsigned)-ret);
	}
}

/* ---- setup ---------------------------------------------------------------- */

static pthread_once_t psa_once = PTHREAD_ONCE_INIT;
static psa_status_t psa_status = PSA_ERROR_BAD_STATE;

static void psa_init_once(void)
{
	psa_status = psa_crypto_init();
}

/* PEM (NUL appended, as Mbed TLS wants) or DER; every certificate must parse. */
static int load_ca(struct tls *t, const uint8_t *pem, size_t n, struct err *e)
{
	char buf[128];
	uint8_t *copy;
	int ret;

	if (n == 0 || n > 1u << 20)
		return err_set(e, -ERR_UNSAFE, "TLS trust anchor: %s", n ? "over 1 MiB" : "empty");
	copy = malloc(n + 1);
	if (!copy)
		return err_set(e, -ENOMEM, "TLS trust anchor: out of memory");
	memcpy(copy, pem, n);
	copy[n] = 0;
	if (memmem(copy, n, "-----BEGIN", 10))
		n++;
	ret = mbedtls_x509_crt_parse(&t->ca, copy, n);
	free(copy);
	if (ret == 0)
		return 0;
	if (ret > 0)
		return err_set(e, -ERR_UNSAFE, "TLS trust anchor: %d certificate(s) did not parse",
			       ret);
	mbedtls_strerror(ret, buf, sizeof(buf));
	return err_set(e, -ERR_UNSAFE, "TLS trust anchor: %s", buf);
}

static int configure(struct tls *t, struct err *e)
{
	static const char pers[] = "ccguest tls";
	int ret;

	ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
				    (const unsigned char *)pers, sizeof(pers) - 1);
	if (ret != 0)
		return err_set(e, -EIO, "TLS: random generator: -0x%04x", (unsigned)-ret);
	ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
					  MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		return err_set(e, -EIO, "TLS: configuration: -0x%04x", (unsigned)-ret);
	mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_min_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_max_tls_version(&t->conf, MBEDTLS_SSL_VERSION_TLS1_3);
	ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
	if (ret == 0)
		ret = mbedtls_ssl_set_hostname(&t->ssl, t->name);
	if (ret != 0)
		return err_set(e, ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? -ENOMEM : -EIO,
			       "TLS: setup: -0x%04x", (unsigned)-ret);
	mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
	return 0;
}

static struct tls *tls_alloc(int fd)
{
	struct tls *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fd = fd;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	return t;
}

int tls_open(struct tls **out, int fd, const char *verify_name, const uint8_t *ca_pem,
	     size_t ca_len, int timeout_ms, struct err *e)
{
	struct tls *t;
	char what[300];
	int rc, ret;

	*out = NULL;
	if (!verify_name || !verify_name[0] || strlen(verify_name) >= sizeof(t->name) || !ca_pem)
		return err_set(e, -EINVAL, "TLS: a name to verify and a trust anchor are required");
	pthread_once(&psa_once, psa_init_once);
	if (psa_status != PSA_SUCCESS)
		return err_set(e, -EIO, "TLS: PSA crypto init failed (%d)", (int)psa_status);
	t = tls_alloc(fd);
	if (!t)
		return err_set(e, -ENOMEM, "TLS: out of memory");
	strcpy(t->name, verify_name);
	rc = load_ca(t, ca_pem, ca_len, e);
	if (rc == 0)
		rc = configure(t, e);
	if (rc < 0)
		goto free_t;
	snprintf(what, sizeof(what), "TLS handshake with %s", verify_name);
	set_deadline(t, timeout_ms);
	do
		ret = mbedtls_ssl_handshake(&t->ssl);
	while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (ret != 0) {
		rc = tls_fail(t, ret, what, e);
		goto free_t;
	}
	*out = t;
	return 0;
free_t:
	tls_free(t);
	return rc;
}

int tls_read(struct tls *t, uint8_t *buf, size_t cap, int timeout_ms, struct err *e)
{
	int ret;

	set_deadline(t, timeout_ms);
	if (cap > TLS_READ_MAX)
		cap = TLS_READ_MAX;
	do
		ret = mbedtls_ssl_read(&t->ssl, buf, cap);
	while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (ret >= 0)
		return ret;
	if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
		t->close_notify = true;
		return 0;
	}
	if (ret == MBEDTLS_ERR_SSL_CONN_EOF)
		return 0;
	return tls_fail(t, ret, "TLS read", e);
}

int tls_write(struct tls *t, const uint8_t *buf, size_t n, int timeout_ms, struct err *e)
{
	size_t off = 0;

	set_deadline(t, timeout_ms);
	while (off < n) {
		int ret = mbedtls_ssl_write(&t->ssl, buf + off, n - off);

		if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (ret < 0)
			return tls_fail(t, ret, "TLS write", e);
		off += (size_t)ret;
	}
	return 0;
}

void tls_close(struct tls *t)
{
	if (!t)
		return;
	set_deadline(t, 0);
	(void)mbedtls_ssl_close_notify(&t->ssl);
}

bool tls_closed_cleanly(const struct tls *t)
{
	return t && t->close_notify;
}

const char *tls_version(const struct tls *t)
{
	return t ? mbedtls_ssl_get_version(&t->ssl) : "unknown";
}

void tls_free(struct tls *t)
{
	if (!t)
		return;
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	free(t);
}
