/*
 * test_outname.c - output-name patterns (decoder/record/outname.h), the
 * contract between `aclsub run` and the interposer: %p, %h, %q{VAR} and %% expand,
 * anything else stays as written, a result that does not fit is an error
 * and never a cut name, and nothing is written past the buffer; an escaped
 * name expands back to itself.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoder/record/outname.h"
#include "tests/unit/testutil.h"

#define GUARD 'Z'

static const outname_vars vars = {.pid = 4242, .host = "node7"};

/* Expands pattern into a buffer of cap bytes followed by guard bytes; checks the guard. */
static int expand_checked(const char *pattern, size_t cap, char *out)
{
    char buf[512];
    ck_assert_uint_lt(cap, sizeof buf - 16);
    memset(buf, GUARD, sizeof buf);
    int rc = outname_expand(pattern, &vars, buf, cap);
    for (size_t i = cap; i < sizeof buf; i++)
        ck_assert_int_eq(buf[i], GUARD);
    memcpy(out, buf, cap);
    return rc;
}

/* The expansion of pattern with room to spare; fails the test if it fails. */
static const char *expanded(const char *pattern)
{
    static char out[256];
    ck_assert_int_eq(expand_checked(pattern, sizeof out, out), 0);
    return out;
}

START_TEST(test_pid)
{
    ck_assert_str_eq(expanded("run-%p.rec"), "run-4242.rec");
    ck_assert_str_eq(expanded("%p"), "4242");
    ck_assert_str_eq(expanded("%p%p"), "42424242");
    outname_vars big = {.pid = 2147483647L, .host = "h"};
    char out[64];
    ck_assert_int_eq(outname_expand("x%p", &big, out, sizeof out), 0);
    ck_assert_str_eq(out, "x2147483647");
}
END_TEST

START_TEST(test_host)
{
    ck_assert_str_eq(expanded("%h.rec"), "node7.rec");
    ck_assert_str_eq(expanded("/tmp/%h/%p-%h"), "/tmp/node7/4242-node7");
}
END_TEST

/* The expansion of pattern with host name h. */
static const char *with_host(const char *pattern, const char *h)
{
    static char out[1024];
    outname_vars v = {.pid = 7};
    snprintf(v.host, sizeof v.host, "%s", h);
    ck_assert_int_eq(outname_expand(pattern, &v, out, sizeof out), 0);
    return out;
}

START_TEST(test_host_adds_no_directory)
{
    ck_assert_str_eq(with_host("/tmp/%h.rec", "../../etc/passwd"), "/tmp/___.._etc_passwd.rec");
    ck_assert_str_eq(with_host("/tmp/%h/x", ".."), "/tmp/__/x");
    ck_assert_str_eq(with_host("/tmp/%h/x", "."), "/tmp/_/x");
    ck_assert_str_eq(with_host("/tmp/.%h/x", "."), "/tmp/._/x");
    ck_assert_str_eq(with_host("/tmp/%h./x", "."), "/tmp/_./x");
    ck_assert_str_eq(with_host("%h", "...hidden"), "___hidden");
    ck_assert_str_eq(with_host("%h", "/"), "_");
    ck_assert_str_eq(with_host("%h", "a/b"), "a_b");
    ck_assert_str_eq(with_host("%h", "node.example.com"), "node.example.com");
    ck_assert_str_eq(with_host("%h", "a..b"), "a..b");
    ck_assert_str_eq(with_host("%h", "tab\there\nnl\x7f"), "tab_here_nl_");
    ck_assert_str_eq(with_host("d/%h-%p", ""), "d/localhost-7");
    /* The longest host name kept, all dots and slashes: still one plain part. */
    char h[OUTNAME_HOST_MAX + 1], want[OUTNAME_HOST_MAX + 8];
    for (size_t i = 0; i < OUTNAME_HOST_MAX; i++)
        h[i] = i % 3 == 2 ? '/' : '.';
    h[OUTNAME_HOST_MAX] = '\0';
    const char *got = with_host("x/%h/y", h);
    ck_assert_uint_eq(strlen(got), OUTNAME_HOST_MAX + 4);
    ck_assert_ptr_null(memchr(got + 2, '/', OUTNAME_HOST_MAX));
    snprintf(want, sizeof want, "x/__%s", "_");
    ck_assert_int_eq(strncmp(got, want, 5), 0);
}
END_TEST

START_TEST(test_pid_adds_no_directory)
{
    outname_vars v = {.pid = -12, .host = "h"};
    char out[64];
    ck_assert_int_eq(outname_expand("/tmp/%p/x", &v, out, sizeof out), 0);
    ck_assert_str_eq(out, "/tmp/-12/x");
}
END_TEST

START_TEST(test_percent)
{
    ck_assert_str_eq(expanded("100%%"), "100%");
    ck_assert_str_eq(expanded("%%p"), "%p");
    ck_assert_str_eq(expanded("%%h"), "%h");
    ck_assert_str_eq(expanded("%%%%"), "%%");
    ck_assert_str_eq(expanded("%%%p"), "%4242");
}
END_TEST

START_TEST(test_unknown_escapes_stay_as_written)
{
    ck_assert_str_eq(expanded("%x"), "%x");
    ck_assert_str_eq(expanded("a%P%H%d"), "a%P%H%d");
    ck_assert_str_eq(expanded("%"), "%");
    ck_assert_str_eq(expanded("end%"), "end%");
    ck_assert_str_eq(expanded("%%%"), "%%");
    ck_assert_str_eq(expanded("% p"), "% p");
}
END_TEST

START_TEST(test_plain_names_unchanged)
{
    ck_assert_str_eq(expanded("/var/tmp/ops.rec"), "/var/tmp/ops.rec");
    ck_assert_str_eq(expanded(OUTNAME_DEFAULT), "aclsub-4242.rec");
}
END_TEST

START_TEST(test_empty)
{
    char out[8];
    ck_assert_int_eq(expand_checked("", 1, out), 0);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(expanded(""), "");
    /* No room even for the NUL: an error, and nothing written. */
    char none[1] = {GUARD};
    ck_assert_int_eq(outname_expand("", &vars, none, 0), -1);
    ck_assert_int_eq(none[0], GUARD);
}
END_TEST

START_TEST(test_exact_fit_and_one_byte_short)
{
    /* "run-4242.rec" is 12 bytes: 13 with the NUL. */
    char out[64];
    ck_assert_int_eq(expand_checked("run-%p.rec", 13, out), 0);
    ck_assert_str_eq(out, "run-4242.rec");
    ck_assert_int_eq(expand_checked("run-%p.rec", 12, out), -1);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_overflow_inside_an_escape)
{
    /* The pid or host name would be cut: the whole result is refused. */
    char out[64];
    ck_assert_int_eq(expand_checked("ab%p", 5, out), -1);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(expand_checked("ab%h", 6, out), -1);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(expand_checked("ab%h", 8, out), 0);
    ck_assert_str_eq(out, "abnode7");
}
END_TEST

START_TEST(test_overflow_every_capacity)
{
    /* Every capacity below the length fails; every one above succeeds with the same result. */
    const char *pattern = "/d/%h/%%/x-%p-%q%";
    const char *want = "/d/node7/%/x-4242-%q%";
    size_t len = strlen(want);
    char out[64];
    for (size_t cap = 1; cap < 40; cap++) {
        int rc = expand_checked(pattern, cap, out);
        ck_assert_int_eq(rc, cap > len ? 0 : -1);
        ck_assert_str_eq(out, cap > len ? want : "");
    }
}
END_TEST

START_TEST(test_vars_here)
{
    outname_vars v;
    memset(&v, GUARD, sizeof v);
    outname_vars_here(&v);
    ck_assert_int_eq(v.pid, (long)getpid());
    char host[OUTNAME_HOST_MAX + 1] = "";
    if (gethostname(host, OUTNAME_HOST_MAX) != 0)
        snprintf(host, sizeof host, "localhost");
    host[OUTNAME_HOST_MAX] = '\0';
    ck_assert_str_eq(v.host, host);
    ck_assert_uint_gt(strlen(v.host), 0);
    char out[600], want[600];
    ck_assert_int_eq(outname_expand("%h-%p", &v, out, sizeof out), 0);
    snprintf(want, sizeof want, "%s-%ld", host, (long)getpid());
    ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(test_escape_doubles_percent_signs)
{
    char out[64];
    ck_assert_int_eq(outname_escape("/tmp/a%p/100%", out, sizeof out), 0);
    ck_assert_str_eq(out, "/tmp/a%%p/100%%");
    ck_assert_int_eq(outname_escape("plain.rec", out, sizeof out), 0);
    ck_assert_str_eq(out, "plain.rec");
    ck_assert_int_eq(outname_escape("", out, 1), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_escape_overflow)
{
    /* "a%" escapes to "a%%": 4 bytes with the NUL. */
    char out[8];
    memset(out, GUARD, sizeof out);
    ck_assert_int_eq(outname_escape("a%", out, 4), 0);
    ck_assert_str_eq(out, "a%%");
    memset(out, GUARD, sizeof out);
    ck_assert_int_eq(outname_escape("a%", out, 3), -1);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(out[3], GUARD);
    out[0] = GUARD;
    ck_assert_int_eq(outname_escape("", out, 0), -1);
    ck_assert_int_eq(out[0], GUARD);
}
END_TEST

START_TEST(test_expanding_an_escaped_name_gives_it_back)
{
    /* How aclsub run passes an expanded name on to the interposer. */
    uint64_t s = 2024;
    static const char alphabet[] = "%phx/.";
    for (int iter = 0; iter < 5000; iter++) {
        char name[32], esc[64], back[64];
        size_t len = tu_rand(&s) % (sizeof name - 1);
        for (size_t i = 0; i < len; i++)
            name[i] = alphabet[tu_rand(&s) % (sizeof alphabet - 1)];
        name[len] = '\0';
        ck_assert_int_eq(outname_escape(name, esc, sizeof esc), 0);
        ck_assert_int_eq(outname_expand(esc, &vars, back, sizeof back), 0);
        ck_assert_str_eq(back, name);
    }
}
END_TEST

START_TEST(test_env_var)
{
    ck_assert_int_eq(setenv("ACLSUB_TEST_RANK", "3", 1), 0);
    ck_assert_str_eq(expanded("ops-%q{ACLSUB_TEST_RANK}.rec"), "ops-3.rec");
    ck_assert_str_eq(expanded("%q{ACLSUB_TEST_RANK}%q{ACLSUB_TEST_RANK}-%p"), "33-4242");
    ck_assert_int_eq(unsetenv("ACLSUB_TEST_RANK"), 0);
    ck_assert_str_eq(expanded("ops-%q{ACLSUB_TEST_RANK}.rec"), "ops-.rec"); /* unset: empty */
}
END_TEST

/* A value is a plain name part, as %h: no '/', no control character, no leading dot. */
START_TEST(test_env_var_adds_no_directory)
{
    ck_assert_int_eq(setenv("ACLSUB_TEST_V", "../../etc/x", 1), 0);
    ck_assert_str_eq(expanded("d/%q{ACLSUB_TEST_V}.rec"), "d/___.._etc_x.rec");
    ck_assert_int_eq(setenv("ACLSUB_TEST_V", "a\nb", 1), 0);
    ck_assert_str_eq(expanded("%q{ACLSUB_TEST_V}"), "a_b");
    ck_assert_int_eq(unsetenv("ACLSUB_TEST_V"), 0);
}
END_TEST

/* Not an escape, so written as it is: no braces, an empty or bad name, no closing brace. */
START_TEST(test_env_var_malformed_stays_as_written)
{
    ck_assert_str_eq(expanded("%q"), "%q");
    ck_assert_str_eq(expanded("%qX"), "%qX");
    ck_assert_str_eq(expanded("%q{}"), "%q{}");
    ck_assert_str_eq(expanded("%q{A-B}"), "%q{A-B}");
    ck_assert_str_eq(expanded("%q{OPEN"), "%q{OPEN");
    char big[300];
    memset(big, 'A', sizeof big);
    memcpy(big, "%q{", 3);
    big[sizeof big - 2] = '}';
    big[sizeof big - 1] = '\0';
    char out[512];
    ck_assert_int_eq(outname_expand(big, &vars, out, sizeof out), 0); /* a 295-byte name: too long */
    ck_assert_str_eq(out, big);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("outname");
    TCase *tc = tcase_create("expand");
    tcase_add_test(tc, test_pid);
    tcase_add_test(tc, test_host);
    tcase_add_test(tc, test_host_adds_no_directory);
    tcase_add_test(tc, test_pid_adds_no_directory);
    tcase_add_test(tc, test_percent);
    tcase_add_test(tc, test_unknown_escapes_stay_as_written);
    tcase_add_test(tc, test_plain_names_unchanged);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_exact_fit_and_one_byte_short);
    tcase_add_test(tc, test_overflow_inside_an_escape);
    tcase_add_test(tc, test_overflow_every_capacity);
    tcase_add_test(tc, test_vars_here);
    tcase_add_test(tc, test_env_var);
    tcase_add_test(tc, test_env_var_adds_no_directory);
    tcase_add_test(tc, test_env_var_malformed_stays_as_written);
    suite_add_tcase(s, tc);

    TCase *te = tcase_create("escape");
    tcase_add_test(te, test_escape_doubles_percent_signs);
    tcase_add_test(te, test_escape_overflow);
    tcase_add_test(te, test_expanding_an_escaped_name_gives_it_back);
    suite_add_tcase(s, te);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
