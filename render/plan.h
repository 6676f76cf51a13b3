/*
 * plan.h - a territory's CTG action plan, read from a plan file
 * (samples/plans/README.md describes the format: UTF-8 CSV, `;`, header
 * `kind;number;title;indicators;note`, lines `plan`, `territory`, `period`,
 * `source`, then `axis`, `objective` and `action` in document order).
 *
 * The hierarchy is the order of lines: an objective belongs to the axis
 * above it, an action to the nearest objective above it within its axis (or
 * to the axis directly when none).
 *
 * Every string of a loaded plan is non-NULL ("" when the file leaves it
 * empty or has no such line).
 *
 * Ownership: ctg_plan_load returns a plan the caller frees with
 * ctg_plan_free; every string inside lives as long as it.
 */
#ifndef CTG_RENDER_PLAN_H
#define CTG_RENDER_PLAN_H

#include <stddef.h>

#include "core/error.h"

struct ctg_catalogue;

typedef struct ctg_plan_action {
    char *number;                /* as written ("12", "1.3"), never empty */
    char *title;                 /* never empty */
    char **indicators;           /* catalogue ids (may be none) */
    size_t nindicators;
    char *note;                  /* "" when none */
    int objective;               /* index in its axis's objectives; -1 when none */
    long line;                   /* its line in the plan file (1-based) */
} ctg_plan_action;

typedef struct ctg_plan_objective {
    char *number;                /* "" when the plan gives none (Gaillac-Graulhet) */
    char *title;                 /* never empty */
    char **indicators;           /* catalogue ids (the seed plans give none) */
    size_t nindicators;
    char *note;
    long line;                   /* its line in the plan file (1-based) */
} ctg_plan_objective;

typedef struct ctg_plan_axis {
    char *number;                /* "I", "1", never empty */
    char *title;                 /* never empty */
    char **indicators;           /* the axis's key figures (may be none) */
    size_t nindicators;
    char *note;
    ctg_plan_objective *objectives;
    size_t nobjectives;
    ctg_plan_action *actions;    /* in document order */
    size_t nactions;
    long line;                   /* its line in the plan file (1-based) */
} ctg_plan_axis;

typedef struct ctg_plan {
    char *title;                 /* the `plan` line */
    char *note;                  /* its note */
    char *territory;             /* the `territory` line's number: "epci:200066124";
                                    "" when none (a generic plan: report --territory) */
    char *territory_name;        /* its title */
    char *period;                /* "" when none */
    char *source;                /* the source document; "" when none */
    ctg_plan_axis *axes;
    size_t naxes;
    char sha256[65];             /* of the file's bytes, 64 hex digits */
} ctg_plan;

/*
 * Reads the plan at path (the whole file in memory: at most 1 MiB). A
 * malformed file is CTG_ERR_DATA naming the file and line: not UTF-8 (a BOM
 * and CRLF line ends are tolerated), a control character or line break
 * inside a field, an unclosed quote, not the plan header (the columns kind,
 * number, title, indicators and note, by name, in any order, other columns
 * ignored), an unknown or missing kind, a plan/territory/period/source line
 * twice or after the first axis, indicators on such a line, an objective or
 * action before any axis, an axis or action without a number or with the
 * number of an earlier one, an empty title on an axis, objective or action,
 * an indicator id twice on a line, a line of the wrong number of fields, no
 * `plan` line, no axis. The `territory`, `period` and `source` lines are
 * optional (samples/plans/README.md asks for a territory: tests/e2e/plans.sh
 * checks it). Blank lines (and lines of empty fields) are skipped. CTG_ERR_NOINPUT when the file cannot
 * be read. On failure *out is left alone.
 *
 * Indicator ids are only split (on `,`, blanks around them trimmed); the
 * caller checks them against the catalogue (ctg_plan_check).
 */
ctg_status ctg_plan_load(const char *path, ctg_plan **out, ctg_error *err);

/*
 * Checks that every indicator id of the plan's axes, objectives and actions
 * is in the catalogue. CTG_ERR_DATA otherwise, naming path (the plan file),
 * the line, the axis, objective or action (its number) and the unknown id.
 */
ctg_status ctg_plan_check(const ctg_plan *plan, const struct ctg_catalogue *cat,
                          const char *path, ctg_error *err);

/* Frees the plan; plan may be NULL. */
/* Calls fn(ctx, id) for each indicator id the plan names, in the order of
 * the plan: each axis's own, then its objectives', then its actions' (an id
 * named twice is passed twice). */
void ctg_plan_each_indicator(const ctg_plan *plan, void (*fn)(void *ctx, const char *id),
                             void *ctx);

void ctg_plan_free(ctg_plan *plan);

#endif
