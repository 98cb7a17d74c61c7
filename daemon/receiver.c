/*
 * receiver.c -- the receivers of alerts: reading and checking the
 * `receivers` list and the `notify` lists that name them.
 *
 * A receiver is the daemon's log, a list of mail addresses behind an SMTP
 * server, or a webhook.  Secrets (password_file, secret_file) are read
 * here, once, at load; they live in the configuration only, are wiped
 * when it is freed, and never go into a message, a log line or an error.
 */
#include <ctype.h>
#include <errno.h>
#include <curl/curl.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "loader.h"
#include "log.h"
#include "receiver.h"
#include "route.h"
#include "template.h"
#include "utf8.h"
#include "xmalloc.h"

#define RECEIVER_TIMEOUT_DEFAULT    30 /* seconds for a transfer */
#define RECEIVER_TIMEOUT_MAX        3600
#define RECEIVER_GROUP_WAIT_DEFAULT 2 /* seconds */
#define RECEIVER_GROUP_WAIT_MAX     300

/* True if s can name a receiver: letters, digits, '_', '-' and '.',
 * starting with a letter or digit, as in "legal-mail". */
static bool
receiver_valid_name(const char *s)
{
	if (!isalnum((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_-.", *s) == NULL)
			return false;
	return true;
}

/* Parse a rate "N/sec", "N/min" or "N/hour". */
static int
receiver_rate(const char *s, int *count, int *period)
{
	char unit[8];
	int n, len;

	/* At most 9 digits: sscanf's %d would wrap 4294967316 to 20. */
	if (strspn(s, "0123456789") > 9 ||
	    sscanf(s, "%d/%7[a-z]%n", &n, unit, &len) != 2 || s[len] != '\0' ||
	    n < 1)
		return -1;
	if (strcmp(unit, "s") == 0 || strcmp(unit, "sec") == 0)
		*period = 1;
	else if (strcmp(unit, "min") == 0)
		*period = 60;
	else if (strcmp(unit, "h") == 0 || strcmp(unit, "hour") == 0)
		*period = 3600;
	else
		return -1;
	*count = n;
	return 0;
}

/* True if s is "Name: value" with a valid header name and no CR or LF. */
static bool
receiver_valid_header(const char *s)
{
	const char *colon = strchr(s, ':');

	if (colon == NULL || colon == s || strpbrk(s, "\r\n") != NULL)
		return false;
	for (const char *p = s; p < colon; p++)
		if (*p <= ' ' || *p >= 127 || strchr("\"(),/:;<=>?@[\\]{}", *p))
			return false;
	return true;
}

/* True if s looks like a bare mail address: local@domain, no spaces. */
static bool
receiver_valid_address(const char *s)
{
	const char *at = strchr(s, '@');

	return at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strpbrk(s, " \t\r\n<>,;\"") == NULL;
}

static int receiver_line(struct loader *, const config_setting_t *,
    const char *);

static bool
receiver_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* True if url starts "scheme://" exactly as written (lower case: the
 * channels look at it) and scheme is scheme1 or scheme2. */
static bool
receiver_scheme_is(const char *url, const char *scheme, const char *scheme1,
    const char *scheme2)
{
	size_t n = strlen(scheme);

	return (strcmp(scheme, scheme1) == 0 || strcmp(scheme, scheme2) == 0) &&
	    strncmp(url, scheme, n) == 0 && strncmp(url + n, "://", 3) == 0;
}

/* What is wrong with url as libcurl parses it, or NULL if nothing: a
 * space or control character, a parse error, a port outside 1-65535, no
 * host, or a scheme other than scheme1 or scheme2.  The answer never
 * quotes the URL, which may hold a token. */
static const char *
receiver_url_problem(const char *url, const char *scheme1, const char *scheme2,
    char *buf, size_t len)
{
	char *scheme = NULL, *port = NULL;
	const char *problem = NULL;
	CURLUcode rc;
	CURLU *u;

	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return "holds a space or a control character";
	if ((u = curl_url()) == NULL)
		fatalx("curl_url: out of memory");
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc == CURLUE_UNSUPPORTED_SCHEME || rc == CURLUE_BAD_SCHEME ||
	    (rc == CURLUE_OK &&
	        (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	            !receiver_scheme_is(url, scheme, scheme1, scheme2)))) {
		snprintf(buf, len, "the scheme must be %s:// or %s://", scheme1,
		    scheme2);
		problem = buf;
	} else if (rc == CURLUE_BAD_PORT_NUMBER ||
	    (rc == CURLUE_OK &&
	        curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
	        strcmp(port, "0") == 0))
		problem = "the port must be between 1 and 65535";
	else if (rc == CURLUE_NO_HOST)
		problem = "it names no host";
	else if (rc != CURLUE_OK) {
		snprintf(buf, len, "cannot be parsed (%s)",
		    curl_url_strerror(rc));
		problem = buf;
	}
	curl_free(scheme);
	curl_free(port);
	curl_url_cleanup(u);
	return problem;
}

/* Check r's url for a receiver of the given schemes; error recorded. */
static void
receiver_check_url(struct loader *ld, config_setting_t *g,
    const struct receiver *r, const char *what, const char *scheme1,
    const char *scheme2)
{
	const char *problem;
	char buf[128];

	if (r->url == NULL)
		return;
	problem =
	    receiver_url_problem(r->url, scheme1, scheme2, buf, sizeof(buf));
	if (problem != NULL)
		loader_error(ld, receiver_line(ld, g, "url"), "%s: url: %s",
		    what, problem);
}

/* The body shapes a webhook can take, and what each allows. */
static const struct receiver_format_info {
	const char *name;
	enum receiver_format format;
	const char *msgtypes[4]; /* the first is the default */
	bool secret;             /* secret_file signs requests */
	bool mentions;           /* at_mobiles, at_all */
	int rate_count;          /* the robot's own limit, per minute */
} receiver_formats[] = {
    {"json", FORMAT_JSON, {NULL}, true, false, 0},
    {"dingtalk", FORMAT_DINGTALK, {"markdown", "text", NULL}, true, true, 20},
    {"wecom", FORMAT_WECOM, {"markdown", "text", NULL}, false, true, 20},
    {"feishu", FORMAT_FEISHU, {"post", "text", "interactive", NULL}, true,
        false, 0},
    {"slack", FORMAT_SLACK, {"text", "blocks", NULL}, false, false, 0},
    {"teams", FORMAT_TEAMS, {NULL}, false, false, 0},
};

/* The line of key in g, or of g itself. */
static int
receiver_line(struct loader *ld, const config_setting_t *g, const char *key)
{
	config_setting_t *s = config_setting_get_member(g, key);

	return loader_line(ld, s != NULL ? s : g);
}

/* Read format, msgtype and the mentions, and check they fit together. */
static void
receiver_format(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	const struct receiver_format_info *f = &receiver_formats[0];
	const char *name = "json", *msgtype = NULL;
	size_t i, n = sizeof(receiver_formats) / sizeof(*receiver_formats);

	if (loader_string(ld, g, "format", &name) == 1) {
		for (i = 0; i < n && strcmp(receiver_formats[i].name, name);
		     i++)
			;
		if (i == n) {
			loader_error(ld, receiver_line(ld, g, "format"),
			    "%s: unknown format '%s' (json, dingtalk, wecom, "
			    "feishu, slack or teams)",
			    what, name);
			return;
		}
		f = &receiver_formats[i];
	}
	r->format = f->format;
	r->msgtype = f->msgtypes[0];
	if (loader_string(ld, g, "msgtype", &msgtype) == 1) {
		for (i = 0; f->msgtypes[i] != NULL &&
		     strcmp(f->msgtypes[i], msgtype) != 0;
		     i++)
			;
		if (f->msgtypes[i] == NULL)
			loader_error(ld, receiver_line(ld, g, "msgtype"),
			    "%s: format %s has no msgtype '%s'", what, f->name,
			    msgtype);
		r->msgtype = msgtype;
	}
	if (!f->secret && config_setting_get_member(g, "secret_file"))
		loader_error(ld, receiver_line(ld, g, "secret_file"),
		    "%s: format %s does not sign requests: 'secret_file' has "
		    "no use",
		    what, f->name);
	loader_strings(ld, g, "at_mobiles", &r->at_mobiles, &r->nat_mobiles);
	loader_bool(ld, g, "at_all", &r->at_all);
	if (!f->mentions &&
	    (config_setting_get_member(g, "at_mobiles") ||
	        config_setting_get_member(g, "at_all")))
		loader_error(ld, receiver_line(ld, g, "at_mobiles"),
		    "%s: format %s cannot @ people", what, f->name);
	if (f->format == FORMAT_WECOM && strcmp(r->msgtype, "markdown") == 0 &&
	    (r->nat_mobiles > 0 || r->at_all))
		loader_error(ld, receiver_line(ld, g, "at_mobiles"),
		    "%s: WeCom markdown cannot @ people: use msgtype = "
		    "\"text\"",
		    what);
	if (r->rate_period == 0 && f->rate_count > 0) {
		r->rate_count = f->rate_count;
		r->rate_period = 60;
	}
}

/* audience: who reads the alerts, so whose next steps they are. */
static void
receiver_audience(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	static const char *names[] = {"court", "creditor", "procuratorate"};
	const char *v;

	if (loader_string(ld, g, "audience", &v) != 1)
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(v, names[i]) == 0) {
			r->audience = (enum receiver_audience)(i + 1);
			return;
		}
	loader_error(ld, receiver_line(ld, g, "audience"),
	    "%s: unknown audience '%s' (court, creditor or procuratorate)",
	    what, v);
}

/* Read the language and the templates, checking every placeholder. */
static void
receiver_texts(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	static const char *keys[] = {"subject", "body"};
	const char *lang, **tmpl;
	char err[128];

	if (loader_string(ld, g, "language", &lang) == 1) {
		if (strcmp(lang, "zh") == 0)
			r->language = LANGUAGE_ZH;
		else if (strcmp(lang, "en") == 0)
			r->language = LANGUAGE_EN;
		else
			loader_error(ld, receiver_line(ld, g, "language"),
			    "%s: unknown language '%s' (zh or en)", what, lang);
	}
	receiver_audience(ld, g, r, what);
	for (size_t i = 0; i < 2; i++) {
		tmpl = i == 0 ? &r->subject : &r->body;
		if (loader_string(ld, g, keys[i], tmpl) == 1 &&
		    template_check(*tmpl, err, sizeof(err)) == -1)
			loader_error(ld, receiver_line(ld, g, keys[i]),
			    "%s: '%s': %s", what, keys[i], err);
	}
	loader_int(ld, g, "group_wait", 0, RECEIVER_GROUP_WAIT_MAX,
	    &r->group_wait);
}

/* ca_file: the certificates of a private CA that signs the receiver's
 * server certificate, PEM, a regular file we can read.  Verification
 * stays on: this only says whom to trust. */
static void
receiver_ca_file(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	const char *rel;
	struct stat st;
	int line;

	if (loader_string(ld, g, "ca_file", &rel) != 1)
		return;
	line = receiver_line(ld, g, "ca_file");
	r->ca_file = loader_path(ld, rel);
	if (stat(r->ca_file, &st) == -1)
		loader_error(ld, line, "%s: ca_file '%s': %s", what, rel,
		    strerror(errno));
	else if (!S_ISREG(st.st_mode))
		loader_error(ld, line, "%s: ca_file '%s' is not a regular file",
		    what, rel);
	else if (access(r->ca_file, R_OK) == -1)
		loader_error(ld, line, "%s: ca_file '%s': %s", what, rel,
		    strerror(errno));
}

static void
receiver_webhook(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	static const char *reserved[] = {"content-type", "idempotency-key",
	    "x-deadlined-signature", "user-agent", "content-length", NULL};
	config_setting_t *s;

	receiver_check_url(ld, g, r, what, "https", "http");
	receiver_format(ld, g, r, what);
	receiver_ca_file(ld, g, r, what);
	r->secret = loader_secret(ld, g, "secret_file");
	if (loader_strings(ld, g, "headers", &r->headers, &r->nheaders) != 1)
		return;
	s = config_setting_get_member(g, "headers");
	for (size_t i = 0; i < r->nheaders; i++) {
		size_t len = strcspn(r->headers[i], ":");
		size_t k;

		if (!receiver_valid_header(r->headers[i])) {
			loader_error(ld, loader_line(ld, s),
			    "%s: header %zu is not \"Name: value\"", what,
			    i + 1);
			continue;
		}
		for (k = 0; reserved[k] != NULL; k++)
			if (strlen(reserved[k]) == len &&
			    strncasecmp(r->headers[i], reserved[k], len) == 0)
				break;
		if (reserved[k] != NULL)
			loader_error(ld, loader_line(ld, s),
			    "%s: header %zu sets %.*s, which deadlined sets "
			    "itself",
			    what, i + 1, (int)len, r->headers[i]);
	}
}

/*
 * from: a bare address, or a display name and the address in angle
 * brackets ("某某法院执行局 <deadlined@example.org>", the name perhaps in
 * double quotes).  r->from becomes the bare address, r->from_name the
 * name; email.c encodes the name for the From header.
 */
static void
receiver_from(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	int line = loader_line(ld, config_setting_get_member(g, "from"));
	const char *lt = strrchr(r->from, '<'), *s = r->from, *e;
	size_t len = strlen(r->from);
	char *addr, *name;

	if (lt == NULL) {
		if (!receiver_valid_address(r->from))
			loader_error(ld, line,
			    "%s: 'from' is not a mail address", what);
		return;
	}
	if (len < 2 || r->from[len - 1] != '>') {
		loader_error(ld, line,
		    "%s: 'from' must be \"address\" or \"Name <address>\"",
		    what);
		return;
	}
	xasprintf(&addr, "%.*s", (int)(r->from + len - 1 - (lt + 1)), lt + 1);
	for (s += strspn(s, " \t"), e = lt;
	     e > s && (e[-1] == ' ' || e[-1] == '\t');)
		e--;
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	xasprintf(&name, "%.*s", (int)(e - s), s);
	if (!receiver_valid_address(addr))
		loader_error(ld, line,
		    "%s: 'from' has no valid mail address "
		    "between < and >",
		    what);
	else if (strpbrk(name, "<>\"\\") != NULL || !utf8_valid(name) ||
	    strpbrk(name, "\t\r\n\x7f") != NULL)
		loader_error(ld, line,
		    "%s: the name in 'from' cannot hold control characters, "
		    "'<', '>', '\"' or '\\'",
		    what);
	r->from = loader_strdup(ld, addr);
	r->from_name = *name != '\0' ? loader_strdup(ld, name) : NULL;
	free(addr);
	free(name);
}

static void
receiver_email(struct loader *ld, config_setting_t *g, struct receiver *r,
    const char *what)
{
	config_setting_t *s;
	const char *tls;
	bool smtps;

	smtps = r->url != NULL && receiver_has_prefix(r->url, "smtps://");
	receiver_check_url(ld, g, r, what, "smtp", "smtps");
	receiver_ca_file(ld, g, r, what);
	if (loader_string(ld, g, "tls", &tls) == 1) {
		s = config_setting_get_member(g, "tls");
		if (strcmp(tls, "required") == 0)
			r->tls = TLS_REQUIRED;
		else if (strcmp(tls, "try") == 0)
			r->tls = TLS_TRY;
		else if (strcmp(tls, "none") == 0)
			r->tls = TLS_NONE;
		else
			loader_error(ld, loader_line(ld, s),
			    "%s: unknown tls '%s' (required, try or none)",
			    what, tls);
		if (smtps && r->tls != TLS_REQUIRED)
			loader_error(ld, loader_line(ld, s),
			    "%s: smtps:// is always TLS; 'tls' applies to "
			    "smtp:// only",
			    what);
	}
	loader_string(ld, g, "username", &r->username);
	if (config_setting_get_member(g, "password_file") != NULL) {
		if (r->username == NULL)
			loader_error(ld,
			    loader_line(ld,
			        config_setting_get_member(g, "password_file")),
			    "%s: 'password_file' needs a 'username'", what);
		r->password = loader_secret(ld, g, "password_file");
	}
	if (loader_string(ld, g, "from", &r->from) == 0)
		loader_error(ld, r->line, "%s has no 'from' address", what);
	else if (r->from != NULL)
		receiver_from(ld, g, r, what);
	if (loader_strings(ld, g, "to", &r->to, &r->nto) == 0 || r->nto == 0) {
		loader_error(ld, r->line, "%s has no 'to' addresses", what);
		return;
	}
	s = config_setting_get_member(g, "to");
	for (size_t i = 0; r->to != NULL && i < r->nto; i++)
		if (!receiver_valid_address(r->to[i]))
			loader_error(ld, loader_line(ld, s),
			    "%s: 'to' address %zu is not a mail address", what,
			    i + 1);
}

static void
receiver_one(struct loader *ld, config_setting_t *g, struct receiver *r)
{
#define COMMON_KEYS                                                            \
	"name", "type", "rate", "timeout", "language", "subject", "body",      \
	    "group_wait", "audience", "kinds"
	static const char *log_keys[] = {COMMON_KEYS, NULL};
	static const char *webhook_keys[] = {COMMON_KEYS, "url", "format",
	    "msgtype", "secret_file", "headers", "at_mobiles", "at_all",
	    "ca_file", NULL};
	static const char *email_keys[] = {COMMON_KEYS, "url", "tls",
	    "username", "password_file", "from", "to", "ca_file", NULL};
#undef COMMON_KEYS
	const char *type = NULL, *rate;
	char what[128];

	r->file = ld->file;
	r->line = loader_line(ld, g);
	r->timeout = RECEIVER_TIMEOUT_DEFAULT;
	r->group_wait = RECEIVER_GROUP_WAIT_DEFAULT;
	if (!config_setting_is_group(g)) {
		loader_error(ld, r->line,
		    "a receiver must be a group: { name = ...; type = ...; }");
		return;
	}
	if (loader_string(ld, g, "name", &r->name) == 0)
		loader_error(ld, r->line, "receiver has no 'name'");
	else if (r->name != NULL && !receiver_valid_name(r->name))
		loader_error(ld, r->line,
		    "'%s' is not a valid receiver name "
		    "(letters, digits, '_', '-' and '.')",
		    r->name);
	snprintf(what, sizeof(what), "receiver '%s'",
	    r->name != NULL ? r->name : "?");

	if (loader_string(ld, g, "type", &type) == 0) {
		loader_error(ld, r->line, "%s has no 'type'", what);
		return;
	}
	if (type == NULL)
		return;
	if (strcmp(type, "log") == 0) {
		r->type = RECEIVER_LOG;
		loader_check_keys(ld, g, log_keys, what);
	} else if (strcmp(type, "webhook") == 0) {
		r->type = RECEIVER_WEBHOOK;
		loader_check_keys(ld, g, webhook_keys, what);
	} else if (strcmp(type, "email") == 0) {
		r->type = RECEIVER_EMAIL;
		loader_check_keys(ld, g, email_keys, what);
	} else {
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "type")),
		    "%s: unknown type '%s' (email, webhook or log)", what,
		    type);
		return;
	}
	if (loader_string(ld, g, "rate", &rate) == 1 &&
	    receiver_rate(rate, &r->rate_count, &r->rate_period) == -1)
		loader_error(ld,
		    loader_line(ld, config_setting_get_member(g, "rate")),
		    "%s: 'rate' must look like \"20/min\" (sec, min, hour)",
		    what);
	loader_int(ld, g, "timeout", 1, RECEIVER_TIMEOUT_MAX, &r->timeout);
	receiver_texts(ld, g, r, what);
	route_kinds(ld, g, r, what);
	if (r->type == RECEIVER_LOG)
		return;
	if (loader_string(ld, g, "url", &r->url) == 0)
		loader_error(ld, r->line, "%s has no 'url'", what);
	if (r->type == RECEIVER_WEBHOOK)
		receiver_webhook(ld, g, r, what);
	else
		receiver_email(ld, g, r, what);
}

/* The receiver a configuration without any has: alerts go to the log. */
static void
receiver_default(struct loader *ld)
{
	struct receiver *r;

	r = ld->cfg->receivers = loader_alloc(ld, 1, sizeof(*r));
	ld->cfg->nreceivers = 1;
	r->name = "log";
	r->type = RECEIVER_LOG;
	r->timeout = RECEIVER_TIMEOUT_DEFAULT;
	r->group_wait = RECEIVER_GROUP_WAIT_DEFAULT;
	r->kinds = ROUTE_KINDS_ALL;
	r->file = ld->file;
}

void
receiver_load(struct loader *ld, const config_setting_t *root)
{
	struct config *cfg = ld->cfg;
	config_setting_t *l;
	int n;

	if ((l = config_setting_get_member(root, "receivers")) == NULL) {
		receiver_default(ld);
		return;
	}
	if (!config_setting_is_list(l)) {
		loader_error(ld, loader_line(ld, l),
		    "'receivers' must be a list: receivers = ( { ... } );");
		return;
	}
	if ((n = config_setting_length(l)) == 0) {
		loader_error(ld, loader_line(ld, l),
		    "'receivers' is empty: nobody would be told");
		return;
	}
	cfg->receivers = loader_alloc(ld, (size_t)n, sizeof(*cfg->receivers));
	cfg->nreceivers = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct receiver *r = &cfg->receivers[i];

		receiver_one(ld, config_setting_get_elem(l, (unsigned)i), r);
		for (int j = 0; r->name != NULL && j < i; j++)
			if (cfg->receivers[j].name != NULL &&
			    strcmp(cfg->receivers[j].name, r->name) == 0) {
				loader_error(ld, r->line,
				    "duplicate receiver '%s' (first at line "
				    "%d)",
				    r->name, cfg->receivers[j].line);
				break;
			}
	}
}

char *
receiver_unknown_hint(const struct config *cfg, const char *name)
{
	struct buf b = {NULL, 0, 0};
	const char **names;
	char hint[128];
	size_t n = 0;

	names = xcalloc(cfg->nreceivers + 1, sizeof(*names));
	for (size_t i = 0; i < cfg->nreceivers; i++)
		if (cfg->receivers[i].name != NULL)
			names[n++] = cfg->receivers[i].name;
	buf_printf(&b, "%s (receivers: ",
	    loader_suggest(name, names, n, hint, sizeof(hint)));
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", names[i]);
	buf_adds(&b, n > 0 ? ")" : "none)");
	free(names);
	return buf_take(&b);
}

/* Report receiver name under key, which no receiver has: with the
 * nearest name when one is near, and the names there are. */
static void
receiver_unknown(struct loader *ld, const config_setting_t *s, const char *name,
    const char *key)
{
	char *hint = receiver_unknown_hint(ld->cfg, name);

	loader_error(ld, loader_line(ld, s), "unknown receiver '%s' in '%s'%s",
	    name, key, hint);
	free(hint);
}

/* Resolve the receiver names under key to indexes; 1 if given, 0 if not,
 * -1 on error.  An empty list is an error unless empty_ok. */
static int
receiver_names(struct loader *ld, const config_setting_t *group,
    const char *key, bool empty_ok, size_t **out, size_t *n)
{
	struct config *cfg = ld->cfg;
	config_setting_t *s;
	const char **names;
	size_t count, i, k;
	int r, bad = 0;

	if ((r = loader_strings(ld, group, key, &names, &count)) != 1)
		return r;
	s = config_setting_get_member(group, key);
	if (count == 0 && !empty_ok) {
		loader_error(ld, loader_line(ld, s),
		    "'%s' is empty: nobody would be told", key);
		return -1;
	}
	*out = loader_alloc(ld, count + 1, sizeof(**out));
	for (i = 0; i < count; i++) {
		for (k = 0; k < cfg->nreceivers; k++)
			if (cfg->receivers[k].name != NULL &&
			    strcmp(cfg->receivers[k].name, names[i]) == 0)
				break;
		if (k == cfg->nreceivers) {
			receiver_unknown(ld, s, names[i], key);
			bad = 1;
		}
		(*out)[i] = k;
	}
	*n = count;
	return bad ? -1 : 1;
}

int
receiver_notify(struct loader *ld, const config_setting_t *group, size_t **out,
    size_t *n)
{
	return receiver_names(ld, group, "notify", false, out, n);
}

int
receiver_admin(struct loader *ld, const config_setting_t *root, size_t **out,
    size_t *n)
{
	return receiver_names(ld, root, "admin", true, out, n);
}

/* True if two strings, either of which may be NULL, are equal. */
static bool
receiver_same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* True if two lists of strings are equal. */
static bool
receiver_same_list(const char **a, size_t na, const char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!receiver_same_str(a[i], b[i]))
			return false;
	return true;
}

/* Secrets are compared by content, like the rest, and never shown. */
bool
receiver_same(const struct receiver *a, const struct receiver *b)
{
	return a->type == b->type && a->format == b->format &&
	    a->tls == b->tls && a->language == b->language &&
	    a->at_all == b->at_all && receiver_same_str(a->url, b->url) &&
	    receiver_same_str(a->ca_file, b->ca_file) &&
	    receiver_same_str(a->secret, b->secret) &&
	    receiver_same_str(a->password, b->password) &&
	    receiver_same_str(a->username, b->username) &&
	    a->audience == b->audience && receiver_same_str(a->from, b->from) &&
	    receiver_same_str(a->from_name, b->from_name) &&
	    receiver_same_str(a->msgtype, b->msgtype) &&
	    receiver_same_str(a->subject, b->subject) &&
	    receiver_same_str(a->body, b->body) &&
	    receiver_same_list(a->to, a->nto, b->to, b->nto) &&
	    receiver_same_list(a->headers, a->nheaders, b->headers,
	        b->nheaders) &&
	    receiver_same_list(a->at_mobiles, a->nat_mobiles, b->at_mobiles,
	        b->nat_mobiles);
}

const struct receiver *
receiver_find(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nreceivers; i++)
		if (strcmp(cfg->receivers[i].name, name) == 0)
			return &cfg->receivers[i];
	return NULL;
}
