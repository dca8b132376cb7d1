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
#include "health.h"
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

enum session_role {
	ROLE_NONE,
	ROLE_PUBLISH,
	ROLE_PLAY,
};

enum session_end {
	SESSION_END_OPEN,	/* still open when the capture ended */
	SESSION_END_CLOSED,
	SESSION_END_RESET,
};

/* A stream on the connection: publish or play, by message stream id. */
struct session_stream {
	uint32_t		 msid;
	char			*name;
	enum session_role	 role;
	char			*publish_type;	/* live, record, append */
	double			 start;
	bool			 closed;	/* deleteStream, closeStream, FCUnpublish */
};

struct session_problem {
	const char		*kind;		/* a kind of health.h */
	enum rtmp_dir		 dir;
	double			 at;
	double			 duration_ms;	/* 0: an instant */
	char			*detail;
	bool			 open;		/* still going on */
};

/*
 * A session moved from one backend to another by the proxy (the report
 * contract's redirects).
 */
struct session_redirect {
	double			 at;		/* the fault, or the request */
	char			*from;		/* backend names */
	char			*to;		/* NULL: none was reached */
	const char		*reason;	/* "backend-close", "stall", ... */
	const char		*mode;		/* "failover", "rtmp302", ... */
	const char		*outcome;	/* "moved", "failed", ... */
	char			*detail;
	double			 media_gap_ms;	/* no media for the client; -1 */
	double			 switch_ms;	/* fault to first media; -1 */
};

/*
 * One line of the ladder diagram: a control message, a handshake step, a
 * problem, or a run of media messages folded into one.
 */
struct ladder_entry {
	double			 t;
	double			 last_t;	/* media runs: the run's end */
	enum rtmp_dir		 dir;
	char			*text;		/* NULL for a media run */
	uint32_t		 video;		/* media runs: counts */
	uint32_t		 audio;
	bool			 problem;
};

#define SESSION_LADDER_MAX	2000	/* entries kept per session */
#define SESSION_LOG_MAX		1000	/* log lines kept per session */
#define SESSION_KBPS_WINDOWS	300	/* one-second bitrate windows kept */

/*
 * Ended sessions a long-running source (live capture, the proxy) keeps by
 * default for the report, the dashboard and the status API: the oldest
 * ended are forgotten first (max_ended_sessions in rtmpscope.conf(5)).
 * A capture file keeps them all: its report lists every session.  A plain
 * number: config-file.c prints it as the key's default.
 */
#define SESSION_ENDED_KEEP	1000

/* What the media of a session look like. */
struct session_media {
	uint64_t		 video_frames;
	uint64_t		 keyframes;
	uint64_t		 audio_frames;
	uint64_t		 bytes;		/* audio + video message bytes */
	char			 video_codec[16];
	char			 audio_codec[16];
	char			 video_profile[24];
	char			 video_level[8];
	uint32_t		 width;
	uint32_t		 height;
	uint32_t		 audio_rate;
	uint32_t		 audio_channels;
	/* Frame rate and GOP from the video timestamps. */
	bool			 have_video_ts;
	uint32_t		 first_video_ts;
	uint32_t		 last_video_ts;
	uint64_t		 timed_frames;
	bool			 have_key_ts;
	uint32_t		 last_key_ts;
	uint64_t		 gop_sum_ms;
	uint32_t		 gops;
	/* Audio/video drift, per direction: media may flow both ways. */
	bool			 have_audio_ts[2];
	bool			 have_dir_video_ts[2];
	uint32_t		 last_audio_ts[2];
	uint32_t		 last_dir_video_ts[2];
	int64_t			 drift_ms;	/* audio - video, last seen */
	/* Capture time of the first and last media message. */
	double			 first_t;
	double			 last_t;
	/* Bitrate per one-second window of capture time (a ring). */
	double			 window_start;
	uint64_t		 window_bytes;
	uint32_t		 kbps[SESSION_KBPS_WINDOWS];
	uint16_t		 fps[SESSION_KBPS_WINDOWS];	/* video frames */
	uint32_t		 window_frames;
	uint32_t		 nkbps;		/* windows closed so far */
};

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

	/* The model (session-model.c), read by the report, UI and proxy. */
	enum session_end	 how;
	char			*backend;	/* proxy mode: the backend's name */
	char			*app;
	char			*tc_url;
	char			*flash_ver;
	char			*swf_url;
	char			*page_url;
	char			*fourcc_list;	/* comma separated */
	double			 object_encoding;
	double			 caps_ex;
	bool			 has_object_encoding;
	bool			 has_caps_ex;
	bool			 connect_seen;
	bool			 connect_answered;
	double			 connect_txn;
	double			 create_txn;	/* of the last createStream */
	uint32_t		 created[8];	/* stream ids createStream gave */
	uint32_t		 ncreated;
	GPtrArray		*streams;	/* struct session_stream * */
	GPtrArray		*status_codes;	/* char *, each once */
	uint32_t		 chunk_size[2];	/* by direction */
	uint32_t		 window[2];	/* ack window each side asked for */
	uint32_t		 peer_bandwidth[2];
	uint32_t		 ack_seq[2];	/* last acknowledgement sent */
	int64_t			 ack_lag[2];	/* bytes unacknowledged then */
	bool			 ping_pending;
	uint32_t		 ping_value;
	enum rtmp_dir		 ping_dir;
	double			 ping_t;
	double			 rtt_ms;	/* last ping round trip, -1 none */
	struct session_media	 media;
	GArray			*problems;	/* struct session_problem */
	GPtrArray		*ladder;	/* struct ladder_entry * */
	uint32_t		 ladder_dropped;
	bool			 stalled;	/* a stall problem is open */
	bool			 desynced;	/* an av_desync problem is open */
	/* Recent messages in the --dump=text form (char *), oldest first,
	 * kept when the table is told to (the dashboard shows them). */
	GQueue			*log;
	bool			 handshake_late;	/* handshake_failed told */
	bool			 ping_late;	/* ping_timeout told */
	GArray			*redirects;	/* struct session_redirect */

	/* The source's own. */
	void			*owner;		/* the proxy's connection */
	size_t			 fed;		/* bytes the last feed took */
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
	/* The proxy moved the session (recorded in session.redirects). */
	void	 (*redirected)(void *ctx, const struct session *,
		    const struct session_redirect *);
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
	uint64_t	 evicted;	/* ended sessions forgotten */
};

struct session_table;

struct health_config;

struct session_table	*session_table_new(const uint16_t *server_ports,
			    size_t nports, const struct health_config *);
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
/*
 * Bytes from one flow side; false once the connection is known not RTMP.
 * session.fed tells how many were taken: all, unless an observer called
 * session_stop_feed() on a message (the rest is the caller's).
 */
bool		 session_feed(struct session *, int side, const uint8_t *,
		    size_t, double t);
/* From a message observer: the feed ends after this message. */
void		 session_stop_feed(struct session *, enum rtmp_dir);
/* Moved, or sent to another server: the client was taken care of. */
bool		 session_redirect_succeeded(const struct session_redirect *);
/* Records a redirect (strings copied) and tells the observers. */
void		 session_add_redirect(struct session *,
		    const struct session_redirect *);
void		 session_gap(struct session *, int side, uint64_t lost,
		    double t);
void		 session_end(struct session *, enum session_end, double t);

const char	*rtmp_dir_name(enum rtmp_dir);

/* Keep each session's recent messages as text lines in session.log. */
void		 session_table_keep_log(struct session_table *, bool);
/*
 * Keep at most max ended sessions (0: every one, the default): when one
 * more ends, the one that ended first is freed and counted in
 * stats.evicted.  Sessions still open are never freed.  So a pointer to
 * an ended session may dangle after any session_end() (a packet, a proxy
 * close, a tick of the loop): whatever remembers a session for longer
 * holds its id and looks it up again.
 */
void		 session_table_keep_ended(struct session_table *,
		    uint32_t max);

/* The thresholds the health rules use. */
const struct health_config *session_table_health(const struct session_table *);

/*
 * Every session seen, oldest first (struct session *), in order of id;
 * ended sessions beyond session_table_keep_ended()'s bound are gone.
 */
GPtrArray	*session_table_sessions(const struct session_table *);

/* Capture or wall-clock time moved on: timeouts are checked. */
void		 session_table_tick(struct session_table *, double now);
/* The end of the capture: open sessions are judged as they are. */
void		 session_table_finish(struct session_table *, double now);

const char	*session_role_name(enum session_role);
const char	*session_end_name(enum session_end);
/* The first stream that published or played, or NULL. */
const struct session_stream *session_main_stream(const struct session *);
enum health	 session_health(const struct session *);
/* Frame rate, average bitrate and GOP length from the media counters. */
double		 session_fps(const struct session *);
double		 session_kbps(const struct session *);
double		 session_gop_ms(const struct session *);

#endif
