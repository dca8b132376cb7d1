/*
 * Simulated RTMP clients for the demo (--demo): a player and a publisher
 * that speak RTMP as ffmpeg and OBS do, on the main loop, with a
 * non-blocking GSocket each.
 *
 *   player:    handshake, connect(app), createStream, play(stream); then
 *              it counts the media it receives, answers pings and
 *              acknowledges the server's window.
 *   publisher: handshake, Set Chunk Size 4096, connect(app),
 *              releaseStream, FCPublish, createStream,
 *              publish(stream, "live"); then @setDataFrame onMetaData, the
 *              AVC and AAC sequence headers, and key, inter and AAC frames
 *              at their real pace (the synthetic media of origin-media.c).
 *
 * What the server sends is read with the dissectors' chunk demultiplexer
 * and decoders; what the client sends is written with rtmp-encode's chunk
 * writer.  A client that loses its connection stays lost (it does not
 * reconnect): that the proxy keeps it connected is what the demo shows.
 */
#ifndef RTMPSCOPE_SIM_CLIENT_H
#define RTMPSCOPE_SIM_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

enum sim_role {
	SIM_PLAYER,
	SIM_PUBLISHER,
};

enum sim_state {
	SIM_IDLE,		/* not started */
	SIM_CONNECTING,		/* TCP */
	SIM_HANDSHAKE,		/* C0 C1 sent, reading S0 S1 S2 */
	SIM_COMMANDS,		/* connect, createStream, play or publish */
	SIM_STREAMING,		/* Play.Start or Publish.Start seen */
	SIM_ENDED,		/* closed: see end */
};

/* What a client did, for the demo's summary and its tests. */
struct sim_client_stats {
	enum sim_state	 state;
	/*
	 * Media messages received (player) or sent (publisher), sequence
	 * headers not counted.
	 */
	uint64_t	 video;
	uint64_t	 keyframes;
	uint64_t	 audio;
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
	/* Player: the last video timestamp and how often one went back. */
	uint32_t	 video_ts;
	uint64_t	 ts_backwards;
	/* Player: the longest wait between two media messages. */
	double		 longest_gap_ms;
	/* Publisher: frames not sent while the socket would not take them. */
	uint64_t	 skipped;
	/* The last onStatus code, and why the client ended ("" running). */
	char		 status[64];
	char		 end[128];
};

struct sim_client;

/*
 * A client of rtmp://host:port/app/stream, named label in its log lines
 * (stderr, "rtmpscope: demo: LABEL: ...").  Nothing happens before
 * sim_client_start.
 */
struct sim_client *sim_client_new(enum sim_role, const char *label,
		    const char *host, uint16_t port, const char *app,
		    const char *stream);
/* Connects, on the thread-default main context. */
void		 sim_client_start(struct sim_client *);
/*
 * Ends politely: deleteStream (and FCUnpublish for a publisher), then a
 * close once that is sent.
 */
void		 sim_client_stop(struct sim_client *);
enum sim_role	 sim_client_role(const struct sim_client *);
const char	*sim_client_label(const struct sim_client *);
/* Its own address once connected ("127.0.0.1:PORT"), else "". */
const char	*sim_client_address(const struct sim_client *);
const struct sim_client_stats *sim_client_get_stats(const struct sim_client *);
void		 sim_client_free(struct sim_client *);

#endif
