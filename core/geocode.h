/*
 * geocode.h - geographic levels and the codes that name their units.
 *
 * Codes are text, never integers: Corsica is 2A / 2B. Spreadsheet round trips
 * drop leading zeros ("1001" for "01001"); ctg_code_normalise pads numeric
 * codes back to the width of their level. Paris, Lyon and Marseille have
 * arrondissements municipaux (ARM) besides their commune code.
 */
#ifndef CTG_GEOCODE_H
#define CTG_GEOCODE_H

#include <stddef.h>

typedef enum ctg_level {
    CTG_LEVEL_NONE = 0,  /* not a level (parse failure) */
    CTG_LEVEL_COMMUNE,   /* 5 characters: 81099, 2A004, 97101 */
    CTG_LEVEL_ARM,       /* arrondissement municipal: 75101..75120, 69381..69389, 13201..13216 */
    CTG_LEVEL_IRIS,      /* 9 characters: commune code + 4 digits */
    CTG_LEVEL_EPCI,      /* SIREN, 9 digits */
    CTG_LEVEL_DEP,       /* 2 characters (01..95, 2A, 2B) or 3 (971..976) */
    CTG_LEVEL_REG,       /* 2 digits */
    CTG_LEVEL_FR,        /* France: code "FR" */
    CTG_LEVEL_PSEUDO     /* not a place: 99999, XXXXX, empty code, ZZZZZZZZZ... */
} ctg_level;

#define CTG_CODE_MAX 16  /* bytes for any normalised code plus NUL */

/* Returns the level's name as in the CLI contract ("commune", "arm", "iris",
 * "epci", "dep", "reg", "fr", "pseudo"), or "none". */
const char *ctg_level_name(ctg_level level);

/* Parses a level name (case-insensitive); CTG_LEVEL_NONE if unknown. */
ctg_level ctg_level_parse(const char *name);

/*
 * Normalises a code of the given level into out (NUL-terminated): trims ASCII
 * blanks and surrounding quotes, upper-cases 2a/2b, pads a purely numeric code
 * that lost its leading zeros (commune 5, IRIS 9, EPCI 9, région 2,
 * département 2, or 3 for 971..976 given as 971..976). Returns 1 when the
 * result has the shape of a code of that level, 0 otherwise (out then holds the
 * trimmed input, truncated to fit). For CTG_LEVEL_COMMUNE, an arrondissement
 * code is accepted (it has the commune shape); see ctg_code_is_arm.
 */
int ctg_code_normalise(ctg_level level, const char *in, size_t len, char out[CTG_CODE_MAX]);

/* Returns 1 when code (a normalised 5-character code) is one of the 45
 * arrondissements municipaux of Paris, Lyon and Marseille. */
int ctg_code_is_arm(const char *code);

/* Returns the commune code (75056, 69123, 13055) an arrondissement belongs to,
 * or NULL when code is not an arrondissement. */
const char *ctg_arm_parent(const char *code);

/* Returns 1 when code is one of the three communes that have arrondissements. */
int ctg_code_is_plm(const char *code);

/* Returns the département of a normalised commune, arrondissement or IRIS code
 * into out ("81", "2A", "971"); 0 when the code has no département. */
int ctg_code_dep(const char *code, char out[4]);

#endif
