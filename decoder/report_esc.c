/*
 * report_esc.c - strings from records, which may be hostile (quotes,
 * "</script>", control bytes, invalid UTF-8), written into the page of
 * `aclsub report` so that they are only ever text: escaped for HTML
 * element text and quoted attributes, and for JSON inside a <script>
 * element (where "<", ">" and "&" become \u escapes, so that no "</script>"
 * or "<!--" can end or change the element).  Invalid UTF-8 becomes U+FFFD
 * in both; control bytes become the text \xHH in HTML and \u00HH in JSON.
 */
#include <string.h>

#include "decoder/report.h"

size_t rp_utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    unsigned cp = c & (0x3Fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static const char hexd[] = "0123456789abcdef";

void rp_html(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = rp_utf8_len(p + i, n - i);
        if (len == 0) {
            fputs("\xEF\xBF\xBD", f);
            i++;
            continue;
        }
        if (len > 1) {
            fwrite(p + i, 1, len, f);
        } else if (c == '&') {
            fputs("&amp;", f);
        } else if (c == '<') {
            fputs("&lt;", f);
        } else if (c == '>') {
            fputs("&gt;", f);
        } else if (c == '"') {
            fputs("&quot;", f);
        } else if (c == '\'') {
            fputs("&#39;", f);
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(f, "\\x%c%c", hexd[c >> 4], hexd[c & 15]);
        } else {
            fputc((int)c, f);
        }
        i += len;
    }
}

void rp_htmls(FILE *f, const char *s)
{
    rp_html(f, s, strlen(s));
}

/* One ASCII byte of a JSON string. */
static void json_ascii(FILE *f, unsigned c)
{
    if (c == '"' || c == '\\') {
        fputc('\\', f);
        fputc((int)c, f);
    } else if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
        fprintf(f, "\\u00%c%c", hexd[c >> 4], hexd[c & 15]);
    } else {
        fputc((int)c, f);
    }
}

void rp_json(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        size_t len = rp_utf8_len(p + i, n - i);
        if (len == 0) {
            fputs("\\ufffd", f);
            i++;
        } else if (len == 1) {
            json_ascii(f, p[i++]);
        } else if (len == 3 && p[i] == 0xE2 && p[i + 1] == 0x80 && (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            fputs(p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", f);
            i += 3;
        } else {
            fwrite(p + i, 1, len, f);
            i += len;
        }
    }
    fputc('"', f);
}

void rp_jsons(FILE *f, const char *s)
{
    rp_json(f, s, strlen(s));
}
