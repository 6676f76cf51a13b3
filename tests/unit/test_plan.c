/* test_plan.c - render/plan.h: the plan files of samples/plans/. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/catalogue.h"
#include "render/plan.h"
#include "testutil.h"

#define GAILLAC CTG_SOURCE_DIR "/samples/plans/gaillac-graulhet.csv"
#define SAINT_JEAN CTG_SOURCE_DIR "/samples/plans/saint-jean.csv"
#define CATALOGUE CTG_SOURCE_DIR "/schemas/indicators.csv"

#define HEADER "kind;number;title;indicators;note\n"
#define META "plan;;Plan;;\nterritory;commune:31488;Saint-Jean;;\n"

static int group_setup(void **state)
{
    (void)state;
    return testutil_scratch("plan");
}

/* Writes len bytes to g_dir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Loads path; asserts success. */
static ctg_plan *load_ok(const char *path)
{
    ctg_plan *p = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_plan_load(path, &p, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_non_null(p);
    return p;
}

/* Writes text as a plan file and loads it; asserts success. */
static ctg_plan *parse_ok(const char *text, size_t len)
{
    return load_ok(write_file("ok.csv", text, len));
}

#define PARSE(lit) parse_ok(lit, sizeof(lit) - 1)

static ctg_catalogue *catalogue(void)
{
    ctg_catalogue *cat = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_catalogue_load(CATALOGUE, &cat, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    return cat;
}

/* The action numbered `number`, with its axis in *axis. */
static const ctg_plan_action *find_action(const ctg_plan *p, const char *number,
                                          const ctg_plan_axis **axis)
{
    for (size_t a = 0; a < p->naxes; a++)
        for (size_t i = 0; i < p->axes[a].nactions; i++)
            if (!strcmp(p->axes[a].actions[i].number, number)) {
                *axis = &p->axes[a];
                return &p->axes[a].actions[i];
            }
    fail_msg("no action %s", number);
    return NULL;
}

static size_t total_actions(const ctg_plan *p)
{
    size_t n = 0;
    for (size_t a = 0; a < p->naxes; a++)
        n += p->axes[a].nactions;
    return n;
}

static void test_gaillac_graulhet(void **state)
{
    (void)state;
    ctg_plan *p = load_ok(GAILLAC);
    assert_string_equal(p->title, "PLAN D'ACTION CONVENTION TERRITORIALE GLOBALE (CTG)");
    assert_string_equal(p->territory, "epci:200066124");
    assert_string_equal(p->territory_name, "CA Gaillac-Graulhet");
    assert_string_equal(p->period, "");
    assert_string_equal(p->source, "gaillac-graulhet-ctg-plan-action.txt");
    assert_non_null(strstr(p->note, "RENFORER"));

    static const char *const numbers[] = {"I", "II", "III", "IV", "V", "VI"};
    assert_int_equal(p->naxes, 6);
    size_t nobj = 0, without_action = 0, next = 1;
    for (size_t a = 0; a < p->naxes; a++) {
        const ctg_plan_axis *ax = &p->axes[a];
        assert_string_equal(ax->number, numbers[a]);
        nobj += ax->nobjectives;
        for (size_t o = 0; o < ax->nobjectives; o++) {
            assert_string_equal(ax->objectives[o].number, "");
            int used = 0;
            for (size_t i = 0; i < ax->nactions; i++)
                used |= ax->actions[i].objective == (int)o;
            without_action += !used;
            /* the note says so exactly where no action follows */
            assert_int_equal(!used, !strcmp(ax->objectives[o].note, "aucune action dans le plan"));
        }
        for (size_t i = 0; i < ax->nactions; i++) {
            char want[24];
            snprintf(want, sizeof want, "%zu", next++);
            assert_string_equal(ax->actions[i].number, want);
            /* none straight under an axis */
            assert_true(ax->actions[i].objective >= 0);
            assert_true((size_t)ax->actions[i].objective < ax->nobjectives);
        }
    }
    assert_int_equal(next - 1, 24);
    assert_int_equal(total_actions(p), 24);
    assert_int_equal(nobj, 24);
    assert_int_equal(without_action, 6);

    const ctg_plan_axis *iv = &p->axes[3];
    assert_non_null(strstr(iv->title, "RENFORER"));
    assert_string_equal(iv->title, "RENFORER LA SOLIDARITE ET LA COHESION SOCIALE, DEVELOPPER "
                                   "L'ACCES AUX DROITS");
    assert_int_equal(iv->nindicators, 6);
    assert_string_equal(iv->indicators[0], "poverty_rate");
    assert_string_equal(iv->indicators[5], "aah_rate");
    assert_string_equal(iv->note, "");

    const ctg_plan_axis *ax = NULL;
    const ctg_plan_action *a17 = find_action(p, "17", &ax);
    assert_ptr_equal(ax, iv);
    assert_string_equal(a17->title, "Accompagnement des familles en situation de vulnérabilité");
    assert_int_equal(a17->objective, 1);
    assert_string_equal(ax->objectives[a17->objective].title,
                        "Développer des solutions adaptées aux publics en situation de "
                        "vulnérabilité et/ou dans un parcours d'insertion");
    assert_int_equal(a17->nindicators, 6);
    assert_string_equal(a17->indicators[2], "low_income_population_share");
    assert_string_equal(a17->note, "");

    const ctg_plan_action *a12 = find_action(p, "12", &ax);
    assert_string_equal(ax->number, "II");
    assert_string_equal(ax->objectives[a12->objective].title,
                        "Favoriser l'autonomie, l'engagement et l'insertion des jeunes (16 – 25 "
                        "ans)");

    const ctg_plan_action *a3 = find_action(p, "3", &ax);
    assert_int_equal(a3->nindicators, 0);
    assert_null(a3->indicators);
    assert_string_equal(a3->note, "aucun indicateur du catalogue");
    assert_int_equal(a3->line, 11);
    assert_int_equal(p->axes[0].line, 6);
    ctg_plan_free(p);
}

static void test_saint_jean(void **state)
{
    (void)state;
    ctg_plan *p = load_ok(SAINT_JEAN);
    assert_string_equal(p->title, "Convention Territoriale Globale (2024-2028)");
    assert_string_equal(p->territory, "commune:31488");
    assert_string_equal(p->territory_name, "Saint-Jean");
    assert_string_equal(p->period, "2024-2028");
    assert_string_equal(p->source, "saint-jean-ctg-2024-2028.txt");
    assert_non_null(strstr(p->note, "39"));
    assert_non_null(strstr(p->note, "43"));

    static const size_t per_axis[] = {5, 9, 4, 3, 8, 4, 6};
    assert_int_equal(p->naxes, 7);
    for (size_t a = 0; a < p->naxes; a++) {
        const ctg_plan_axis *ax = &p->axes[a];
        char want[48];
        snprintf(want, sizeof want, "%zu", a + 1);
        assert_string_equal(ax->number, want);
        assert_int_equal(ax->nobjectives, 0);
        assert_null(ax->objectives);
        assert_int_equal(ax->nactions, per_axis[a]);
        for (size_t i = 0; i < ax->nactions; i++) {
            snprintf(want, sizeof want, "%zu.%zu", a + 1, i + 1);
            assert_string_equal(ax->actions[i].number, want);
            assert_int_equal(ax->actions[i].objective, -1);
        }
    }
    assert_int_equal(total_actions(p), 39);
    assert_string_equal(p->axes[0].title, "METTRE EN PLACE UN SERVICE PUBLIC DE LA PETITE ENFANCE");

    const ctg_plan_axis *ax = NULL;
    const ctg_plan_action *a = find_action(p, "1.1", &ax);
    assert_string_equal(a->title, "Une nouvelle Maison d\xE2\x80\x99" "Assistantes Maternelles");
    assert_string_equal(a->title, "Une nouvelle Maison d’Assistantes Maternelles");
    assert_int_equal(a->nindicators, 4);
    assert_string_equal(a->indicators[0], "childcare_coverage");
    assert_string_equal(a->indicators[3], "children_under_3");
    a = find_action(p, "3.4", &ax);
    assert_string_equal(a->title, "Des liens étroits avec le monde professionnel (recherche de "
                                  "stage et d’emploi, lutte contre le décrochage scolaire, "
                                  "acquisition de « soft skills »… )");
    assert_int_equal(p->axes[3].nindicators, 0);
    assert_string_equal(p->axes[3].note, "aucun indicateur du catalogue");
    ctg_plan_free(p);
}

static void test_check_shipped(void **state)
{
    (void)state;
    ctg_catalogue *cat = catalogue();
    const char *paths[] = {GAILLAC, SAINT_JEAN};
    for (size_t i = 0; i < 2; i++) {
        ctg_plan *p = load_ok(paths[i]);
        ctg_error err;
        ctg_error_clear(&err);
        ctg_status st = ctg_plan_check(p, cat, paths[i], &err);
        if (st != CTG_OK)
            print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
        assert_int_equal(st, CTG_OK);
        ctg_plan_free(p);
    }
    ctg_catalogue_free(cat);
}

static void test_check_unknown_id(void **state)
{
    (void)state;
    ctg_catalogue *cat = catalogue();
    ctg_plan *p = PARSE(HEADER META "axis;I;Axe;births;\n"
                        "objective;;Objectif;;\n"
                        "action;7;Action;pop_0_2, no_such_indicator;\n"); /* line 6 */
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_plan_check(p, cat, "the/plan.csv", &err), CTG_ERR_DATA);
    assert_string_equal(err.path, "the/plan.csv");
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.msg, "action 7"));
    assert_non_null(strstr(err.msg, "'no_such_indicator'"));
    ctg_plan_free(p);

    /* on an axis and on an objective too */
    p = PARSE(HEADER META "axis;II;Axe;births,bogus_axis;\n");
    ctg_error_clear(&err);
    assert_int_equal(ctg_plan_check(p, cat, "p.csv", &err), CTG_ERR_DATA);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.msg, "axis II"));
    assert_non_null(strstr(err.msg, "'bogus_axis'"));
    ctg_plan_free(p);
    p = PARSE(HEADER META "axis;II;Axe;births;\nobjective;;Objectif;bogus_objective;\n");
    ctg_error_clear(&err);
    assert_int_equal(ctg_plan_check(p, cat, "p.csv", &err), CTG_ERR_DATA);
    assert_int_equal(err.line, 5);
    assert_non_null(strstr(err.msg, "objective: unknown indicator 'bogus_objective'"));
    ctg_plan_free(p);
    ctg_catalogue_free(cat);
}

static void test_structure(void **state)
{
    (void)state;
    /* columns in another order, an extra column, blank lines and empty rows */
    ctg_plan *p = PARSE("note;extra;title;kind;indicators;number\n" /* 1 */
                        "\n"                                        /* 2 */
                        "la note;x;Le plan;plan;;\n"                /* 3 */
                        "Commune;;Saint-Jean;territory;;commune:31488\n"
                        ";;;;;\n"                                   /* 5 */
                        "   \n"                                     /* 6 */
                        ";;Axe un;axis; a , b,,c ;1\n"              /* 7 */
                        ";;Action directe;action;;1.1\n"            /* 8 */
                        ";;Objectif;objective;;o1\n"                /* 9 */
                        ";;Action sous objectif;action;a;1.2\n"     /* 10 */
                        ";;Axe deux;axis;;2\n"                      /* 11 */
                        ";;Action;action;;2.1");                    /* 12, no final LF */
    assert_string_equal(p->title, "Le plan");
    assert_string_equal(p->note, "la note");
    assert_string_equal(p->territory, "commune:31488");
    assert_string_equal(p->period, "");
    assert_string_equal(p->source, "");
    assert_int_equal(p->naxes, 2);
    const ctg_plan_axis *ax = &p->axes[0];
    assert_int_equal(ax->line, 7);
    assert_int_equal(ax->nindicators, 3);
    assert_string_equal(ax->indicators[0], "a");
    assert_string_equal(ax->indicators[1], "b");
    assert_string_equal(ax->indicators[2], "c");
    assert_int_equal(ax->nactions, 2);
    assert_int_equal(ax->actions[0].objective, -1);
    assert_int_equal(ax->actions[1].objective, 0);
    assert_int_equal(ax->actions[1].line, 10);
    assert_string_equal(ax->objectives[0].number, "o1");
    assert_int_equal(ax->objectives[0].line, 9);
    /* an objective of axis 1 is not one of axis 2 */
    assert_int_equal(p->axes[1].actions[0].objective, -1);
    assert_string_equal(p->axes[1].actions[0].title, "Action");
    assert_int_equal(p->axes[1].actions[0].line, 12);
    ctg_plan_free(p);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    ctg_plan *p = PARSE(HEADER META
                        "axis;\"I\";\"Axe ; avec \"\"guillemets\"\" et ; points-virgules\";"
                        "\"births,pop_0_2\";\"\"\n"
                        "action;1;  Le \"projet\" tel quel  ;;\"note ; \"\"citée\"\"\" \n"
                        "action;2;\"\"\"\";;\n");
    const ctg_plan_axis *ax = &p->axes[0];
    assert_string_equal(ax->number, "I");
    assert_string_equal(ax->title, "Axe ; avec \"guillemets\" et ; points-virgules");
    assert_int_equal(ax->nindicators, 2);
    assert_string_equal(ax->indicators[1], "pop_0_2");
    assert_string_equal(ax->note, "");
    /* unquoted: blanks around trimmed, a '"' inside kept */
    assert_string_equal(ax->actions[0].title, "Le \"projet\" tel quel");
    assert_string_equal(ax->actions[0].note, "note ; \"citée\"");
    assert_string_equal(ax->actions[1].title, "\"");
    ctg_plan_free(p);
}

static void test_crlf_and_bom(void **state)
{
    (void)state;
    ctg_plan *p = PARSE("\xEF\xBB\xBFkind;number;title;indicators;note\r\n"
                        "plan;;Plan;;\r\n"
                        "territory;epci:200066124;CA;;\r\n"
                        "\r\n"
                        "axis;I;\"Axe\";births;fin\r\n"
                        "action;1;Action d’été;;\r\n");
    assert_string_equal(p->territory, "epci:200066124");
    assert_string_equal(p->axes[0].title, "Axe");
    assert_string_equal(p->axes[0].note, "fin");
    assert_string_equal(p->axes[0].indicators[0], "births");
    assert_string_equal(p->axes[0].actions[0].title, "Action d’été");
    assert_string_equal(p->axes[0].actions[0].note, "");
    assert_int_equal(p->axes[0].actions[0].line, 6);
    ctg_plan_free(p);
}

typedef struct bad_case {
    const char *name;
    const char *text;
    long line;          /* expected error line */
    const char *needle; /* in the message */
} bad_case;

static const bad_case BAD_CASES[] = {
    {"empty file", "", 0, "empty"},
    {"blank file", "\n\n  \n", 0, "empty"},
    {"wrong header", "kind;num;title;indicators;note\n" META "axis;I;A;;\n", 1, "'number'"},
    {"semicolon header", "kind,number,title,indicators,note\n", 1, "not a plan file"},
    {"header twice a column", "kind;number;title;indicators;note;kind\n", 1, "'kind' twice"},
    {"action before axis", HEADER META "action;1;Action;;\naxis;I;A;;\n", 4, "before any axis"},
    {"objective before axis", HEADER META "objective;;Objectif;;\n", 4, "before any axis"},
    {"unknown kind", HEADER META "axe;I;A;;\n", 4, "unknown kind 'axe'"},
    {"no kind", HEADER META ";I;A;;\n", 4, "without a kind"},
    {"empty axis title", HEADER META "axis;I;;;\n", 4, "axis without a title"},
    {"blank action title", HEADER META "axis;I;A;;\naction;1;\"  \";;\n", 5,
     "action without a title"},
    {"empty objective title", HEADER META "axis;I;A;;\nobjective;;;;\n", 5,
     "objective without a title"},
    {"axis without number", HEADER META "axis;;A;;\n", 4, "axis without a number"},
    {"action without number", HEADER META "axis;I;A;;\naction;;B;;\n", 5,
     "action without a number"},
    {"axis number twice", HEADER META "axis;I;A;;\naxis;I;B;;\n", 5, "axis I already at line 4"},
    {"action number twice", HEADER META "axis;I;A;;\naction;1;B;;\naxis;II;C;;\naction;1;D;;\n",
     7, "action 1 already at line 5"},
    {"too few fields", HEADER META "axis;I;A;\n", 4, "4 fields where the header has 5"},
    {"too many fields", HEADER META "axis;I;A;;;\n", 4, "6 fields where the header has 5"},
    {"no axis", HEADER META, 0, "no axis"},
    {"no plan line", HEADER "territory;commune:31488;X;;\naxis;I;A;;\n", 0, "no 'plan' line"},
    {"plan twice", HEADER META "plan;;Q;;\n", 4, "second 'plan' line (the first at line 2)"},
    {"period after axis", HEADER META "axis;I;A;;\nperiod;;2024-2028;;\n", 5,
     "'period' line after the first axis"},
    {"indicators on meta", HEADER "plan;;P;births;\n", 2, "indicators on a 'plan' line"},
    {"indicator twice", HEADER META "axis;I;A;births, births;\n", 4, "'births' twice"},
    {"invalid UTF-8", HEADER META "axis;I;Axe \xE9t\xE9;;\n", 4, "not UTF-8 (byte 0xE9)"},
    {"invalid UTF-8 after BOM", "\xEF\xBB\xBF" HEADER "plan;;\xC3\x28;;\n", 2, "not UTF-8"},
    {"unclosed quote", HEADER META "axis;I;\"Axe;;\naction;1;A;;\n", 4, "not closed"},
    {"unclosed quote at end", HEADER META "axis;I;\"Axe", 4, "end of the file"},
    {"text after quote", HEADER META "axis;I;\"Axe\" bis;;\n", 4, "after the closing quote"},
    {"stray CR", HEADER META "axis;I;A\r;;\n", 4, "carriage return"},
    {"control char", HEADER META "axis;I;A\x01;;\n", 4, "control character 0x01"},
    {"NUL byte", HEADER META "axis;I;A\0B;;\n", 4, "control character 0x00"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof BAD_CASES / sizeof BAD_CASES[0]; i++) {
        const bad_case *c = &BAD_CASES[i];
        /* the NUL case has a NUL inside: measure the literal up to its final LF */
        size_t len = strlen(c->text);
        if (strstr(c->name, "NUL"))
            len += 1 + strlen(c->text + len + 1);
        const char *path = write_file("bad.csv", c->text, len);
        ctg_plan *p = (ctg_plan *)(uintptr_t)1; /* left alone on failure */
        ctg_error err;
        ctg_error_clear(&err);
        ctg_status st = ctg_plan_load(path, &p, &err);
        if (st != CTG_ERR_DATA || err.line != c->line || !strstr(err.msg, c->needle))
            print_error("case '%s': status %d, line %ld: %s\n", c->name, (int)st, err.line,
                        err.msg);
        assert_int_equal(st, CTG_ERR_DATA);
        assert_ptr_equal(p, (ctg_plan *)(uintptr_t)1);
        assert_string_equal(err.path, path);
        assert_int_equal(err.line, c->line);
        assert_non_null(strstr(err.msg, c->needle));
    }
}

/* A generic plan (schemas/plan_default.csv) leaves the territory to
 * report --territory: empty or no territory line. */
static void test_generic_plan(void **state)
{
    (void)state;
    ctg_plan *p = PARSE(HEADER "plan;;Plan;;\nterritory;;;;Donné par --territory.\n"
                               "axis;1;Axe;births;\n");
    assert_string_equal(p->territory, "");
    assert_string_equal(p->territory_name, "");
    ctg_plan_free(p);
    /* or has no territory line at all */
    p = PARSE(HEADER "plan;;Plan;;\naxis;1;Axe;births;\n");
    assert_string_equal(p->territory, "");
    assert_string_equal(p->territory_name, "");
    assert_string_equal(p->period, "");
    assert_string_equal(p->source, "");
    ctg_plan_free(p);
    if (access(CTG_SOURCE_DIR "/schemas/plan_default.csv", R_OK) == 0) {
        p = load_ok(CTG_SOURCE_DIR "/schemas/plan_default.csv");
        ctg_plan_free(p);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    ctg_plan *p = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_plan_load("/nonexistent/plan.csv", &p, &err), CTG_ERR_NOINPUT);
    assert_null(p);
    assert_string_equal(err.path, "/nonexistent/plan.csv");
    ctg_error_clear(&err);
    assert_int_equal(ctg_plan_load(g_dir, &p, &err), CTG_ERR_NOINPUT); /* a folder */
    assert_null(p);
    ctg_plan_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaillac_graulhet),
        cmocka_unit_test(test_saint_jean),
        cmocka_unit_test(test_check_shipped),
        cmocka_unit_test(test_check_unknown_id),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_generic_plan),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, group_setup, testutil_teardown);
}
