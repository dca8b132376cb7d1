/*
 * floor -- the speed floor for reading a capture.
 *
 * Reads every packet of a pcap or pcapng file with libpcap and does nothing
 * else but count packets and captured bytes.  rtmpscope cannot be faster
 * than this on the same file; bench/run.sh compares against it.
 *
 * Usage: floor FILE
 */
#include <pcap/pcap.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	char			 errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr	*hdr;
	const u_char		*data;
	pcap_t			*p;
	uint64_t		 packets = 0, bytes = 0, sum = 0;
	int			 rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		packets++;
		bytes += hdr->caplen;
		/* One byte per packet, so the read cannot be optimised away. */
		if (hdr->caplen > 0)
			sum += data[hdr->caplen - 1];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %" PRIu64 " bytes %" PRIu64 " check %" PRIu64 "\n",
	    packets, bytes, sum);
	return 0;
}
