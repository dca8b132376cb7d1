/*
 * AMF0 and AMF3 values, decoded into a field sink as JSON-like values.
 *
 * Mapping: number -> number, AMF3 integer -> integer, boolean -> bool,
 * string/long string/XML -> string, null -> null, undefined -> null,
 * object/ECMA array -> object (a typed object gets a "$class" key first),
 * strict/dense array and vectors -> array, date -> {"$date": ms} (AMF0 adds
 * "tz"), byte array -> {"$bytes": length}, AMF3 dictionary -> array of
 * [key, value] pairs, AMF3 externalizable -> {"$class": name,
 * "$externalizable": true} (its body cannot be known: decoding stops),
 * unsupported, MovieClip, RecordSet -> {"$unsupported": "name"}.
 * References are resolved by decoding the referenced value again, within
 * a budget of LIMIT_AMF_REPLAYED values per message; an AMF3 reference to
 * a value still being decoded (a cycle) and a reference to an entry never
 * recorded come out as {"$ref": n} (as a key: "$ref:n"), an unknown AMF3
 * trait as null.  Unresolved references make the status MSG_MALFORMED
 * without marking the cursor: decoding goes on after them.
 *
 * Limits (hard-limits.h): nesting depth LIMIT_AMF_DEPTH, elements per
 * container LIMIT_AMF_ELEMENTS; a limit hit stops decoding with
 * MSG_MALFORMED after emitting a well-formed (closed) value.
 */
#ifndef RTMPSCOPE_AMF_H
#define RTMPSCOPE_AMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "field-sink.h"
#include "message.h"

#define AMF_REFS_MAX	1024U	/* reference table entries kept per message */

/* AMF0 markers */
enum amf0_marker {
	AMF0_NUMBER = 0x00,
	AMF0_BOOLEAN = 0x01,
	AMF0_STRING = 0x02,
	AMF0_OBJECT = 0x03,
	AMF0_MOVIECLIP = 0x04,
	AMF0_NULL = 0x05,
	AMF0_UNDEFINED = 0x06,
	AMF0_REFERENCE = 0x07,
	AMF0_ECMA_ARRAY = 0x08,
	AMF0_OBJECT_END = 0x09,
	AMF0_STRICT_ARRAY = 0x0a,
	AMF0_DATE = 0x0b,
	AMF0_LONG_STRING = 0x0c,
	AMF0_UNSUPPORTED = 0x0d,
	AMF0_RECORDSET = 0x0e,
	AMF0_XML_DOCUMENT = 0x0f,
	AMF0_TYPED_OBJECT = 0x10,
	AMF0_AVMPLUS = 0x11,	/* switch to AMF3 for one value */
};

/* AMF3 markers */
enum amf3_marker {
	AMF3_UNDEFINED = 0x00,
	AMF3_NULL = 0x01,
	AMF3_FALSE = 0x02,
	AMF3_TRUE = 0x03,
	AMF3_INTEGER = 0x04,
	AMF3_DOUBLE = 0x05,
	AMF3_STRING = 0x06,
	AMF3_XML_DOC = 0x07,
	AMF3_DATE = 0x08,
	AMF3_ARRAY = 0x09,
	AMF3_OBJECT = 0x0a,
	AMF3_XML = 0x0b,
	AMF3_BYTE_ARRAY = 0x0c,
	AMF3_VECTOR_INT = 0x0d,
	AMF3_VECTOR_UINT = 0x0e,
	AMF3_VECTOR_DOUBLE = 0x0f,
	AMF3_VECTOR_OBJECT = 0x10,
	AMF3_DICTIONARY = 0x11,
};

/* A value's place in the message body, for references. */
struct amf_span {
	uint32_t	 off;
	uint32_t	 len;
};

/* AMF3 traits: class name and sealed member names, by position. */
struct amf3_trait {
	struct amf_span	 class_name;
	uint32_t	 first_member;	/* index in amf3_refs.members */
	uint32_t	 sealed;	/* number of sealed members */
	bool		 dynamic;
	bool		 externalizable;
};

/*
 * Reference tables of one message (caller-owned, zeroed with amf_refs_init
 * before the first value of a message: AMF0 and AMF3 tables reset per
 * message, as the specifications say).
 */
struct amf_refs {
	const uint8_t		*base;		/* the message body */
	uint32_t		 amf0_objects[AMF_REFS_MAX]; /* offsets */
	uint32_t		 namf0_objects;
	struct amf_span		 strings[AMF_REFS_MAX];
	uint32_t		 nstrings;
	uint32_t		 objects[AMF_REFS_MAX];	/* AMF3 offsets */
	uint32_t		 nobjects;
	struct amf3_trait	 traits[AMF_REFS_MAX];
	uint32_t		 ntraits;
	struct amf_span		 members[AMF_REFS_MAX];
	uint32_t		 nmembers;
	uint32_t		 replayed;	/* see LIMIT_AMF_REPLAYED */
};

void	amf_refs_init(struct amf_refs *, const uint8_t *body);

/*
 * Decodes one value at the cursor (whose data must be the body given to
 * amf_refs_init) and emits it into the sink.  Returns MSG_OK, or
 * MSG_TRUNCATED / MSG_MALFORMED (the cursor then marked) having emitted a
 * well-formed value anyway (null in place of what could not be read).
 */
enum msg_status	amf0_decode(struct cursor *, struct amf_refs *,
		    struct field_sink *, unsigned depth);
enum msg_status	amf3_decode(struct cursor *, struct amf_refs *,
		    struct field_sink *, unsigned depth);

/* Skips one AMF0 value. */
enum msg_status	 amf0_skip(struct cursor *, struct amf_refs *);

/*
 * Finds a key in the AMF0 object, ECMA array or typed object at obj_off of
 * the body (len bytes); *value_off is where its value starts.
 */
bool		 amf0_object_find(struct amf_refs *, size_t len,
		    uint32_t obj_off, const char *key, uint32_t *value_off);

/* Appends a scalar AMF0 value at off to a note ("{…}" for the others). */
void		 amf0_note_value(struct note *, struct amf_refs *, size_t len,
		    uint32_t off);

/* Reads an AMF0 string or long string value; NULL (cursor marked) if not. */
const char	*amf0_read_string(struct cursor *, size_t *len);
/* Reads an AMF3 U29 (variable-length 29-bit integer). */
uint32_t	 amf3_read_u29(struct cursor *);

#endif
