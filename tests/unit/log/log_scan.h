/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the log tests read from the source tree at run time (LIBVTD_SRCDIR,
 * set by tests/unit/log/log.mk), so that nothing can escape them:
 *
 *   log_spec_load()   the printf subset that docs/PORTING.md documents
 *                     for hal_log() (its "what the library uses" table);
 *   log_scan()        the format of every hal_log() and hal_panic() call
 *                     in vtd/, ioasid/ and hal/include/hal/, found by a
 *                     small C lexer (comments, string and character
 *                     literals, backslash-newlines) rather than a grep;
 *                     a call whose format is not a string literal is an
 *                     error, as is any other use of the two names;
 *   log_spec_check()  one format against the spec.
 *
 * Static functions in a header (LOG_SCAN_FN: not every test uses all of
 * them): each test binary includes it once.
 */
#pragma once

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef LIBVTD_SRCDIR
#error "LIBVTD_SRCDIR must name the source tree (tests/unit/log/log.mk)"
#endif

#define LOG_SCAN_MAX		256
#define LOG_SCAN_FN		static __attribute__((unused))
#define LOG_TEXT_MAX		512

/* The documented subset: characters allowed in each part of a spec. */
struct log_spec {
	char conversions[16];	/* e.g. "dusx" */
	char flags[8];		/* e.g. "#0" */
	bool width;		/* decimal field width */
	char lengths[4][4];	/* e.g. "ll" */
	unsigned int length_count;
};

struct log_fmt {
	char file[128];		/* relative to the source tree */
	unsigned int line;
	bool panic;		/* hal_panic() rather than hal_log() */
	char text[LOG_TEXT_MAX];	/* the decoded format */
};

struct log_scan {
	struct log_fmt fmts[LOG_SCAN_MAX];
	unsigned int count;
	unsigned int files;
	char errors[4096];	/* one line per problem; empty when none */
};

LOG_SCAN_FN void log_error(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
LOG_SCAN_FN void log_error(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	len = strlen(buf);
	if (len + 1 < size) {
		buf[len] = '\n';
		buf[len + 1] = '\0';
	}
}

LOG_SCAN_FN char *log_read_file(const char *rel, size_t *len)
{
	char path[512];
	struct stat st;
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", LIBVTD_SRCDIR, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) || !(buf = malloc((size_t)st.st_size + 1))) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)st.st_size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* ---- The documented subset (docs/PORTING.md) --------------------------- */

/* The backquoted tokens of the table row that starts with "| @name |". */
LOG_SCAN_FN bool spec_row(const char *doc, const char *name, char tok[][8],
		     unsigned int max, unsigned int *count, char *cell,
		     size_t cell_size)
{
	char head[64];
	const char *p, *end;

	snprintf(head, sizeof(head), "\n| %s |", name);
	p = strstr(doc, head);
	if (!p)
		return false;
	p += strlen(head);
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	snprintf(cell, cell_size, "%.*s", (int)(end - p), p);
	*count = 0;
	while ((p = memchr(p, '`', (size_t)(end - p))) && p < end) {
		const char *q = memchr(p + 1, '`', (size_t)(end - p - 1));

		if (!q || *count == max || q - p - 1 >= 8 || q == p + 1)
			return false;
		snprintf(tok[*count], 8, "%.*s", (int)(q - p - 1), p + 1);
		(*count)++;
		p = q + 1;
	}
	return true;
}

/*
 * Load the subset from docs/PORTING.md's table. Return: NULL, or what is
 * wrong with the table.
 */
LOG_SCAN_FN const char *log_spec_load(struct log_spec *s)
{
	char tok[8][8], cell[256];
	unsigned int n, i;
	size_t len;
	char *doc = log_read_file("docs/PORTING.md", &len);
	const char *why = NULL;

	memset(s, 0, sizeof(*s));
	if (!doc)
		return "cannot read docs/PORTING.md";
	if (!spec_row(doc, "conversions", tok, 8, &n, cell, sizeof(cell)) ||
	    n == 0) {
		why = "no \"| conversions |\" row of single letters";
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strlen(tok[i]) != 1) {
			why = "a conversion is not one character";
			goto out;
		}
		strcat(s->conversions, tok[i]);
	}
	if (!spec_row(doc, "flags", tok, 8, &n, cell, sizeof(cell))) {
		why = "no \"| flags |\" row";
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strlen(tok[i]) != 1 || !strchr("-+ #0", tok[i][0])) {
			why = "a flag is not one of - + space # 0";
			goto out;
		}
		strcat(s->flags, tok[i]);
	}
	if (!spec_row(doc, "field width", tok, 8, &n, cell, sizeof(cell))) {
		why = "no \"| field width |\" row";
		goto out;
	}
	s->width = !strstr(cell, "none");
	if (!spec_row(doc, "length modifiers", tok, 4, &n, cell,
		      sizeof(cell))) {
		why = "no \"| length modifiers |\" row";
		goto out;
	}
	for (i = 0; i < n; i++)
		snprintf(s->lengths[i], sizeof(s->lengths[i]), "%s", tok[i]);
	s->length_count = n;
out:
	free(doc);
	return why;
}

LOG_SCAN_FN bool spec_has_length(const struct log_spec *s, const char *len)
{
	unsigned int i;

	for (i = 0; i < s->length_count; i++) {
		if (!strcmp(s->lengths[i], len))
			return true;
	}
	return false;
}

/*
 * Check @fmt against @s: every conversion specification uses only the
 * documented conversions, flags, width and length modifiers, '#' comes
 * with x only and %s alone. Return: the number of conversions, or -1
 * with @why filled.
 */
LOG_SCAN_FN int log_spec_check(const struct log_spec *s, const char *fmt,
			  char *why, size_t why_size)
{
	const char *p = fmt;
	int convs = 0;

	while ((p = strchr(p, '%'))) {
		const char *start = p++;
		char flags[8] = "", len[4] = "";
		bool width = false;
		size_t n;

		while (*p && strchr("-+ #0", *p)) {
			if (!strchr(s->flags, *p)) {
				snprintf(why, why_size,
					 "flag '%c' in \"%.12s\"", *p, start);
				return -1;
			}
			n = strlen(flags);
			if (n + 1 < sizeof(flags)) {
				flags[n] = *p;
				flags[n + 1] = '\0';
			}
			p++;
		}
		if (*p == '*') {
			snprintf(why, why_size, "'*' width in \"%.12s\"",
				 start);
			return -1;
		}
		while (*p >= '0' && *p <= '9') {
			width = true;
			p++;
		}
		if (width && !s->width) {
			snprintf(why, why_size, "field width in \"%.12s\"",
				 start);
			return -1;
		}
		if (*p == '.') {
			snprintf(why, why_size, "precision in \"%.12s\"",
				 start);
			return -1;
		}
		n = strspn(p, "hlLzjt");
		if (n) {
			snprintf(len, sizeof(len), "%.*s", (int)n, p);
			if (n >= sizeof(len) || !spec_has_length(s, len)) {
				snprintf(why, why_size, "length modifier "
					 "\"%.*s\" in \"%.12s\"", (int)n, p,
					 start);
				return -1;
			}
			p += n;
		}
		if (!*p || !strchr(s->conversions, *p)) {
			snprintf(why, why_size, "conversion '%c' in \"%.12s\"",
				 *p ? *p : '?', start);
			return -1;
		}
		if (strchr(flags, '#') && *p != 'x') {
			snprintf(why, why_size, "'#' with %%%c", *p);
			return -1;
		}
		if (*p == 's' && (flags[0] || width || len[0])) {
			snprintf(why, why_size, "%%s with a flag, width or "
				 "length in \"%.12s\"", start);
			return -1;
		}
		p++;
		convs++;
	}
	return convs;
}

/*
 * The message rules of docs/PORTING.md: one line ending in '\n', starting
 * with "vtd: ", "vtd <hex>: ", "vtd:   " or "hal: ". The unit's register
 * base is printed with %llx. Return: NULL or what is wrong.
 */
LOG_SCAN_FN const char *log_message_check(const char *fmt)
{
	size_t n = strlen(fmt);

	if (n == 0 || fmt[n - 1] != '\n')
		return "does not end in \\n";
	if (strchr(fmt, '\n') != fmt + n - 1)
		return "holds a newline before its end";
	if (!strncmp(fmt, "vtd: ", 5) || !strncmp(fmt, "vtd %llx: ", 10) ||
	    !strncmp(fmt, "hal: ", 5))
		return NULL;
	return "does not start with \"vtd: \", \"vtd %llx: \" or \"hal: \"";
}

/* ---- The scanner ------------------------------------------------------- */

struct lexer {
	const char *p;
	const char *end;
	unsigned int line;
};

/* Skip white space, backslash-newlines and comments. */
LOG_SCAN_FN void lex_skip(struct lexer *l)
{
	while (l->p < l->end) {
		if (*l->p == '\n') {
			l->line++;
			l->p++;
		} else if (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' ||
			   *l->p == '\f' || *l->p == '\v') {
			l->p++;
		} else if (*l->p == '\\' && l->p + 1 < l->end &&
			   l->p[1] == '\n') {
			l->line++;
			l->p += 2;
		} else if (l->p + 1 < l->end && l->p[0] == '/' &&
			   l->p[1] == '*') {
			l->p += 2;
			while (l->p + 1 < l->end &&
			       !(l->p[0] == '*' && l->p[1] == '/')) {
				if (*l->p == '\n')
					l->line++;
				l->p++;
			}
			l->p = l->p + 2 < l->end ? l->p + 2 : l->end;
		} else if (l->p + 1 < l->end && l->p[0] == '/' &&
			   l->p[1] == '/') {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else {
			break;
		}
	}
}

/*
 * At a '"' or '\'': step over the literal. With @out, append the decoded
 * bytes of a string literal. Return: false on an unterminated literal.
 */
LOG_SCAN_FN bool lex_literal(struct lexer *l, char *out, size_t out_size)
{
	char q = *l->p++;
	size_t n = out ? strlen(out) : 0;

	while (l->p < l->end && *l->p != q) {
		char c = *l->p++;

		if (c == '\n')
			return false;
		if (c == '\\' && l->p < l->end) {
			c = *l->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case 'a': c = '\a'; break;
			case '\n': l->line++; continue;
			default: break;	/* \\ \" \' and the rest as is */
			}
		}
		if (out && n + 1 < out_size) {
			out[n++] = c;
			out[n] = '\0';
		}
	}
	if (l->p >= l->end)
		return false;
	l->p++;
	return true;
}

LOG_SCAN_FN bool is_ident(char c, bool first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * After "hal_log" or "hal_panic" and its '(': read the arguments up to the
 * matching ')'; the @fmt_arg-th (0-based) must be string literals only,
 * decoded into @f->text. Return: NULL or what is wrong.
 */
LOG_SCAN_FN const char *scan_call(struct lexer *l, unsigned int fmt_arg,
			     struct log_fmt *f)
{
	unsigned int arg = 0, depth = 0, literals = 0;
	bool other = false;

	f->text[0] = '\0';
	for (;;) {
		lex_skip(l);
		if (l->p >= l->end)
			return "unterminated call";
		if (*l->p == '"' || *l->p == '\'') {
			bool str = *l->p == '"';
			bool fmt = arg == fmt_arg && depth == 0;

			if (!lex_literal(l, fmt && str ? f->text : NULL,
					 sizeof(f->text)))
				return "unterminated literal";
			if (fmt) {
				if (str)
					literals++;
				else
					other = true;
			}
			continue;
		}
		if (*l->p == '(' || *l->p == '[' || *l->p == '{') {
			depth++;
		} else if (*l->p == ')' || *l->p == ']' || *l->p == '}') {
			if (depth == 0) {
				l->p++;
				break;
			}
			depth--;
		} else if (*l->p == ',' && depth == 0) {
			arg++;
			l->p++;
			continue;
		}
		if (arg == fmt_arg)
			other = true;
		l->p++;
	}
	if (arg < fmt_arg)
		return "too few arguments";
	if (other || literals == 0)
		return "format is not a string literal";
	return NULL;
}

LOG_SCAN_FN void scan_file(struct log_scan *sc, const char *rel)
{
	struct lexer l;
	char prev[32] = "";
	size_t len;
	char *buf = log_read_file(rel, &len);

	if (!buf) {
		log_error(sc->errors, sizeof(sc->errors), "%s: cannot read",
			  rel);
		return;
	}
	sc->files++;
	l = (struct lexer){ .p = buf, .end = buf + len, .line = 1 };
	for (;;) {
		const char *id;
		size_t n;

		lex_skip(&l);
		if (l.p >= l.end)
			break;
		if (*l.p == '"' || *l.p == '\'') {
			if (!lex_literal(&l, NULL, 0)) {
				log_error(sc->errors, sizeof(sc->errors),
					  "%s:%u: unterminated literal", rel,
					  l.line);
				break;
			}
			prev[0] = '\0';
			continue;
		}
		if (!is_ident(*l.p, true)) {
			/* Numbers such as 0x1f are skipped whole. */
			if (*l.p >= '0' && *l.p <= '9') {
				while (l.p < l.end && is_ident(*l.p, false))
					l.p++;
			} else {
				l.p++;
			}
			prev[0] = '\0';
			continue;
		}
		id = l.p;
		while (l.p < l.end && is_ident(*l.p, false))
			l.p++;
		n = (size_t)(l.p - id);
		if ((n == 7 && !memcmp(id, "hal_log", 7)) ||
		    (n == 9 && !memcmp(id, "hal_panic", 9))) {
			bool panic = n == 9;
			unsigned int line = l.line;
			struct log_fmt *f;
			const char *why;

			lex_skip(&l);
			/* The prototypes in hal/log.h: void hal_log(... */
			if (!strcmp(prev, "void")) {
				prev[0] = '\0';
				continue;
			}
			if (l.p >= l.end || *l.p != '(') {
				log_error(sc->errors, sizeof(sc->errors),
					  "%s:%u: %.*s not called directly",
					  rel, line, (int)n, id);
				continue;
			}
			l.p++;
			if (sc->count == LOG_SCAN_MAX) {
				log_error(sc->errors, sizeof(sc->errors),
					  "more than %d calls: raise "
					  "LOG_SCAN_MAX", LOG_SCAN_MAX);
				break;
			}
			f = &sc->fmts[sc->count];
			if (snprintf(f->file, sizeof(f->file), "%s", rel) >=
			    (int)sizeof(f->file)) {
				log_error(sc->errors, sizeof(sc->errors),
					  "%s: path too long", rel);
				break;
			}
			f->line = line;
			f->panic = panic;
			why = scan_call(&l, panic ? 0 : 1, f);
			if (why)
				log_error(sc->errors, sizeof(sc->errors),
					  "%s:%u: %s: %s", rel, line,
					  panic ? "hal_panic" : "hal_log", why);
			else
				sc->count++;
			prev[0] = '\0';
			continue;
		}
		snprintf(prev, sizeof(prev), "%.*s", (int)n, id);
	}
	free(buf);
}

/* Every .c and .h under @rel (a directory of the source tree). */
LOG_SCAN_FN void scan_dir(struct log_scan *sc, const char *rel)
{
	char path[1024], sub[256];
	struct dirent **ents;
	int n, i;

	snprintf(path, sizeof(path), "%s/%s", LIBVTD_SRCDIR, rel);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		log_error(sc->errors, sizeof(sc->errors), "%s: cannot list",
			  rel);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(name);
		struct stat st;

		if (snprintf(sub, sizeof(sub), "%s/%s", rel, name) >=
		    (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), "%s/%s", LIBVTD_SRCDIR, sub) >=
		    (int)sizeof(path)) {
			log_error(sc->errors, sizeof(sc->errors),
				  "%s/%s: path too long", rel, name);
		} else if (name[0] != '.' && !stat(path, &st)) {
			if (S_ISDIR(st.st_mode))
				scan_dir(sc, sub);
			else if (len > 2 && name[len - 2] == '.' &&
				 (name[len - 1] == 'c' || name[len - 1] == 'h'))
				scan_file(sc, sub);
		}
		free(ents[i]);
	}
	free(ents);
}

/* The library's sources: vtd/, ioasid/ and the hal/ headers. */
LOG_SCAN_FN void log_scan(struct log_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	scan_dir(sc, "vtd");
	scan_dir(sc, "ioasid");
	scan_dir(sc, "hal/include/hal");
}
