/* conf.c - reader of the `[section]` / `key = value` files of schemas/. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

struct ctg_conf {
    char *path;
    char *text;              /* the file's bytes, NUL-terminated */
    char *storage;           /* copy of text cut into NUL-terminated pieces */
    ctg_conf_entry *entries;
    size_t count, cap;
};

static ctg_status conf_push(ctg_conf *c, const char *section, const char *key, const char *value,
                            long line)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        ctg_conf_entry *e = realloc(c->entries, cap * sizeof *e);
        if (!e)
            return CTG_ERR_NOMEM;
        c->entries = e;
        c->cap = cap;
    }
    c->entries[c->count++] = (ctg_conf_entry){section, key, value, line};
    return CTG_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int is_key(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

/* Parses one line in place; section is in/out. */
static ctg_status conf_line(ctg_conf *c, char *line, long lineno, const char **section,
                            ctg_error *err)
{
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return CTG_OK;
    if (*s == '[') {
        size_t n = strlen(s);
        if (n < 3 || s[n - 1] != ']')
            return ctg_fail(err, CTG_ERR_SCHEMA, c->path, lineno, "a section line reads [name]");
        s[n - 1] = '\0';
        s = trim(s + 1);
        if (!is_key(s))
            return ctg_fail(err, CTG_ERR_SCHEMA, c->path, lineno,
                            "section name '%s' is not a lower-case word", s);
        *section = s;
        return CTG_OK;
    }
    char *eq = strchr(s, '=');
    if (!eq)
        return ctg_fail(err, CTG_ERR_SCHEMA, c->path, lineno,
                        "expected 'key = value', '[section]' or a '#' comment");
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    if (!is_key(key))
        return ctg_fail(err, CTG_ERR_SCHEMA, c->path, lineno,
                        "key '%s' is not a lower-case word", key);
    ctg_status st = conf_push(c, *section, key, value, lineno);
    if (st != CTG_OK)
        return ctg_fail(err, st, c->path, lineno, "out of memory");
    return CTG_OK;
}

ctg_status ctg_conf_parse(const char *path, const char *text, size_t len, ctg_conf **out,
                          ctg_error *err)
{
    ctg_status st = CTG_ERR_NOMEM;
    ctg_conf *c = calloc(1, sizeof *c);
    if (!c)
        goto fail;
    c->path = strdup(path);
    c->text = malloc(len + 1);
    c->storage = malloc(len + 1);
    if (!c->path || !c->text || !c->storage)
        goto fail;
    memcpy(c->text, text, len);
    c->text[len] = '\0';
    memcpy(c->storage, text, len);
    c->storage[len] = '\0';
    if (memchr(text, '\0', len)) {
        st = ctg_fail(err, CTG_ERR_SCHEMA, path, 0, "NUL byte in a schema file");
        goto fail;
    }
    const char *section = "";
    long lineno = 0;
    char *p = c->storage;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        st = conf_line(c, p, lineno, &section, err);
        if (st != CTG_OK)
            goto fail;
        if (!nl)
            break;
        p = nl + 1;
    }
    *out = c;
    return CTG_OK;
fail:
    if (st == CTG_ERR_NOMEM)
        ctg_fail(err, st, path, 0, "out of memory");
    ctg_conf_free(c);
    return st;
}

ctg_status ctg_conf_load(const char *path, ctg_conf **out, ctg_error *err)
{
    ctg_buf text = CTG_BUF_INIT;
    ctg_status st = CTG_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (ctg_buf_append(&text, chunk, n) != CTG_OK) {
            st = ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
            goto cleanup;
        }
    }
    if (ferror(f)) {
        st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "read error: %s", strerror(errno));
        goto cleanup;
    }
    st = ctg_conf_parse(path, ctg_buf_str(&text), text.len, out, err);
cleanup:
    fclose(f);
    ctg_buf_free(&text);
    return st;
}

size_t ctg_conf_count(const ctg_conf *conf)
{
    return conf->count;
}

const ctg_conf_entry *ctg_conf_entry_at(const ctg_conf *conf, size_t i)
{
    return i < conf->count ? &conf->entries[i] : NULL;
}

const char *ctg_conf_get(const ctg_conf *conf, const char *section, const char *key)
{
    for (size_t i = 0; i < conf->count; i++)
        if (!strcmp(conf->entries[i].section, section) && !strcmp(conf->entries[i].key, key))
            return conf->entries[i].value;
    return NULL;
}

const char *ctg_conf_path(const ctg_conf *conf)
{
    return conf->path;
}

const char *ctg_conf_text(const ctg_conf *conf)
{
    return conf->text;
}

void ctg_conf_free(ctg_conf *conf)
{
    if (!conf)
        return;
    free(conf->path);
    free(conf->text);
    free(conf->storage);
    free(conf->entries);
    free(conf);
}
