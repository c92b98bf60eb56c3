/* layer_ring: a fixed ring of entries between the layer pipeline's two
 * threads.  The decoder thread publishes entries in stream order: tar bytes
 * in the ring's own buffers, or references to its blob input buffers for the
 * other thread to hash.  The unpack thread takes them in order and gives them
 * back.  The decoder closes the ring at the end of its stream; the unpacker
 * cancels it after an error, which tells the decoder to stop decoding (it
 * still reads, and the blob is still hashed).  Private to image/layer.c. */
#ifndef CCG_IMAGE_LAYER_RING_H
#define CCG_IMAGE_LAYER_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_SLOTS 8
#define RING_SLOT_BYTES (256u << 10)

enum ring_kind {
	RING_TAR,      /* decompressed tar bytes */
	RING_BLOB,     /* blob bytes, to hash */
	RING_BOTH,     /* an uncompressed blob: the bytes are both */
};

struct ring_entry {
	const uint8_t *p;
	size_t len;
	uint8_t kind;                /* enum ring_kind */
	bool ref;                    /* p is the decoder's buffer, not the ring's */
};

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* any change of head, tail, closed, cancelled */
	uint8_t *buf[RING_SLOTS];
	struct ring_entry ent[RING_SLOTS];
	unsigned head;               /* entries published by the decoder */
	unsigned tail;               /* entries given back by the unpacker */
	unsigned refs_out;           /* published references not yet given back */
	bool closed;                 /* the decoder publishes nothing more */
	bool cancelled;              /* the unpacker wants no more tar bytes */
	bool sync_ok;
};

int ring_init(struct ring *r);
void ring_destroy(struct ring *r);      /* NULL-safe, also after a failed init */

/* Decoder side.  ring_slot() waits for a free entry and returns its buffer
 * (RING_SLOT_BYTES); ring_publish() publishes it.  ring_publish_ref()
 * publishes a buffer of the caller's, which stays untouched until
 * ring_wait_refs() says it was given back. */
uint8_t *ring_slot(struct ring *r);
void ring_publish(struct ring *r, size_t len, enum ring_kind kind);
void ring_publish_ref(struct ring *r, const uint8_t *p, size_t len, enum ring_kind kind);
void ring_wait_refs(struct ring *r, unsigned max_out);
void ring_close(struct ring *r);
bool ring_is_cancelled(struct ring *r);

/* Unpacker side.  ring_take() waits for the next entry; NULL when the ring
 * is closed and empty.  The entry stays valid until ring_give_back(). */
const struct ring_entry *ring_take(struct ring *r);
void ring_give_back(struct ring *r);
void ring_cancel(struct ring *r);

#endif
