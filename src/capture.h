/*
 * Packet sources: libpcap files (pcap and pcapng) and, later, interfaces.
 * The capture layer decodes link, network and TCP headers and hands TCP
 * segments on; it never looks at the payload.
 */
#ifndef RTMPSCOPE_CAPTURE_H
#define RTMPSCOPE_CAPTURE_H

#include <glib.h>

#include "packet.h"

#define CAPTURE_ERROR	(capture_error_quark())
GQuark	capture_error_quark(void);

enum capture_error_code {
	CAPTURE_ERROR_OPEN,		/* cannot open or not a capture */
	CAPTURE_ERROR_FILTER,		/* bad BPF expression */
	CAPTURE_ERROR_LINKTYPE,		/* a link type rtmpscope cannot decode */
	CAPTURE_ERROR_READ,		/* read error, truncated file */
};

struct capture_stats {
	uint64_t	 packets;		/* records read */
	uint64_t	 bytes;			/* captured bytes read */
	uint64_t	 tcp_segments;		/* handed on */
	uint64_t	 not_tcp;		/* IP but not TCP, ARP, ... */
	uint64_t	 fragments;		/* IP fragments (not reassembled) */
	uint64_t	 bad_headers;		/* cut or nonsense link/IP/TCP */
	uint64_t	 snaplen_cut;		/* payload cut by the snapshot length */
};

typedef void	(*capture_segment_fn)(void *ctx, const struct tcp_segment *);

struct capture;

/* Opens a capture file; bpf may be NULL.  NULL and *err set on failure. */
struct capture	*capture_open_file(const char *path, const char *bpf,
		    GError **err);
void		 capture_close(struct capture *);

/*
 * Reads every packet and calls fn for each TCP segment.  Returns FALSE with
 * *err set when the file ends in a damaged or truncated record: everything
 * before it has been delivered.
 */
gboolean	 capture_run(struct capture *, capture_segment_fn, void *ctx,
		    GError **err);
/*
 * Reads at most max_packets records, for a caller that must stay
 * responsive (the dashboard reads in slices from its main loop).  *eof
 * tells when the file has ended; FALSE with *err as capture_run.
 */
gboolean	 capture_run_some(struct capture *, capture_segment_fn,
		    void *ctx, unsigned int max_packets, gboolean *eof,
		    GError **err);
/*
 * Records stamped later than t are not due: capture_run_some stops before
 * the first one and keeps it for a later call (HUGE_VAL: all are due).
 * For reading a file at capture pace.
 */
void		 capture_hold_after(struct capture *, double t);
/* The time of the record kept back, if one is. */
gboolean	 capture_held_time(const struct capture *, double *t);
const struct capture_stats *capture_get_stats(const struct capture *);
int		 capture_linktype(const struct capture *);
/* Bytes of the file read so far and its size (for progress). */
void		 capture_progress(const struct capture *, uint64_t *done,
		    uint64_t *total);

/*
 * Decodes one captured frame of a link type (DLT_ value as pcap_datalink()
 * returns it) down to TCP.  Returns TRUE and fills *seg for a TCP segment;
 * FALSE otherwise, counting why in *stats.  Pure: used by capture_run and
 * by the tests.
 */
gboolean	 capture_decode_frame(int dlt, const uint8_t *frame,
		    uint32_t caplen, uint32_t wirelen, double t,
		    struct tcp_segment *seg, struct capture_stats *stats);

#endif
