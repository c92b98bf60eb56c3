/* tls: a Mbed TLS client (TLS 1.2 and 1.3, no fallback below 1.2) over a
 * connected socket.
 *
 * Trust comes only from the PEM (or DER) given: one or more CA
 * certificates, or the server's own certificate pinned as the anchor, which
 * Mbed TLS accepts only when it is self-signed (a CA-issued leaf given alone
 * is "not trusted").  The server's certificate must name verify_name: a
 * DNS name, or an IP literal matched against the IP addresses of its
 * subjectAltName.
 *
 * Errors: -ETIMEDOUT (deadline passed), -errno from the socket (-ECONNRESET,
 * -EPIPE, ...), -ENOMEM, and -ERR_UNSAFE for everything the TLS layer
 * refused: certificate verification (the message names the cause:
 * "certificate not trusted", "name mismatch", "expired", ...), handshake
 * failures and alerts, bad records.  So a caller can tell "network" (-errno)
 * from "tls" (-ERR_UNSAFE). */
#ifndef CCG_NET_TLS_H
#define CCG_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct tls;

/* Handshake on the connected socket fd (blocking or not; it is not closed
 * and its flags are not changed) within timeout_ms.  ca_pem[ca_len] is
 * copied.  *out is NULL on failure. */
int tls_open(struct tls **out, int fd, const char *verify_name, const uint8_t *ca_pem,
	     size_t ca_len, int timeout_ms, struct err *e);

/* Read up to cap bytes (cap is clamped to 16 KiB) within timeout_ms.
 * Returns the count (> 0), 0 when the peer closed (close_notify or a bare
 * EOF: see tls_closed_cleanly()), or a negative code. */
int tls_read(struct tls *t, uint8_t *buf, size_t cap, int timeout_ms, struct err *e);

/* True when the peer's last word was close_notify (so a 0 from tls_read()
 * is not a truncation by an attacker). */
bool tls_closed_cleanly(const struct tls *t);

/* Write all n bytes within timeout_ms.  Returns 0 or a negative code. */
int tls_write(struct tls *t, const uint8_t *buf, size_t n, int timeout_ms, struct err *e);

/* Send close_notify (best effort, without waiting). */
void tls_close(struct tls *t);

/* Free the TLS state (the fd stays open).  NULL-safe. */
void tls_free(struct tls *t);

/* The negotiated protocol, "TLSv1.2" or "TLSv1.3" ("unknown" before). */
const char *tls_version(const struct tls *t);

#endif
