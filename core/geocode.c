/* geocode.c - geographic levels, code normalisation, arrondissements municipaux. */
#include "geocode.h"

#include <string.h>

static const char *const level_names[] = {
    [CTG_LEVEL_NONE] = "none",  [CTG_LEVEL_COMMUNE] = "commune", [CTG_LEVEL_ARM] = "arm",
    [CTG_LEVEL_IRIS] = "iris",  [CTG_LEVEL_EPCI] = "epci",       [CTG_LEVEL_DEP] = "dep",
    [CTG_LEVEL_REG] = "reg",    [CTG_LEVEL_FR] = "fr",           [CTG_LEVEL_PSEUDO] = "pseudo",
};

#define LEVEL_COUNT (sizeof level_names / sizeof level_names[0])

/* The arrondissements municipaux of one city: codes first..last (numeric,
 * same département prefix) belong to commune parent. */
typedef struct arm_range {
    const char *first;
    const char *last;
    const char *parent;
} arm_range;

static const arm_range arm_ranges[] = {
    {"75101", "75120", "75056"}, /* Paris */
    {"69381", "69389", "69123"}, /* Lyon */
    {"13201", "13216", "13055"}, /* Marseille */
};

#define ARM_RANGE_COUNT (sizeof arm_ranges / sizeof arm_ranges[0])

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Returns 1 when s[0..n) holds only ASCII digits (n may be 0). */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
    }
    return 1;
}

const char *ctg_level_name(ctg_level level)
{
    if ((size_t)level >= LEVEL_COUNT)
        return "none";
    return level_names[level];
}

/* Case-insensitive equality of two NUL-terminated ASCII strings. */
static int equal_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (ascii_lower(*a) != ascii_lower(*b))
            return 0;
    }
    return *a == *b;
}

ctg_level ctg_level_parse(const char *name)
{
    if (!name)
        return CTG_LEVEL_NONE;
    for (size_t i = 1; i < LEVEL_COUNT; i++) {
        if (equal_ignoring_case(name, level_names[i]))
            return (ctg_level)i;
    }
    return CTG_LEVEL_NONE;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims ASCII blanks, then one pair of surrounding quotes (" or '), then
 * blanks inside them. Returns the new start; *n is updated. */
static const char *trim_code(const char *s, size_t *n)
{
    for (int pass = 0; pass < 2; pass++) {
        while (*n > 0 && is_blank(s[0])) {
            s++;
            (*n)--;
        }
        while (*n > 0 && is_blank(s[*n - 1]))
            (*n)--;
        if (pass == 0 && *n >= 2 && (s[0] == '"' || s[0] == '\'') && s[*n - 1] == s[0]) {
            s++;
            *n -= 2;
        }
    }
    return s;
}

/* Returns 1 when the two-digit d[0..2) is a département of metropolitan
 * France (01..95 without 20), or 2A / 2B. */
static int is_two_char_dep(const char *d)
{
    if (d[0] == '2' && (d[1] == 'A' || d[1] == 'B'))
        return 1;
    if (!is_digit(d[0]) || !is_digit(d[1]))
        return 0;
    int v = (d[0] - '0') * 10 + (d[1] - '0');
    return v >= 1 && v <= 95 && v != 20;
}

/* Returns 1 when d[0..3) is an overseas département, 971..976. */
static int is_overseas_dep(const char *d)
{
    return d[0] == '9' && d[1] == '7' && d[2] >= '1' && d[2] <= '6';
}

/* Returns the length of the département prefix of a commune-shaped code
 * (2 or 3), or 0 when the prefix is not a département. */
static size_t dep_prefix_len(const char *code)
{
    if (code[0] == '9' && code[1] == '7')
        return is_overseas_dep(code) ? 3 : 0;
    return is_two_char_dep(code) ? 2 : 0;
}

/* Returns 1 when code[0..5) has the shape of a commune code. */
static int is_commune_shape(const char *code)
{
    size_t dep = dep_prefix_len(code);
    return dep > 0 && all_digits(code + dep, 5 - dep);
}

/* Returns 1 when code (NUL-terminated) has the shape of a code of level. */
static int has_level_shape(ctg_level level, const char *code)
{
    size_t n = strlen(code);
    switch (level) {
    case CTG_LEVEL_COMMUNE:
        return n == 5 && is_commune_shape(code);
    case CTG_LEVEL_ARM:
        return ctg_code_is_arm(code);
    case CTG_LEVEL_IRIS:
        return n == 9 && is_commune_shape(code) && all_digits(code + 5, 4);
    case CTG_LEVEL_EPCI:
        return n == 9 && all_digits(code, 9);
    case CTG_LEVEL_DEP:
        return (n == 2 && is_two_char_dep(code)) || (n == 3 && is_overseas_dep(code));
    case CTG_LEVEL_REG:
        return n == 2 && all_digits(code, 2);
    case CTG_LEVEL_FR:
        return strcmp(code, "FR") == 0;
    case CTG_LEVEL_NONE:
    case CTG_LEVEL_PSEUDO:
        break;
    }
    return 0;
}

/* Width a purely numeric code of level is padded to (0: no padding). */
static size_t padded_width(ctg_level level, size_t n)
{
    switch (level) {
    case CTG_LEVEL_COMMUNE:
    case CTG_LEVEL_ARM:
        return 5;
    case CTG_LEVEL_IRIS:
    case CTG_LEVEL_EPCI:
        return 9;
    case CTG_LEVEL_DEP:
        return n == 3 ? 3 : 2;
    case CTG_LEVEL_REG:
        return 2;
    case CTG_LEVEL_NONE:
    case CTG_LEVEL_FR:
    case CTG_LEVEL_PSEUDO:
        break;
    }
    return 0;
}

/* Builds the candidate code from s[0..n) (n < CTG_CODE_MAX): zero-padded
 * when numeric and short, 2a/2b upper-cased, "fr" upper-cased. */
static void build_candidate(ctg_level level, const char *s, size_t n, char out[CTG_CODE_MAX])
{
    size_t width = padded_width(level, n);
    size_t pad = all_digits(s, n) && n > 0 && n < width ? width - n : 0;
    memset(out, '0', pad);
    memcpy(out + pad, s, n);
    out[pad + n] = '\0';
    if (out[0] == '2' && (out[1] == 'a' || out[1] == 'b'))
        out[1] = (char)(out[1] - 'a' + 'A');
    if (level == CTG_LEVEL_FR && strcmp(out, "fr") == 0)
        strcpy(out, "FR");
}

/* Copies s[0..n) into out, truncated to fit, NUL-terminated. */
static void copy_truncated(const char *s, size_t n, char out[CTG_CODE_MAX])
{
    if (n > CTG_CODE_MAX - 1)
        n = CTG_CODE_MAX - 1;
    if (n > 0)
        memcpy(out, s, n);
    out[n] = '\0';
}

int ctg_code_normalise(ctg_level level, const char *in, size_t len, char out[CTG_CODE_MAX])
{
    size_t n = len;
    const char *s = in ? trim_code(in, &n) : "";
    if (!in)
        n = 0;
    copy_truncated(s, n, out);
    if (level == CTG_LEVEL_PSEUDO)
        return 1;
    if (n == 0 || n > 9)
        return 0;
    char candidate[CTG_CODE_MAX];
    build_candidate(level, s, n, candidate);
    if (!has_level_shape(level, candidate))
        return 0;
    strcpy(out, candidate);
    return 1;
}

/* The arrondissement range code falls in, or NULL. */
static const arm_range *find_arm_range(const char *code)
{
    if (!code || strlen(code) != 5 || !all_digits(code, 5))
        return NULL;
    for (size_t i = 0; i < ARM_RANGE_COUNT; i++) {
        const arm_range *r = &arm_ranges[i];
        if (strcmp(code, r->first) >= 0 && strcmp(code, r->last) <= 0)
            return r;
    }
    return NULL;
}

int ctg_code_is_arm(const char *code)
{
    return find_arm_range(code) != NULL;
}

const char *ctg_arm_parent(const char *code)
{
    const arm_range *r = find_arm_range(code);
    return r ? r->parent : NULL;
}

int ctg_code_is_plm(const char *code)
{
    if (!code)
        return 0;
    for (size_t i = 0; i < ARM_RANGE_COUNT; i++) {
        if (strcmp(code, arm_ranges[i].parent) == 0)
            return 1;
    }
    return 0;
}

int ctg_code_dep(const char *code, char out[4])
{
    out[0] = '\0';
    if (!code)
        return 0;
    size_t n = strlen(code);
    if (n != 5 && n != 9)
        return 0;
    size_t dep = dep_prefix_len(code);
    if (dep == 0)
        return 0;
    memcpy(out, code, dep);
    out[dep] = '\0';
    return 1;
}
