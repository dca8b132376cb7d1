/* The decoder entries of every message family, listed by msg-registry.c. */
#ifndef RTMPSCOPE_MSG_DECODERS_H
#define RTMPSCOPE_MSG_DECODERS_H

#include "message.h"

extern const struct msg_decoder msg_set_chunk_size_entry;
extern const struct msg_decoder msg_abort_entry;
extern const struct msg_decoder msg_ack_entry;
extern const struct msg_decoder msg_window_ack_size_entry;
extern const struct msg_decoder msg_set_peer_bandwidth_entry;
extern const struct msg_decoder msg_user_control_entry;
extern const struct msg_decoder msg_audio_entry;
extern const struct msg_decoder msg_video_entry;
extern const struct msg_decoder msg_data_amf0_entry;
extern const struct msg_decoder msg_data_amf3_entry;
extern const struct msg_decoder msg_command_amf0_entry;
extern const struct msg_decoder msg_command_amf3_entry;
extern const struct msg_decoder msg_shared_object_amf0_entry;
extern const struct msg_decoder msg_shared_object_amf3_entry;
extern const struct msg_decoder msg_aggregate_entry;

/* Keeps the first bytes of a body only: enough for its tag header. */
uint32_t	msg_keep_probe(const uint8_t *probe, size_t n, uint32_t len);

#endif
