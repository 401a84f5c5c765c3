/*
 * textout.c - number formatting, string escaping and human units for the
 * output formats of `aclsub decode` (textout.h).
 */
#include <math.h>
#include <string.h>
#include <wchar.h>

#include "decoder/textout.h"

char *tx_put_u64(char *p, uint64_t v)
{
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    char tmp[20], *e = tmp + sizeof tmp, *b = e;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        b -= 2;
        memcpy(b, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        b -= 2;
        memcpy(b, pairs + 2 * v, 2);
    } else {
        *--b = (char)('0' + v);
    }
    memcpy(p, b, (size_t)(e - b));
    return p + (e - b);
}

char *tx_put_us3_u(char *p, uint64_t ns)
{
    p = tx_put_u64(p, ns / 1000);
    unsigned f = (unsigned)(ns % 1000);
    *p++ = '.';
    *p++ = (char)('0' + f / 100);
    *p++ = (char)('0' + f / 10 % 10);
    *p++ = (char)('0' + f % 10);
    return p;
}

char *tx_put_us3(char *p, int64_t ns)
{
    if (ns >= 0)
        return tx_put_us3_u(p, (uint64_t)ns);
    *p++ = '-';
    return tx_put_us3_u(p, 0 - (uint64_t)ns);
}

char *tx_put_f3(char *p, double v)
{
    if (!isfinite(v) || fabs(v) >= 1e18)
        v = 0;
    int n = snprintf(p, 32, "%.3f", v);
    return p + (n > 0 && n < 32 ? n : 0);
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

char *tx_put_utf8(char *p, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n;) {
        size_t k = s[i] < 0x80 ? 1 : utf8_seq(s + i, n - i);
        if (k) {
            memcpy(p, s + i, k);
            p += k;
            i += k;
        } else {
            memcpy(p, "\xEF\xBF\xBD", 3); /* U+FFFD */
            p += 3;
            i++;
        }
    }
    return p;
}

static char *put_u00(char *p, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    memcpy(p, "\\u00", 4);
    p[4] = hex[c >> 4];
    p[5] = hex[c & 15];
    return p + 6;
}

char *tx_put_json(char *p, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    *p++ = '"';
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (k) {
                memcpy(p, s + i, k);
                p += k;
                i += k;
            } else {
                p = put_u00(p, c);
                i++;
            }
            continue;
        }
        i++;
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else if (c == '\t') {
            *p++ = '\\';
            *p++ = 't';
        } else if (c == '\r') {
            *p++ = '\\';
            *p++ = 'r';
        } else if (c < 0x20 || c == 0x7f) {
            p = put_u00(p, c);
        } else {
            *p++ = (char)c;
        }
    }
    *p++ = '"';
    return p;
}

void tx_json(FILE *f, const char *s)
{
    char buf[6 * 512 + 2];
    size_t n = strnlen(s, 512);
    fwrite(buf, 1, (size_t)(tx_put_json(buf, s, n) - buf), f);
}

/* Writes \xNN for the byte c. */
static char *put_xnn(char *p, unsigned c)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '\\';
    *p++ = 'x';
    *p++ = hex[c >> 4];
    *p++ = hex[c & 15];
    return p;
}

/* 1 when s[0..n) needs more than copying: CSV's special bytes, a backslash, bytes that are not valid UTF-8. */
static int csv_special(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n' || s[i] == '\\')
            return 1;
        if (s[i] >= 0x80) {
            size_t k = utf8_seq(s + i, n - i);
            if (!k)
                return 1;
            i += k - 1;
        }
    }
    return 0;
}

char *tx_put_csv(char *p, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!csv_special(s, n)) {
        memcpy(p, s, n);
        return p + n;
    }
    int quote = strcspn(str, ",\"\r\n") < n;
    if (quote)
        *p++ = '"';
    for (size_t i = 0; i < n;) {
        size_t k = s[i] >= 0x80 ? utf8_seq(s + i, n - i) : 1;
        if (k == 0 || s[i] == '\\') {
            p = s[i] == '\\' ? (memcpy(p, "\\\\", 2), p + 2) : put_xnn(p, s[i]);
            i++;
            continue;
        }
        if (s[i] == '"')
            *p++ = '"';
        memcpy(p, s + i, k);
        p += k;
        i += k;
    }
    if (quote)
        *p++ = '"';
    return p;
}

void tx_csv(FILE *f, const char *s)
{
    char buf[TX_CSV_MAX(512)];
    size_t n = strnlen(s, 512);
    fwrite(buf, 1, (size_t)(tx_put_csv(buf, s, n) - buf), f);
}

char *tx_put_tsv(char *p, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c >= 0x80 ? utf8_seq(s + i, n - i) : 1;
        if (c == '\t' || c == '\n' || c == '\\') {
            *p++ = '\\';
            *p++ = c == '\t' ? 't' : c == '\n' ? 'n' : '\\';
        } else if (c < 0x20 || c == 0x7f || k == 0) {
            p = put_xnn(p, c);
        } else {
            memcpy(p, s + i, k);
            p += k;
            i += k;
            continue;
        }
        i++;
    }
    *p = '\0';
    return p;
}

void tx_tsv(FILE *out, const char *s)
{
    char buf[4 * 512 + 1];
    size_t n = strnlen(s, 512);
    char tmp[513];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    fwrite(buf, 1, (size_t)(tx_put_tsv(buf, tmp) - buf), out);
}

void tx_human(char *buf, size_t len, double ns)
{
    static const char *const units[] = {"ns", "us", "ms", "s"};
    if (!isfinite(ns) || ns < 0)
        ns = 0;
    if (ns < 999.5) {
        snprintf(buf, len, "%.0f ns", ns);
        return;
    }
    double v = ns / 1000.0;
    int u = 1;
    for (;;) {
        int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
        if (u < 3 && v >= 999.5) { /* rounds to 1000: the next unit */
            v /= 1000.0;
            u++;
            continue;
        }
        snprintf(buf, len, "%.*f %s", decimals, v, units[u]);
        return;
    }
}

size_t tx_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t w = 0, n = strlen(s);
    while (n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, &st);
        int cw = k == (size_t)-1 || k == (size_t)-2 || k == 0 ? -1 : wcwidth(wc);
        if (cw < 0) { /* not decodable in this locale: one column per character start */
            memset(&st, 0, sizeof st);
            k = 1;
            cw = ((unsigned char)*s & 0xC0) != 0x80;
        }
        w += (size_t)cw;
        s += k;
        n -= k;
    }
    return w;
}

void tx_pad(FILE *f, const char *s, size_t width, int right)
{
    size_t w = tx_width(s);
    if (right)
        for (; w < width; w++)
            fputc(' ', f);
    fputs(s, f);
    if (!right)
        for (; w < width; w++)
            fputc(' ', f);
}
