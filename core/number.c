/* number.c - parsing of French/English numbers and shortest round-trip output. */
#include "number.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Texts up to this length are cleaned into a stack buffer, longer ones into
 * a heap copy. */
#define CLEAN_STACK_SIZE 128

/* Exponents are clamped here while read: far beyond any finite double. */
#define EXPONENT_CLAMP 100000L

/* Fractional digits beyond this never take the fast path. */
#define FAST_MAX_FRACTION 400L

#define TWO_POW_53 (UINT64_C(1) << 53)

/* Powers of ten that are exact in binary64. */
static const double exact_powers_of_ten[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The state of one parse: the cursor in the input, the clean ASCII copy
 * built for strtod ("-123.45e6"), and what Clinger's fast path needs. */
typedef struct number_scan {
    const char *p;        /* next input byte */
    const char *end;      /* end of the input (after the '%' was removed) */
    char *clean;          /* clean copy, NUL-terminated at the end */
    size_t clean_len;     /* bytes in clean */
    uint64_t mantissa;    /* first 19 significant digits */
    int sig_digits;       /* significant digits seen (capped at 20) */
    long frac_digits;     /* digits after the decimal mark (capped) */
    long exponent;        /* value of the e/E part, clamped */
    int digit_count;      /* digits in integer and fractional parts (capped) */
    char mark;            /* decimal mark written in the text, or 0 */
    int has_exponent;     /* 1 when an e/E part was read */
} number_scan;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ascii_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of a group separator at p: ' ', U+00A0 or U+202F; 0 otherwise. */
static size_t separator_len(const char *p, const char *end)
{
    size_t left = (size_t)(end - p);
    if (left >= 1 && p[0] == ' ')
        return 1;
    if (left >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    if (left >= 3 && (unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
        (unsigned char)p[2] == 0xAF)
        return 3;
    return 0;
}

/* Removes ASCII blanks on both sides of s[0..*n); returns the new start. */
static const char *trim_blanks(const char *s, size_t *n)
{
    while (*n > 0 && is_ascii_blank(s[0])) {
        s++;
        (*n)--;
    }
    while (*n > 0 && is_ascii_blank(s[*n - 1]))
        (*n)--;
    return s;
}

/* Removes a trailing '%' and at most one separator before it. Returns 1
 * when there was a '%'. */
static int strip_percent(const char *s, size_t *n)
{
    if (*n == 0 || s[*n - 1] != '%')
        return 0;
    (*n)--;
    static const size_t widths[] = {1, 2, 3};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        size_t w = widths[i];
        if (*n >= w && separator_len(s + *n - w, s + *n) == w) {
            *n -= w;
            break;
        }
    }
    return 1;
}

static void clean_put(number_scan *sc, char c)
{
    sc->clean[sc->clean_len++] = c;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define EIGHT_AT_A_TIME 1

/* 1 when the 8 bytes at s are all ASCII digits. */
static int eight_digits(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return ((v & 0xF0F0F0F0F0F0F0F0ULL) |
            (((v + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) >> 4)) ==
           0x3333333333333333ULL;
}

/* The value of the 8 digits at s, the first the most significant (three
 * multiplications instead of eight: pairs, then quads, then the whole). */
static uint64_t eight_digits_value(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    v -= 0x3030303030303030ULL;
    v = v * 10 + (v >> 8);
    v = ((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32)) +
         ((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32))) >>
        32;
    return v;
}
#else
#define EIGHT_AT_A_TIME 0
#endif

/* Reads a run of digits of the integer or fractional part; returns how many.
 * The digits go to the clean copy; the first 19 significant ones (leading
 * zeros are not significant) to the mantissa; the counts are capped at 20. */
static size_t scan_digit_run(number_scan *sc)
{
    const char *start = sc->p;
    const char *p = start;
#if EIGHT_AT_A_TIME
    while (sc->end - p >= 8 && eight_digits(p))
        p += 8;
#endif
    while (p < sc->end && is_digit(*p))
        p++;
    size_t count = (size_t)(p - start);
    sc->p = p;
    memcpy(sc->clean + sc->clean_len, start, count);
    sc->clean_len += count;
    int digits = sc->digit_count + (count > 20 ? 20 : (int)count);
    sc->digit_count = digits > 20 ? 20 : digits;
    const char *q = start;
    if (sc->sig_digits == 0)
        while (q < p && *q == '0')
            q++;
    uint64_t m = sc->mantissa;
    int sig = sc->sig_digits;
#if EIGHT_AT_A_TIME
    for (; p - q >= 8 && sig <= 19 - 8; q += 8, sig += 8)
        m = m * 100000000u + eight_digits_value(q);
#endif
    for (; q < p && sig < 19; q++, sig++)
        m = m * 10u + (unsigned)(*q - '0');
    sc->mantissa = m;
    sc->sig_digits = q < p ? 20 : sig;
    return count;
}

/* Reads the integer part, with groups of three digits after each separator.
 * Returns 0 when a separator is misplaced. */
static int scan_integer_part(number_scan *sc)
{
    size_t first = scan_digit_run(sc);
    size_t sep = separator_len(sc->p, sc->end);
    if (sep == 0)
        return 1;
    if (first == 0 || first > 3)
        return 0;
    while (sep > 0) {
        sc->p += sep;
        if (scan_digit_run(sc) != 3)
            return 0;
        sep = separator_len(sc->p, sc->end);
    }
    return 1;
}

/* Reads an optional decimal mark and the fractional digits after it.
 * Returns 0 when a mark is not followed by a digit. */
static int scan_fraction(number_scan *sc)
{
    if (sc->p >= sc->end || (*sc->p != '.' && *sc->p != ','))
        return 1;
    sc->mark = *sc->p++;
    clean_put(sc, '.');
    size_t count = scan_digit_run(sc);
    sc->frac_digits = count > (size_t)EXPONENT_CLAMP ? EXPONENT_CLAMP : (long)count;
    return count > 0;
}

/* Reads an optional exponent (e/E, sign, digits). Returns 0 when malformed. */
static int scan_exponent(number_scan *sc)
{
    if (sc->p >= sc->end || (*sc->p != 'e' && *sc->p != 'E'))
        return 1;
    sc->has_exponent = 1;
    sc->p++;
    clean_put(sc, 'e');
    int negative = 0;
    if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-')) {
        negative = *sc->p == '-';
        clean_put(sc, *sc->p++);
    }
    const char *start = sc->p;
    for (; sc->p < sc->end && is_digit(*sc->p); sc->p++) {
        clean_put(sc, *sc->p);
        if (sc->exponent < EXPONENT_CLAMP)
            sc->exponent = sc->exponent * 10 + (*sc->p - '0');
    }
    if (negative)
        sc->exponent = -sc->exponent;
    return sc->p > start;
}

/* Reads the whole number; returns 1 when the text is well formed. */
static int scan_number(number_scan *sc)
{
    if (sc->p < sc->end && (*sc->p == '+' || *sc->p == '-')) {
        if (*sc->p == '-')
            clean_put(sc, '-');
        sc->p++;
    }
    if (!scan_integer_part(sc) || !scan_fraction(sc))
        return 0;
    if (sc->digit_count == 0)
        return 0;
    if (!scan_exponent(sc))
        return 0;
    sc->clean[sc->clean_len] = '\0';
    return sc->p == sc->end;
}

/* Clinger's fast path: exact when the mantissa fits in 2^53 and the power of
 * ten is exact. Returns 1 and sets *value when it applies. */
static int fast_path(const number_scan *sc, double *value)
{
#if FLT_EVAL_METHOD == 0
    if (sc->sig_digits > 19 || sc->mantissa > TWO_POW_53 || sc->frac_digits > FAST_MAX_FRACTION)
        return 0;
    long e10 = sc->exponent - sc->frac_digits;
    uint64_t m = sc->mantissa;
    if (m == 0) {
        *value = 0.0;
        return 1;
    }
    while (e10 > 22 && m <= TWO_POW_53 / 10) {
        m *= 10;
        e10--;
    }
    if (e10 > 22 || e10 < -22)
        return 0;
    double d = (double)m;
    *value = e10 >= 0 ? d * exact_powers_of_ten[e10] : d / exact_powers_of_ten[-e10];
    if (sc->clean[0] == '-')
        *value = -*value;
    return 1;
#else
    (void)sc;
    (void)value;
    return 0;
#endif
}

/* Converts the clean copy with strtod ('.' is the mark of the "C" locale). */
static double slow_path(const number_scan *sc)
{
    return strtod(sc->clean, NULL);
}

/* Checks the mark the number shows against the file's. */
static ctg_num_result check_mark(const number_scan *sc, char file_mark, char *shown)
{
    /* an exponent alone shows no mark: "1E3" fits a comma file, and
     * "1,5E3" (a French spreadsheet's scientific notation) too */
    char mark = sc->mark;
    *shown = mark;
    if (mark != 0 && file_mark != 0 && mark != file_mark)
        return CTG_NUM_OTHER_MARK;
    return CTG_NUM_OK;
}

/* Scans s[0..n) (trimmed, without '%') into a clean copy of at least n + 1
 * bytes and converts it. */
static ctg_num_result convert(const char *s, size_t n, char *clean, char *decimal_mark,
                              double *out)
{
    number_scan sc = {0};
    sc.p = s;
    sc.end = s + n;
    sc.clean = clean;
    if (!scan_number(&sc))
        return CTG_NUM_INVALID;
    char shown = 0;
    ctg_num_result r = check_mark(&sc, *decimal_mark, &shown);
    if (r != CTG_NUM_OK)
        return r;
    double v;
    if (!fast_path(&sc, &v))
        v = slow_path(&sc);
    if (!isfinite(v))
        return CTG_NUM_INVALID;
    if (shown != 0)
        *decimal_mark = shown;
    *out = v == 0.0 ? 0.0 : v;
    return CTG_NUM_OK;
}

/* Reads the digits at *p (before end) into *m, 8 at a time where it can;
 * returns how many. *m wraps past 19 digits: the caller counts them. */
static size_t plain_digits(const char **p, const char *end, uint64_t *m)
{
    const char *q = *p;
    uint64_t v = *m;
#if EIGHT_AT_A_TIME
    while (end - q >= 8 && eight_digits(q)) {
        v = v * 100000000u + eight_digits_value(q);
        q += 8;
    }
#endif
    for (; q < end && is_digit(*q); q++)
        v = v * 10u + (unsigned)(*q - '0');
    size_t count = (size_t)(q - *p);
    *p = q;
    *m = v;
    return count;
}

/*
 * The shortcut for the numbers nearly every cell holds: an optional '-',
 * digits, optionally a mark and digits, nothing else, at most 19 digits in
 * all, read as an integer within 2^53 divided by an exact power of ten (the
 * same correctly rounded result as the general path's fast path). Returns 1
 * and sets *out (and *decimal_mark, as the general path does) when the text
 * is such a number and agrees with the file's mark; 0 leaves everything to
 * the general path.
 */
static int parse_plain(const char *s, size_t n, char *decimal_mark, double *out)
{
#if FLT_EVAL_METHOD == 0
    const char *p = s, *end = s + n;
    int negative = p < end && *p == '-';
    p += negative;
    uint64_t m = 0;
    size_t int_digits = plain_digits(&p, end, &m), frac_digits = 0;
    if (int_digits == 0)
        return 0;
    char mark = 0;
    if (p < end && (*p == '.' || *p == ',')) {
        mark = *p++;
        frac_digits = plain_digits(&p, end, &m);
        if (frac_digits == 0)
            return 0;
    }
    if (p != end || int_digits + frac_digits > 19 || m > TWO_POW_53)
        return 0;
    if (mark != 0 && *decimal_mark != 0 && mark != *decimal_mark)
        return 0;
    double v = (double)m / exact_powers_of_ten[frac_digits];
    if (negative)
        v = -v;
    *out = v == 0.0 ? 0.0 : v;
    if (mark != 0)
        *decimal_mark = mark;
    return 1;
#else
    (void)s;
    (void)n;
    (void)decimal_mark;
    (void)out;
    return 0;
#endif
}

ctg_num_result ctg_parse_number(const char *s, size_t n, char *decimal_mark, double *out,
                                int *flags)
{
    char no_mark = 0;
    if (!decimal_mark)
        decimal_mark = &no_mark;
    if (flags)
        *flags = 0;
    if (parse_plain(s, n, decimal_mark, out))
        return CTG_NUM_OK;
    return ctg_parse_number_general(s, n, decimal_mark, out, flags);
}

ctg_num_result ctg_parse_number_general(const char *s, size_t n, char *decimal_mark, double *out,
                                        int *flags)
{
    char no_mark = 0;
    if (!decimal_mark)
        decimal_mark = &no_mark;
    if (flags)
        *flags = 0;
    *out = 0.0;
    s = trim_blanks(s, &n);
    if (n == 0)
        return CTG_NUM_EMPTY;
    int percent = strip_percent(s, &n);
    if (n == 0)
        return CTG_NUM_INVALID;
    char stack_clean[CLEAN_STACK_SIZE];
    char *clean = n < sizeof stack_clean ? stack_clean : malloc(n + 1);
    if (!clean)
        return CTG_NUM_INVALID;
    ctg_num_result r = convert(s, n, clean, decimal_mark, out);
    if (clean != stack_clean)
        free(clean);
    if (r == CTG_NUM_OK && percent && flags)
        *flags |= CTG_NUM_PERCENT;
    return r;
}

/* Replaces the locale's decimal point in printf output by '.': in %g output
 * every byte that is not a digit, sign or exponent letter belongs to it. */
static size_t normalise_decimal_point(char *buf, size_t len)
{
    size_t w = 0;
    int in_point = 0;
    for (size_t r = 0; r < len; r++) {
        char c = buf[r];
        int plain = is_digit(c) || c == '-' || c == '+' || c == 'e' || c == 'E';
        if (!plain && in_point)
            continue;
        in_point = !plain;
        buf[w++] = plain ? c : '.';
    }
    buf[w] = '\0';
    return w;
}

/* Writes zero (never "-0"), "nan", "inf" or "-inf"; returns the length. */
static int print_special(double v, char *buf, size_t size)
{
    const char *text = v == 0.0 ? "0" : isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
    int len = snprintf(buf, size, "%s", text);
    return len < (int)size ? len : (int)size - 1;
}

/* Writes "%.<precision>g" of v; returns the length, or -1 if it did not fit. */
static int print_g(double v, int precision, char *buf, size_t size)
{
    int len = snprintf(buf, size, "%.*g", precision, v);
    if (len < 0 || (size_t)len >= size)
        return -1;
    return len;
}

int ctg_format_double(double v, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    if (v == 0.0 || !isfinite(v))
        return print_special(v, buf, size);
    int len = -1;
    for (int precision = 15; precision <= 17; precision++) {
        len = print_g(v, precision, buf, size);
        if (len < 0 || strtod(buf, NULL) == v)
            break;
    }
    if (len < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (int)normalise_decimal_point(buf, (size_t)len);
}

int ctg_format_fr(double v, int decimals, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    buf[0] = '\0';
    if (!isfinite(v) || decimals < 0 || decimals > 9)
        return 0;
    char plain[512];
    int n = snprintf(plain, sizeof plain, "%.*f", decimals, v);
    if (n < 0 || (size_t)n >= sizeof plain)
        return 0;
    const char *digits = plain;
    int negative = *digits == '-';
    if (negative)
        digits++;
    /* "-0,0": the value rounds to zero, drop the sign */
    if (negative && strspn(digits, "0.") == strlen(digits))
        negative = 0;
    size_t int_len = strcspn(digits, ".");
    char out[1024];
    size_t o = 0;
    if (negative)
        out[o++] = '-';
    for (size_t i = 0; i < int_len; i++) {
        if (i > 0 && (int_len - i) % 3 == 0) {
            memcpy(out + o, CTG_NNBSP, 3);
            o += 3;
        }
        out[o++] = digits[i];
    }
    if (digits[int_len] == '.') {
        out[o++] = ',';
        size_t frac = strlen(digits + int_len + 1);
        memcpy(out + o, digits + int_len + 1, frac);
        o += frac;
    }
    out[o] = '\0';
    if (o >= size) { /* truncate, never inside a UTF-8 sequence */
        o = size - 1;
        while (o > 0 && ((unsigned char)out[o] & 0xC0) == 0x80)
            o--;
    }
    memcpy(buf, out, o);
    buf[o] = '\0';
    return (int)o;
}

int ctg_parse_year(const char *s)
{
    char *end;
    long y = strtol(s, &end, 10);
    if (end == s || *end || y < 1900 || y > 2100)
        return 0;
    return (int)y;
}
