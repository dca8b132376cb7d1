/*
 * The command line (GOptionContext); every flag is in man/rtmpscope.1.
 * The flags that make sense in a file are also keys of the [rtmpscope]
 * group of the config file (config-file.c): the value parsers below are
 * shared, so both accept the same words.
 */
#ifndef RTMPSCOPE_OPTIONS_H
#define RTMPSCOPE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "dump.h"
#include "health.h"
#include "report.h"

#define OPTIONS_MAX_PORTS	64
#define RTMP_DEFAULT_PORT	1935

/* Which options the command line gave: the config file fills the others. */
#define OPTIONS_GIVEN_READ	0x01u
#define OPTIONS_GIVEN_PORT	0x02u
#define OPTIONS_GIVEN_DUMP	0x04u
#define OPTIONS_GIVEN_REPORT	0x08u
#define OPTIONS_GIVEN_FAIL_ON	0x10u
#define OPTIONS_GIVEN_LADDER	0x20u
#define OPTIONS_GIVEN_REPLAY	0x40u
#define OPTIONS_GIVEN_INTERFACE	0x80u
#define OPTIONS_GIVEN_FILTER	0x100u
#define OPTIONS_GIVEN_WRITE	0x200u
#define OPTIONS_GIVEN_DURATION	0x400u
#define OPTIONS_GIVEN_USER	0x800u
#define OPTIONS_GIVEN_LISTEN	0x1000u
#define OPTIONS_GIVEN_BACKEND	0x2000u
#define OPTIONS_GIVEN_HTTP	0x4000u
#define OPTIONS_GIVEN_LOG_PORT	0x8000u
#define OPTIONS_GIVEN_NO_UI	0x10000u
#define OPTIONS_GIVEN_DEMO	0x20000u
#define OPTIONS_GIVEN_SIMULATE_ORIGIN 0x40000u
#define OPTIONS_GIVEN_FAULT	0x80000u

/* How the dashboard reads a capture file (--replay). */
enum replay_pace {
	REPLAY_FAST,		/* as fast as it can */
	REPLAY_REALTIME,	/* at the pace of the capture's timestamps */
};

struct options {
	char			*read_file;
	char			*interface;	/* live capture */
	char			*filter;	/* BPF */
	char			*write_file;	/* live: save packets */
	unsigned		 duration;	/* live: seconds, 0 = until stopped */
	char			*user;		/* live: drop privileges to */
	char			*listen;	/* proxy: ADDR:PORT */
	char			**backends;	/* proxy: HOST:PORT, by priority */
	char			*redirect;	/* proxy: --redirect MODE */
	char			*http;		/* status: [ADDR:]PORT */
	char			*log_port;	/* event log: [ADDR:]PORT */
	char			*simulate_origin; /* origin: [ADDR:]PORT */
	char			**faults;	/* origin: --fault lists */
	uint16_t		 ports[OPTIONS_MAX_PORTS];
	size_t			 nports;
	enum dump_format	 dump;
	enum report_format	 report;
	bool			 fail_on_set;
	enum health		 fail_on;	/* exit 1 at this or worse */
	bool			 ladder;
	/*
	 * NULL: every session.  Otherwise a session number ("3") or a
	 * client address as endpoint_format() prints it ("[::1]:50000").
	 */
	char			*ladder_session;
	char			*config_file;
	/*
	 * Live and proxy: ended sessions kept (SESSION_ENDED_KEEP; 0: all).
	 * Only the config file sets it; a capture file keeps them all.
	 */
	uint32_t		 max_ended_sessions;
	enum replay_pace	 replay;
	gboolean		 no_ui;		/* never the dashboard */
	gboolean		 demo;		/* --demo (run-demo.h) */
	gboolean		 version;
	unsigned int		 given;		/* OPTIONS_GIVEN_* */
};

/*
 * Parses argv into *opts.  FALSE with *err set (one line that names the
 * flag) on an unknown flag or a bad value: the caller exits with status 2.
 */
gboolean	options_parse(struct options *, int argc, char **argv,
		    GError **err);
void		options_clear(struct options *);

/*
 * The values of the flags, for the command line and the config file.
 * Each returns false on a bad value and leaves its outputs alone; the
 * matching OPTIONS_EXPECT_* completes "'VALUE' is not ...".
 */
#define OPTIONS_EXPECT_PORT	"a port number (1-65535)"
#define OPTIONS_EXPECT_DUMP	"a dump format (text, json or none)"
#define OPTIONS_EXPECT_REPORT	"a report format (text, json or none)"
#define OPTIONS_EXPECT_FAIL_ON	"a severity (warn, bad or none)"
#define OPTIONS_EXPECT_LADDER \
	"a session (a number, a client ip:port, all or none)"
#define OPTIONS_EXPECT_REPLAY	"a pace (fast or realtime)"

bool	options_value_port(const char *, uint16_t *);
/* NULL (a flag without a value) means text. */
bool	options_value_dump(const char *, enum dump_format *);
bool	options_value_report(const char *, enum report_format *);
bool	options_value_fail_on(const char *, bool *set, enum health *);
/* NULL or "all": every session; "none": no ladder. *session is replaced. */
bool	options_value_ladder(const char *, bool *ladder, char **session);
bool	options_value_replay(const char *, enum replay_pace *);

#endif
