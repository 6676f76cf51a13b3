/*
 * number.h - numbers as CAF and INSEE files write them.
 *
 * Accepted: optional ASCII blanks around; an optional sign; digits, possibly
 * in groups of three separated by U+202F (narrow no-break space), U+00A0
 * (no-break space) or one ASCII space ("4 516 797"); a decimal mark, which is
 * either '.' or ',' for the whole file (the caller keeps it in *decimal_mark:
 * 0 until the first number that shows one, then fixed); an optional exponent
 * (e/E) after the mantissa, with either mark ("1.5E3", "1,5E3"); an optional '%'
 * suffix, possibly after a blank.
 * Not accepted: anything else (letters, two marks, "1.234,5", inf, nan, hex).
 *
 * The conversion is correctly rounded: Clinger's fast path (up to 19 digits
 * read as an integer that fits in 2^53, times or divided by an exact power of
 * ten up to 1e22), strtod in the C locale otherwise.
 */
#ifndef CTG_NUMBER_H
#define CTG_NUMBER_H

#include <stddef.h>

typedef enum ctg_num_result {
    CTG_NUM_OK = 0,        /* *out holds the value */
    CTG_NUM_EMPTY,         /* only blanks: the caller decides missing or secret */
    CTG_NUM_INVALID,       /* not a number */
    CTG_NUM_OTHER_MARK     /* a number with the decimal mark the file does not use */
} ctg_num_result;

#define CTG_NUM_PERCENT 1  /* flag: the text ended with '%' */

/*
 * Parses s[0..n) (UTF-8, not necessarily NUL-terminated). decimal_mark is in
 * and out: 0 = not yet known (set to '.' or ',' by the first number that has
 * a fractional part), or '.' or ','. *flags receives CTG_NUM_PERCENT when a
 * '%' suffix was present (the value is not divided by 100). flags may be NULL.
 */
ctg_num_result ctg_parse_number(const char *s, size_t n, char *decimal_mark, double *out,
                                int *flags);

/*
 * The same as ctg_parse_number, without its shortcut for plain numbers
 * ("-123", "45.678"): every text through the general scanner. The two give
 * the same results, the same value to the bit; tests and the fuzz target
 * compare them.
 */
ctg_num_result ctg_parse_number_general(const char *s, size_t n, char *decimal_mark, double *out,
                                        int *flags);

/*
 * Writes v in the shortest form that reads back exactly, at most 17
 * significant digits ("%.15g" when that round-trips, else %.16g, else %.17g),
 * with '.' as decimal mark. Returns the length written (buf holds >= 32 bytes).
 */
int ctg_format_double(double v, char *buf, size_t size);

/* U+202F NARROW NO-BREAK SPACE, the French thousands separator, as UTF-8. */
#define CTG_NNBSP "\xE2\x80\xAF"

/*
 * Writes v for a French reader: rounded to `decimals` (0..9) digits after a
 * comma, the integer part in groups of three separated by U+202F: 16080 with
 * 0 gives "16 080", 59.63 with 1 gives "59,6", -1234.5 with 1 gives
 * "-1 234,5"; a value that rounds to zero has no sign. A value that is not
 * finite gives "". Rounding is that of printf on the binary value. Returns
 * the length written (truncated to size - 1; 64 bytes always suffice for a
 * magnitude below 1e40).
 */
int ctg_format_fr(double v, int decimals, char *buf, size_t size);

/* Parses a year (1900..2100) written alone ("2021"); returns 0 if not one. */
int ctg_parse_year(const char *s);

#endif
