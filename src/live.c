/* Live capture with libpcap: see live.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "live.h"

#define LIVE_SNAPLEN		262144
#define LIVE_BUFFER		(32 * 1024 * 1024)
#define LIVE_BATCH		4096	/* packets read per wake-up at most */

struct live {
	pcap_t			*pcap;
	pcap_dumper_t		*dumper;
	int			 dlt;
	struct capture_stats	 stats;
	capture_segment_fn	 fn;
	void			*ctx;
};

/* Why the capture could not start, and what to do about it. */
static void
live_error(GError **err, const char *iface, int status, pcap_t *p)
{
	const char *why = pcap_geterr(p);

	if (status == PCAP_ERROR_PERM_DENIED ||
	    (why != NULL && strstr(why, "Operation not permitted") != NULL))
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN,
		    "%s: not permitted to capture: run as root, or give "
		    "rtmpscope the capabilities with `setcap "
		    "cap_net_raw,cap_net_admin=eip $(command -v rtmpscope)`",
		    iface);
	else if (status == PCAP_ERROR_NO_SUCH_DEVICE)
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN,
		    "%s: no such interface (see `ip link`)", iface);
	else
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN, "%s: %s",
		    iface, why != NULL && why[0] != '\0' ? why :
		    pcap_statustostr(status));
}

struct live *
live_open(const char *iface, const char *bpf, const char *write_file,
    GError **err)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct live *l;
	int status;

	l = g_new0(struct live, 1);
	errbuf[0] = '\0';
	l->pcap = pcap_create(iface, errbuf);
	if (l->pcap == NULL) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN, "%s: %s",
		    iface, errbuf);
		g_free(l);
		return NULL;
	}
	pcap_set_snaplen(l->pcap, LIVE_SNAPLEN);
	pcap_set_immediate_mode(l->pcap, 1);
	pcap_set_buffer_size(l->pcap, LIVE_BUFFER);
	status = pcap_activate(l->pcap);
	if (status < 0) {
		live_error(err, iface, status, l->pcap);
		live_close(l);
		return NULL;
	}
	l->dlt = pcap_datalink(l->pcap);
	if (bpf != NULL && (pcap_compile(l->pcap, &prog, bpf, 1,
	    PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(l->pcap, &prog) != 0)) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_FILTER,
		    "--filter '%s': %s", bpf, pcap_geterr(l->pcap));
		live_close(l);
		return NULL;
	}
	if (bpf != NULL)
		pcap_freecode(&prog);
	if (pcap_setnonblock(l->pcap, 1, errbuf) != 0) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN, "%s: %s",
		    iface, errbuf);
		live_close(l);
		return NULL;
	}
	if (write_file != NULL &&
	    (l->dumper = pcap_dump_open(l->pcap, write_file)) == NULL) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN, "%s: %s",
		    write_file, pcap_geterr(l->pcap));
		live_close(l);
		return NULL;
	}
	return l;
}

int
live_fd(const struct live *l)
{
	return pcap_get_selectable_fd(l->pcap);
}

static void
live_packet(u_char *user, const struct pcap_pkthdr *hdr, const u_char *data)
{
	struct live *l = (struct live *)user;
	struct tcp_segment seg;
	double t;

	l->stats.packets++;
	l->stats.bytes += hdr->caplen;
	if (l->dumper != NULL)
		pcap_dump((u_char *)l->dumper, hdr, data);
	t = (double)hdr->ts.tv_sec + (double)hdr->ts.tv_usec / 1e6;
	if (capture_decode_frame(l->dlt, data, hdr->caplen, hdr->len, t, &seg,
	    &l->stats))
		l->fn(l->ctx, &seg);
}

gboolean
live_dispatch(struct live *l, capture_segment_fn fn, void *ctx, GError **err)
{
	int n;

	l->fn = fn;
	l->ctx = ctx;
	n = pcap_dispatch(l->pcap, LIVE_BATCH, live_packet, (u_char *)l);
	if (n == PCAP_ERROR) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_READ, "%s",
		    pcap_geterr(l->pcap));
		return FALSE;
	}
	if (l->dumper != NULL)
		pcap_dump_flush(l->dumper);
	return TRUE;
}

const struct capture_stats *
live_stats(const struct live *l)
{
	return &l->stats;
}

uint64_t
live_drops(struct live *l)
{
	struct pcap_stat ps;

	if (pcap_stats(l->pcap, &ps) != 0)
		return 0;
	return (uint64_t)ps.ps_drop + ps.ps_ifdrop;
}

void
live_close(struct live *l)
{
	if (l == NULL)
		return;
	if (l->dumper != NULL)
		pcap_dump_close(l->dumper);
	pcap_close(l->pcap);
	g_free(l);
}

gboolean
live_drop_privileges(const char *user, GError **err)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN,
		    "--user: no user '%s'", user);
		return FALSE;
	}
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN,
		    "--user %s: cannot drop privileges: %s", user,
		    g_strerror(errno));
		return FALSE;
	}
	/* A dropped privilege must not come back. */
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		g_set_error(err, CAPTURE_ERROR, CAPTURE_ERROR_OPEN,
		    "--user %s: root could be regained", user);
		return FALSE;
	}
	return TRUE;
}
