/*
 * What a proxied session must replay to a new backend when it is moved
 * (the failover of the redirect), learned from the messages that pass.
 *
 * From the client: the commands that built its connection and streams
 * (connect, createStream, play, publish, ...) with their message stream
 * ids and transaction ids, each marked answered once the client has seen
 * the reply; the buffer length of each stream; a publisher's metadata and
 * audio/video sequence headers; the acknowledgement window it asked for.
 *
 * From what the client received (the old backend's bytes, or what the
 * proxy wrote after a move): the stream ids createStream gave, and the
 * timestamps of the last media, so that a new backend's can be rebased to
 * continue them.
 *
 * It does no I/O and keeps copies of bodies: bounded by REPLAY_COMMANDS_MAX
 * commands and three cached media bodies.
 */
#ifndef RTMPSCOPE_REPLAY_H
#define RTMPSCOPE_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "field-record.h"
#include "message.h"

#define REPLAY_COMMANDS_MAX	16
#define REPLAY_STREAMS_MAX	8
/* Sequence headers kept for a publisher: a few tracks of each type. */
#define REPLAY_CONFIGS_MAX	16

struct replay_command {
	uint8_t		 type;		/* 20 (AMF0) or 17 (AMF3) */
	uint32_t	 msid;		/* the client's */
	uint32_t	 csid;
	double		 txn;
	char		 name[16];
	GBytes		*body;
	bool		 answered;	/* the client has seen the reply */
	uint32_t	 created;	/* createStream: the id it got */
};

/* A message stream of the client, and the current backend's id for it. */
struct replay_stream {
	uint32_t	 client_msid;
	uint32_t	 backend_msid;	/* 0: not created on this backend */
	bool		 play;		/* play or play2 sent on it */
	bool		 publish;
	bool		 has_buffer;
	uint32_t	 buffer_ms;	/* Set Buffer Length */
	bool		 started;	/* the client saw Play/Publish.Start */
};

/* A media type's last timestamp as the client saw it, and its step. */
struct replay_clock {
	bool		 seen;
	uint32_t	 ts;
	uint32_t	 step;		/* last difference, 0 unknown */
};

struct replay {
	GPtrArray		*commands;	/* struct replay_command * */
	struct replay_stream	 streams[REPLAY_STREAMS_MAX];
	unsigned		 nstreams;
	/* createStream sent and not yet answered: its txn. */
	double			 create_txn[REPLAY_STREAMS_MAX];
	unsigned		 ncreate;
	/* A publisher's cache: its metadata, and of what type. */
	GBytes			*metadata;
	uint8_t			 metadata_type;	/* 18 or 15 */
	/* Sequence headers: each type's, per kind and track (in order). */
	struct replay_config {
		uint8_t		 type;		/* 8 audio, 9 video */
		uint16_t	 key;		/* kind and track */
		GBytes		*body;
	}			 configs[REPLAY_CONFIGS_MAX];
	unsigned		 nconfigs;
	bool			 client_video;	/* the client publishes video */
	/* The client's own window (a Window Ack Size it sent). */
	uint32_t		 client_window;
	/*
	 * After the move the proxy acknowledges the client's bytes (its
	 * count of them when it last did; 0 before the move), over every
	 * backend it is carried to.
	 */
	uint64_t		 client_acked;
	/* Media the client received: clocks by type (0 audio, 1 video). */
	struct replay_clock	 clock[2];
	bool			 media_to_client;
	double			 last_media_to_client;	/* wall time */
	double			 play_sent;	/* when the last play went */
	bool			 video_to_client;
};

void	replay_init(struct replay *);
void	replay_clear(struct replay *);

/* A message the client sent (whole bodies only are cached). */
void	replay_client_message(struct replay *, const struct rtmp_message *,
	    const struct field_record *, double now);
/* A message the client received. */
void	replay_server_message(struct replay *, const struct rtmp_message *,
	    const struct field_record *, double now);

struct replay_stream *replay_stream(struct replay *, uint32_t client_msid);
/* The client's stream id for a backend's, or 0. */
uint32_t replay_client_msid(const struct replay *, uint32_t backend_msid);
/* The backend's stream id for a client's (0 for 0 or unknown). */
uint32_t replay_backend_msid(const struct replay *, uint32_t client_msid);
bool	 replay_is_publisher(const struct replay *);
/* Whether the client has the answer to its connect. */
bool	 replay_connect_answered(const struct replay *);
bool	 replay_is_player(const struct replay *);

/* Video and audio bodies: sequence headers and key frames. */
bool	 media_is_config(uint8_t type, const uint8_t *body, size_t len);
bool	 media_is_keyframe(const uint8_t *body, size_t len);

#endif
