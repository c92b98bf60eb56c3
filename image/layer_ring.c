#include "image/layer_ring.h"

#include <errno.h>
#include <stdlib.h>

int ring_init(struct ring *r)
{
	*r = (struct ring){ 0 };
	for (unsigned i = 0; i < RING_SLOTS; i++) {
		r->buf[i] = malloc(RING_SLOT_BYTES);
		if (!r->buf[i])
			goto fail;
	}
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&r->cv, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		goto fail;
	}
	r->sync_ok = true;
	return 0;
fail:
	ring_destroy(r);
	return -ENOMEM;
}

void ring_destroy(struct ring *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < RING_SLOTS; i++) {
		free(r->buf[i]);
		r->buf[i] = NULL;
	}
	if (r->sync_ok) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		r->sync_ok = false;
	}
}

/* Called with mu held. */
static void wait_free(struct ring *r)
{
	while (r->head - r->tail == RING_SLOTS)
		pthread_cond_wait(&r->cv, &r->mu);
}

uint8_t *ring_slot(struct ring *r)
{
	uint8_t *p;

	pthread_mutex_lock(&r->mu);
	wait_free(r);
	p = r->buf[r->head % RING_SLOTS];
	pthread_mutex_unlock(&r->mu);
	return p;
}

static void publish(struct ring *r, const uint8_t *p, size_t len, enum ring_kind kind, bool ref)
{
	struct ring_entry *x = &r->ent[r->head % RING_SLOTS];

	*x = (struct ring_entry){ .p = p, .len = len, .kind = (uint8_t)kind, .ref = ref };
	r->head++;
	r->refs_out += ref;
	pthread_cond_broadcast(&r->cv);
}

void ring_publish(struct ring *r, size_t len, enum ring_kind kind)
{
	pthread_mutex_lock(&r->mu);
	publish(r, r->buf[r->head % RING_SLOTS], len, kind, false);
	pthread_mutex_unlock(&r->mu);
}

void ring_publish_ref(struct ring *r, const uint8_t *p, size_t len, enum ring_kind kind)
{
	pthread_mutex_lock(&r->mu);
	wait_free(r);
	publish(r, p, len, kind, true);
	pthread_mutex_unlock(&r->mu);
}

void ring_wait_refs(struct ring *r, unsigned max_out)
{
	pthread_mutex_lock(&r->mu);
	while (r->refs_out > max_out)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

void ring_close(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->closed = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

bool ring_is_cancelled(struct ring *r)
{
	bool c;

	pthread_mutex_lock(&r->mu);
	c = r->cancelled;
	pthread_mutex_unlock(&r->mu);
	return c;
}

const struct ring_entry *ring_take(struct ring *r)
{
	const struct ring_entry *x = NULL;

	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail && !r->closed)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->head != r->tail)
		x = &r->ent[r->tail % RING_SLOTS];
	pthread_mutex_unlock(&r->mu);
	return x;
}

void ring_give_back(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->refs_out -= r->ent[r->tail % RING_SLOTS].ref;
	r->tail++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

void ring_cancel(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->cancelled = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}
