/*
 * fuzz_chat_verdict.c -- chat_verdict on the input as a robot's answer,
 * for every format: a verdict of the enum, and a message for the log
 * that is NUL-ended within its buffer, UTF-8 and free of control
 * characters.
 *
 * http.c keeps at most HTTP_RESPONSE_MAX bytes of an answer, so longer
 * inputs are cut there.
 */
#include <string.h>

#include "channel.h"
#include "fuzz.h"
#include "http.h"
#include "utf8.h"

/* One answer for one format with a msg buffer of msglen (up to 256). */
static void
fuzz_verdict(enum receiver_format format, const char *answer, size_t msglen)
{
	char msg[256 + 1];
	enum chat_verdict v;

	memset(msg, 'x', sizeof(msg));
	v = chat_verdict(format, answer, msg, msglen);
	FUZZ_CHECK(v == CHAT_OK || v == CHAT_RETRY || v == CHAT_FAIL ||
	    v == CHAT_RETRY_ONCE);
	FUZZ_CHECK(msg[msglen] == 'x'); /* nothing past the buffer */
	if (msglen == 0)
		return;
	FUZZ_CHECK(memchr(msg, '\0', msglen) != NULL);
	for (const char *p = msg; *p != '\0'; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
	if (format != FORMAT_DINGTALK && format != FORMAT_WECOM &&
	    format != FORMAT_FEISHU)
		FUZZ_CHECK(v == CHAT_OK && msg[0] == '\0');
	FUZZ_CHECK(utf8_valid(msg)); /* jansson took only UTF-8 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = {256, 160, 17, 1, 0};
	char *s;

	if (size > HTTP_RESPONSE_MAX)
		size = HTTP_RESPONSE_MAX;
	s = fuzz_cstring(data, size);
	for (int f = FORMAT_JSON; f <= FORMAT_TEAMS; f++)
		for (size_t i = 0; i < sizeof(lens) / sizeof(*lens); i++)
			fuzz_verdict((enum receiver_format)f, s, lens[i]);
	FUZZ_CHECK(chat_verdict(FORMAT_DINGTALK, NULL, NULL, 0) == CHAT_RETRY);
	free(s);
	return 0;
}
