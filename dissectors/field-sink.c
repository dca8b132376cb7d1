#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "field-sink.h"

void
field_cstr(struct field_sink *s, const char *key, const char *v)
{
	field_str(s, key, v, strlen(v));
}
