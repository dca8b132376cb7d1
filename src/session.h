/*
 * RTMP sessions: one per TCP connection that carries RTMP.
 *
 * The session layer is where bytes become RTMP: session_feed() is the one
 * entry point for every source (capture files, live capture, the proxy).
 * It orients the connection (who is the client), runs the handshake and the
 * chunk demultiplexer of each direction, and tells its observers what
 * happened.  It does no I/O.
 */
#ifndef RTMPSCOPE_SESSION_H
#define RTMPSCOPE_SESSION_H

#include <glib.h>

#include "chunk.h"
#include "field-record.h"
#include "flow.h"
#include "handshake.h"
#include "message.h"
#include "packet.h"

enum rtmp_dir {
	DIR_C2S = 0,
	DIR_S2C = 1,
};

enum session_state {
	SESSION_UNDECIDED,	/* not yet known to be RTMP */
	SESSION_HANDSHAKE,
	SESSION_ACTIVE,
	SESSION_UNDECODABLE,	/* encrypted or unknown handshake version */
	SESSION_NOT_RTMP,
	SESSION_ENDED,
};

struct session;

struct session_dir {
	struct session		*session;
	enum rtmp_dir		 dir;
	struct handshake	 hs;
	struct chunk_demux	 demux;
	uint64_t		 bytes;
	uint64_t		 messages;
	uint64_t		 gap_bytes;
	bool			 started;	/* any byte seen */
};

struct session {
	uint64_t		 id;
	struct session_table	*table;
	struct endpoint		 client;
	struct endpoint		 server;
	char			 client_name[ENDPOINT_STRLEN];
	char			 server_name[ENDPOINT_STRLEN];
	enum session_state	 state;
	bool			 joined;	/* no handshake: joined mid-way */
	bool			 on_server_port;
	int			 client_side;	/* flow side of the client */
	double			 start;
	double			 end;
	double			 now;		/* time of the bytes being fed */
	struct session_dir	 dirs[2];
	uint64_t		 malformed;
	uint64_t		 gaps;
	uint64_t		 resyncs;
	uint64_t		 limit_hits;
	/* A client C0C1 held until the server's answer confirms RTMP. */
	struct handshake_step	 pending_c0c1;
	double			 pending_c0c1_t;
	bool			 has_pending_c0c1;
};

/* What the session layer tells its sinks. */
struct session_observer {
	void	 (*handshake)(void *ctx, const struct session *,
		    enum rtmp_dir, const struct handshake_step *);
	/*
	 * A message and its decoded fields (decoded once, for every sink);
	 * status tells whether the body was well formed.
	 */
	void	 (*message)(void *ctx, const struct session *, enum rtmp_dir,
		    const struct rtmp_message *, const struct field_record *,
		    enum msg_status status);
	/* kind is a problem kind of the report contract ("capture_gap", ...). */
	void	 (*problem)(void *ctx, const struct session *, enum rtmp_dir,
		    const char *kind, const char *detail);
	void	 (*ended)(void *ctx, const struct session *);
	void	*ctx;
};

struct session_table_stats {
	uint64_t	 sessions;
	uint64_t	 not_rtmp;
	uint64_t	 messages;
	uint64_t	 malformed;
	uint64_t	 gaps;
	uint64_t	 gap_bytes;
	uint64_t	 resyncs;
	uint64_t	 resync_skipped;	/* bytes passed over to find chunks */
	uint64_t	 limit_hits;
};

struct session_table;

struct session_table	*session_table_new(const uint16_t *server_ports,
			    size_t nports);
void			 session_table_free(struct session_table *);
void			 session_table_observe(struct session_table *,
			    const struct session_observer *);
const struct session_table_stats *session_table_stats(
			    const struct session_table *);

/* The flow layer's view of the session table (see flow.h). */
extern const struct flow_ops	session_flow_ops;

struct session	*session_open(struct session_table *,
		    const struct endpoint *side0, const struct endpoint *side1,
		    bool syn_seen, double t);
/* Bytes from one flow side; false once the connection is known not RTMP. */
bool		 session_feed(struct session *, int side, const uint8_t *,
		    size_t, double t);
void		 session_gap(struct session *, int side, uint64_t lost,
		    double t);
void		 session_end(struct session *, int how, double t);

const char	*rtmp_dir_name(enum rtmp_dir);

#endif
