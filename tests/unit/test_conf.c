/* test_conf.c - core/conf.h: the [section] / key = value syntax of schemas/. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/conf.h"

/* Parses a string literal; asserts success. */
static ctg_conf *parse_ok(const char *text, size_t len)
{
    ctg_conf *c = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_conf_parse("test.conf", text, len, &c, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_non_null(c);
    return c;
}

#define PARSE(lit) parse_ok(lit, sizeof(lit) - 1)

static void assert_entry(const ctg_conf *c, size_t i, const char *section, const char *key,
                         const char *value, long line)
{
    const ctg_conf_entry *e = ctg_conf_entry_at(c, i);
    assert_non_null(e);
    assert_string_equal(e->section, section);
    assert_string_equal(e->key, key);
    assert_string_equal(e->value, value);
    assert_int_equal(e->line, line);
}

/* Parses text that must fail with CTG_ERR_SCHEMA at `line`. */
static void assert_syntax_error(const char *text, size_t len, long line, const char *needle)
{
    ctg_conf *c = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_conf_parse("bad.conf", text, len, &c, &err);
    if (st != CTG_ERR_SCHEMA || err.line != line)
        print_error("status %d line %ld: %s (expected line %ld)\n", (int)st, err.line, err.msg,
                    line);
    assert_int_equal(st, CTG_ERR_SCHEMA);
    assert_null(c);
    assert_int_equal(err.line, line);
    assert_string_equal(err.path, "bad.conf");
    assert_non_null(strstr(err.msg, needle));
}

#define BAD(lit, line, needle) assert_syntax_error(lit, sizeof(lit) - 1, line, needle)

static void test_sections_and_order(void **state)
{
    (void)state;
    ctg_conf *c = PARSE("top = before any section\n"   /* 1 */
                        "[family]\n"                   /* 2 */
                        "id = caf_iris\n"              /* 3 */
                        "label = Allocataires\n"       /* 4 */
                        "\n"                           /* 5 */
                        "[columns]\n"                  /* 6 */
                        "map = ^A$ -> a\n"             /* 7 */
                        "map = ^B$ -> b\n"             /* 8 */
                        "[ family ]\n"                 /* 9 */
                        "map = ^C$ -> c\n");           /* 10 */
    assert_int_equal(ctg_conf_count(c), 6);
    assert_entry(c, 0, "", "top", "before any section", 1);
    assert_entry(c, 1, "family", "id", "caf_iris", 3);
    assert_entry(c, 2, "family", "label", "Allocataires", 4);
    /* repeated keys stay, in file order */
    assert_entry(c, 3, "columns", "map", "^A$ -> a", 7);
    assert_entry(c, 4, "columns", "map", "^B$ -> b", 8);
    /* a section may be opened again, blanks inside the brackets trimmed */
    assert_entry(c, 5, "family", "map", "^C$ -> c", 10);
    assert_null(ctg_conf_entry_at(c, 6));
    /* ctg_conf_get gives the first value */
    assert_string_equal(ctg_conf_get(c, "columns", "map"), "^A$ -> a");
    assert_string_equal(ctg_conf_get(c, "family", "id"), "caf_iris");
    assert_string_equal(ctg_conf_get(c, "", "top"), "before any section");
    assert_null(ctg_conf_get(c, "family", "producer"));
    assert_null(ctg_conf_get(c, "read", "id"));
    assert_string_equal(ctg_conf_path(c), "test.conf");
    ctg_conf_free(c);
    ctg_conf_free(NULL);
}

static void test_blanks_and_comments(void **state)
{
    (void)state;
    ctg_conf *c = PARSE("# a comment\n"                         /* 1 */
                        "   # an indented comment\n"            /* 2 */
                        "\t\n"                                  /* 3 */
                        "  [read]  \n"                          /* 4 */
                        "\tsecret   =   s   nd \t\n"            /* 5 */
                        "missing=NA\n"                          /* 6 */
                        "empty =\n"                             /* 7 */
                        "label = Taux # pas un commentaire\n"   /* 8 */
                        "pattern = ^a=b$\n"                     /* 9 */
                        "   \n");                               /* 10 */
    assert_int_equal(ctg_conf_count(c), 5);
    /* blanks around keys and values trimmed, inner blanks kept */
    assert_entry(c, 0, "read", "secret", "s   nd", 5);
    assert_entry(c, 1, "read", "missing", "NA", 6);
    /* an empty value */
    assert_entry(c, 2, "read", "empty", "", 7);
    /* '#' after text is part of the value */
    assert_entry(c, 3, "read", "label", "Taux # pas un commentaire", 8);
    /* the value is everything after the first '=' */
    assert_entry(c, 4, "read", "pattern", "^a=b$", 9);
    ctg_conf_free(c);
}

static void test_bom_and_crlf(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF[family]\r\n"
                               "id = rpls\r\n"
                               "\r\n"
                               "# comment\r\n"
                               "label = R\xC3\xA9pertoire des logements\r\n"
                               "[unit]\r\n"
                               "total = ^Total France";
    ctg_conf *c = PARSE(text);
    assert_int_equal(ctg_conf_count(c), 3);
    /* the BOM is not part of the first line; CR is not part of values */
    assert_entry(c, 0, "family", "id", "rpls", 2);
    assert_entry(c, 1, "family", "label", "R\xC3\xA9pertoire des logements", 5);
    /* the last line has no line end */
    assert_entry(c, 2, "unit", "total", "^Total France", 7);
    /* the text is kept as given, BOM included */
    assert_string_equal(ctg_conf_text(c), text);
    ctg_conf_free(c);

    /* a BOM before a key (not a section) */
    c = PARSE("\xEF\xBB\xBFkey = v\n");
    assert_entry(c, 0, "", "key", "v", 1);
    ctg_conf_free(c);

    /* empty texts */
    c = PARSE("");
    assert_int_equal(ctg_conf_count(c), 0);
    ctg_conf_free(c);
    c = PARSE("\xEF\xBB\xBF");
    assert_int_equal(ctg_conf_count(c), 0);
    ctg_conf_free(c);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    BAD("[family]\nid = x\njust words\n", 3, "expected 'key = value'");
    BAD("[family]\r\nid = x\r\n\r\nno equals\r\n", 4, "expected 'key = value'");
    BAD("\xEF\xBB\xBFnot a key\n", 1, "expected 'key = value'");
    BAD("[Family]\n", 1, "section name 'Family' is not a lower-case word");
    BAD("# c\n[]\n", 2, "a section line reads [name]");
    BAD("[family\n", 1, "a section line reads [name]");
    BAD("[two words]\n", 1, "is not a lower-case word");
    BAD("[read]\nLabel = x\n", 2, "key 'Label' is not a lower-case word");
    BAD("[read]\n= x\n", 2, "key '' is not a lower-case word");
    BAD("[read]\nmy key = x\n", 2, "key 'my key' is not a lower-case word");
    BAD("[read]\nkey-dash = x\n", 2, "is not a lower-case word");
    /* a NUL byte: the whole file is not text */
    BAD("[read]\nkey = a\0b\n", 0, "NUL byte");
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/ctg_test_conf_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "[family]\nid = x\nlabel = y\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    ctg_conf *c = NULL;
    ctg_error err;
    assert_int_equal(ctg_conf_load(path, &c, &err), CTG_OK);
    assert_string_equal(ctg_conf_path(c), path);
    assert_string_equal(ctg_conf_text(c), text);
    assert_int_equal(ctg_conf_count(c), 2);
    assert_entry(c, 1, "family", "label", "y", 3);
    ctg_conf_free(c);

    /* errors name the file */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("[family]\nid x\n", f);
    fclose(f);
    c = NULL;
    assert_int_equal(ctg_conf_load(path, &c, &err), CTG_ERR_SCHEMA);
    assert_null(c);
    assert_string_equal(err.path, path);
    assert_int_equal(err.line, 2);
    unlink(path);

    /* a missing file */
    assert_int_equal(ctg_conf_load(path, &c, &err), CTG_ERR_NOINPUT);
    assert_null(c);
    assert_string_equal(err.path, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_order),
        cmocka_unit_test(test_blanks_and_comments),
        cmocka_unit_test(test_bom_and_crlf),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
