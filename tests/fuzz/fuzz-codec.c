/*
 * Fuzzes the codec configuration record parsers (dissectors/codec-*.c).
 *
 * Input byte 0 selects the parser (modulo their number): avcC, hvcC, av1C,
 * vpcC, a bare H.264 SPS, AAC AudioSpecificConfig, OpusHead, FLAC
 * STREAMINFO.  The rest of the input is the record, read in place so that
 * ASan sees a read past its end.  The strings of the result must stay
 * NUL-terminated within their arrays, whatever the parser returns (a
 * profile_idc of 0 with no name is what a record may say: not checked).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check-sink.h"
#include "codec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

typedef bool	(*video_fn)(const uint8_t *, size_t, struct video_config *);
typedef bool	(*audio_fn)(const uint8_t *, size_t, struct audio_config *);

static const struct {
	const char	*name;
	video_fn	 video;
	audio_fn	 audio;
} parsers[] = {
	{ "avcC", codec_avc_config, NULL },
	{ "hvcC", codec_hevc_config, NULL },
	{ "av1C", codec_av1_config, NULL },
	{ "vpcC", codec_vp9_config, NULL },
	{ "sps", codec_avc_sps, NULL },
	{ "aac", NULL, codec_aac_config },
	{ "opus", NULL, codec_opus_config },
	{ "flac", NULL, codec_flac_config },
};
#define NPARSERS	(sizeof(parsers) / sizeof(parsers[0]))

static void
check_terminated(const char *name, const char *what, const char *s,
    size_t n)
{
	if (memchr(s, '\0', n) == NULL)
		check_fail("%s: %s not NUL-terminated", name, what);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct video_config vc;
	struct audio_config ac;
	const uint8_t *rec;
	size_t i, n;
	bool ok;

	if (size < 1)
		return 0;
	i = data[0] % NPARSERS;
	rec = data + 1;
	n = size - 1;

	if (parsers[i].video != NULL) {
		memset(&vc, 0xa5, sizeof(vc));	/* the parser zeroes it */
		ok = parsers[i].video(rec, n, &vc);
		check_terminated(parsers[i].name, "profile", vc.profile,
		    sizeof(vc.profile));
		check_terminated(parsers[i].name, "level", vc.level,
		    sizeof(vc.level));
	} else {
		memset(&ac, 0xa5, sizeof(ac));
		ok = parsers[i].audio(rec, n, &ac);
		check_terminated(parsers[i].name, "profile", ac.profile,
		    sizeof(ac.profile));
	}
	(void)ok;
	return 0;
}
