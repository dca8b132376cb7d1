/*
 * One end of an RTMP connection: see rtmp-peer.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <string.h>

#include <gio/gio.h>

#include "handshake.h"
#include "message.h"
#include "rtmp-peer.h"

#define READ_BUF		16384

/* Marks the peer dead, telling the owner why. */
static void
peer_end(struct rtmp_peer *p, enum rtmp_peer_end why, const char *message)
{
	p->ops->end(p->ctx, why, message);
	p->dead = true;
}

void
rtmp_peer_init(struct rtmp_peer *p, const struct rtmp_peer_ops *ops,
    void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	p->ctx = ctx;
	p->out = g_byte_array_new();
	field_record_init(&p->fields);
	chunk_writer_init(&p->w);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

/* A source's last word: a dead peer is closed, and the source goes. */
static gboolean
peer_settle(struct rtmp_peer *p)
{
	if (p->dead) {
		p->ops->close(p->ctx);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean
peer_writable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct rtmp_peer *p = data;

	(void)sock;
	(void)cond;
	rtmp_peer_flush(p);
	return peer_settle(p);
}

void
rtmp_peer_flush(struct rtmp_peer *p)
{
	g_autoptr(GError) err = NULL;
	gssize n;

	if (p->sock == NULL || p->dead)
		return;
	while (p->out_pos < p->out->len) {
		n = g_socket_send(p->sock,
		    (const gchar *)p->out->data + p->out_pos,
		    p->out->len - p->out_pos, NULL, &err);
		if (n < 0) {
			if (g_error_matches(err, G_IO_ERROR,
			    G_IO_ERROR_WOULD_BLOCK))
				break;
			peer_end(p, RTMP_PEER_SEND_ERROR, err->message);
			return;
		}
		p->out_pos += (guint)n;
		if (p->sent_count != NULL)
			*p->sent_count += (uint64_t)n;
	}
	if (p->out_pos == p->out->len) {
		g_byte_array_set_size(p->out, 0);
		p->out_pos = 0;
		if (p->out_src != NULL) {
			g_source_destroy(p->out_src);
			g_source_unref(p->out_src);
			p->out_src = NULL;
		}
		if (p->closing)
			peer_end(p, RTMP_PEER_DRAINED, NULL);
		return;
	}
	if (p->out_max > 0 && rtmp_peer_pending(p) > p->out_max) {
		peer_end(p, RTMP_PEER_UNREAD, NULL);
		return;
	}
	if (p->out_src == NULL) {
		p->out_src = g_socket_create_source(p->sock, G_IO_OUT, NULL);
		g_source_set_callback(p->out_src, (GSourceFunc)(void (*)(void))
		    peer_writable, p, NULL);
		g_source_attach(p->out_src, NULL);
	}
}

guint
rtmp_peer_pending(const struct rtmp_peer *p)
{
	return p->out->len - p->out_pos;
}

void
rtmp_peer_send(struct rtmp_peer *p, uint32_t csid, uint8_t type,
    uint32_t msid, uint32_t ts, GByteArray *body)
{
	(void)chunk_writer_message(&p->w, p->out, csid, type, msid, ts,
	    body->data, body->len);
	g_byte_array_unref(body);
}

void
rtmp_peer_control(struct rtmp_peer *p, uint8_t type, uint32_t value)
{
	chunk_writer_control(&p->w, p->out, type, value);
}

void
rtmp_peer_user_control(struct rtmp_peer *p, uint16_t event, uint32_t value)
{
	chunk_writer_user_control(&p->w, p->out, event, value);
}

GByteArray *
rtmp_command_begin(const char *name, double txn)
{
	GByteArray *b = g_byte_array_new();

	enc_amf0_string(b, name);
	enc_amf0_number(b, txn);
	return b;
}

void
rtmp_handshake_block(uint8_t *block, uint32_t time_ms)
{
	uint32_t i;

	block[0] = (uint8_t)(time_ms >> 24);
	block[1] = (uint8_t)(time_ms >> 16);
	block[2] = (uint8_t)(time_ms >> 8);
	block[3] = (uint8_t)time_ms;
	memset(block + 4, 0, 4);
	for (i = 8; i < HANDSHAKE_BLOCK; i++)
		block[i] = (uint8_t)g_random_int_range(0, 256);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

static void
peer_demux_message(void *ctx, const struct rtmp_message *m)
{
	struct rtmp_peer *p = ctx;
	double v;

	if (p->dead || p->closing)
		return;
	if (m->type == RTMP_AUDIO || m->type == RTMP_VIDEO) {
		p->ops->media(p->ctx, m);
		return;
	}
	field_record_clear(&p->fields);
	if (msg_decode(m, &p->fields.sink) != MSG_OK)
		return;
	if (m->type == RTMP_WINDOW_ACK_SIZE) {
		if (field_record_number(&p->fields, "window", &v))
			p->window = (uint32_t)v;
		return;
	}
	p->ops->message(p->ctx, m);
}

static void
peer_demux_event(void *ctx, enum chunk_event ev, uint64_t value)
{
	struct rtmp_peer *p = ctx;

	p->ops->demux_event(p->ctx, ev, value);
}

static const struct chunk_demux_ops peer_demux_ops = {
	peer_demux_message,
	peer_demux_event,
};

bool
rtmp_peer_ping_request(const struct rtmp_peer *p, uint32_t *ts)
{
	double v;

	if (!field_record_number(&p->fields, "event", &v) ||
	    v != RTMP_UC_PING_REQUEST ||
	    !field_record_number(&p->fields, "ping_ts", &v))
		return false;
	*ts = (uint32_t)v;
	return true;
}

void
rtmp_peer_demux_start(struct rtmp_peer *p)
{
	chunk_demux_init(&p->demux, &peer_demux_ops, p);
	p->demux_ready = true;
}

void
rtmp_peer_feed(struct rtmp_peer *p, const uint8_t *data, size_t n)
{
	chunk_demux_feed(&p->demux, data, n);
}

static gboolean
peer_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
	struct rtmp_peer *p = data;
	uint8_t buf[READ_BUF];
	gssize n;

	(void)cond;
	while (!p->dead) {
		g_autoptr(GError) err = NULL;

		n = g_socket_receive(sock, (gchar *)buf, sizeof(buf), NULL,
		    &err);
		if (n < 0) {
			if (!g_error_matches(err, G_IO_ERROR,
			    G_IO_ERROR_WOULD_BLOCK))
				peer_end(p, RTMP_PEER_RECEIVE_ERROR,
				    err->message);
			break;
		}
		if (n == 0) {
			peer_end(p, RTMP_PEER_EOF, NULL);
			break;
		}
		p->bytes_in += (uint64_t)n;
		p->ops->input(p->ctx, buf, (size_t)n);
		/* Acknowledge as the other end's window asks. */
		if (rtmp_ack_due(p->window, p->bytes_in, &p->acked))
			rtmp_peer_control(p, RTMP_ACK,
			    (uint32_t)p->bytes_in);
	}
	rtmp_peer_flush(p);
	return peer_settle(p);
}

void
rtmp_peer_attach(struct rtmp_peer *p)
{
	g_socket_set_blocking(p->sock, FALSE);
	(void)g_socket_set_option(p->sock, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
	p->in_src = g_socket_create_source(p->sock, G_IO_IN | G_IO_HUP |
	    G_IO_ERR, NULL);
	g_source_set_callback(p->in_src, (GSourceFunc)(void (*)(void))
	    peer_readable, p, NULL);
	g_source_attach(p->in_src, NULL);
}

void
rtmp_peer_close(struct rtmp_peer *p)
{
	if (p->in_src != NULL) {
		g_source_destroy(p->in_src);
		g_source_unref(p->in_src);
		p->in_src = NULL;
	}
	if (p->out_src != NULL) {
		g_source_destroy(p->out_src);
		g_source_unref(p->out_src);
		p->out_src = NULL;
	}
	if (p->sock != NULL) {
		g_socket_close(p->sock, NULL);
		g_object_unref(p->sock);
		p->sock = NULL;
	}
}

void
rtmp_peer_clear(struct rtmp_peer *p)
{
	rtmp_peer_close(p);
	if (p->demux_ready) {
		chunk_demux_free(&p->demux);
		p->demux_ready = false;
	}
	field_record_free(&p->fields);
	g_byte_array_unref(p->out);
	p->out = NULL;
}
