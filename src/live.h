/*
 * Live capture: a packet source on an interface (anything libpcap opens,
 * "any" and "lo" included), read without blocking from the main loop.
 * Like the file source it hands on TCP segments and never looks at RTMP.
 */
#ifndef RTMPSCOPE_LIVE_H
#define RTMPSCOPE_LIVE_H

#include <glib.h>

#include "capture.h"

struct live;

/*
 * Opens an interface with an optional BPF filter, and a file to save the
 * packets to.  A permission problem gets a message saying how to grant
 * it.  NULL with *err set on failure.
 */
struct live	*live_open(const char *iface, const char *bpf,
		    const char *write_file, GError **err);
/* The descriptor to watch for packets. */
int		 live_fd(const struct live *);
/* Reads what is there, without waiting.  FALSE with *err on an error. */
gboolean	 live_dispatch(struct live *, capture_segment_fn, void *ctx,
		    GError **err);
const struct capture_stats *live_stats(const struct live *);
/* Packets the kernel or the interface dropped (pcap_stats). */
uint64_t	 live_drops(struct live *);
void		 live_close(struct live *);

/* Gives up root for USER (the capture stays open).  FALSE with *err. */
gboolean	 live_drop_privileges(const char *user, GError **err);

#endif
