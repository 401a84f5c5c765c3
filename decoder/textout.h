/*
 * textout.h - the text primitives of `aclsub decode`'s output formats:
 * hand-rolled number formatting into a caller's buffer (fast enough for
 * millions of lines a second), string escaping for JSON, CSV and the
 * tab-separated list, and durations in human units.
 *
 * The tx_put_* functions append to p and return the new end; the caller
 * provides room (see each function's worst case).
 */
#ifndef ACLSUB_DECODER_TEXTOUT_H_
#define ACLSUB_DECODER_TEXTOUT_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decimal, at most 20 bytes. */
char *tx_put_u64(char *p, uint64_t v);
/* ns as microseconds with exactly three decimals, sign if negative; at most 25 bytes. */
char *tx_put_us3_u(char *p, uint64_t ns); /* the same for a count of ns that is never negative */
char *tx_put_us3(char *p, int64_t ns);
/* A double with three decimals (finite values; others as 0.000); at most 32 bytes. */
char *tx_put_f3(char *p, double v);
/*
 * A JSON string, quotes included; at most 6 * n + 2 bytes.  ASCII control
 * bytes, 0x7f, '"' and '\\' are escaped; valid UTF-8 sequences are copied;
 * every byte of an invalid sequence is written as \u00XX (the code point of
 * the same value, as if the byte were Latin-1).
 */
char *tx_put_json(char *p, const char *s, size_t n);
/* The bytes as valid UTF-8: each byte of an invalid sequence becomes U+FFFD; at most 3 * n bytes. */
char *tx_put_utf8(char *p, const char *s, size_t n);
/* A JSON string of a NUL-terminated string. */
void tx_json(FILE *f, const char *s);
/*
 * A CSV field (RFC 4180): quoted when it holds ',', '"', CR or LF.  So that
 * every output is valid UTF-8 (pandas and Python's csv read it strictly),
 * each byte of an invalid UTF-8 sequence is written as \xNN (two lower-case
 * hex digits) and a backslash as \\, the escaping of the tab-separated list;
 * at most TX_CSV_MAX(n) bytes.
 */
#define TX_CSV_MAX(n) (4 * (n) + 2)
char *tx_put_csv(char *p, const char *s, size_t n);
void tx_csv(FILE *f, const char *s);
/* The tab-separated list's escaping: \t \n \\, and \xHH for other control bytes and for each byte of an
   invalid UTF-8 sequence. */
void tx_tsv(FILE *f, const char *s);
/* The same into a buffer (at most 4 * strlen(s) bytes), NUL-terminated; returns the NUL. */
char *tx_put_tsv(char *p, const char *s);
/*
 * ns in human units with three significant digits: "850 ns", "12.3 us",
 * "1.20 ms", "3.45 s" (nanoseconds are rounded to whole numbers).
 */
void tx_human(char *buf, size_t len, double ns);
/* Columns a string takes on a terminal: wcwidth of each character in the locale of LC_CTYPE (the aclsub
   command sets a UTF-8 one); bytes it cannot decode count one column per character start. */
size_t tx_width(const char *s);
/* Writes s padded with spaces to width columns, left- or right-aligned. */
void tx_pad(FILE *f, const char *s, size_t width, int right);

#endif /* ACLSUB_DECODER_TEXTOUT_H_ */
