/* The parse floor of bench/run.sh: parse every file with libcsv and count its
 * rows and fields, nothing else (no decoding, no number parsing, no storage).
 * The same loop as csvcount.c in ../shared/bench/README.md, which measured the
 * peers' floor (libcsv 3.0.3, default options, 1 MiB reads).
 *
 *   cc -O2 -o csvparse bench/csvparse.c -lcsv
 *   csvparse FILE...      one line per file, then TOTAL bytes rows fields
 *
 * The delimiter of each file is ';' or ',', whichever its first line holds
 * more of (';' on a tie); a first line with neither (the title lines of a
 * table d'appartenance) defers to the first 64 KiB. Exit 1 on an unreadable
 * file or a libcsv error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>

enum { BUF = 1 << 20, SNIFF = 1 << 16 };

static unsigned long long fields, rows;

static void on_field(void *s, size_t len, void *d)
{
    (void)s;
    (void)len;
    (void)d;
    fields++;
}

static void on_row(int c, void *d)
{
    (void)c;
    (void)d;
    rows++;
}

static unsigned char sniff(const char *buf, size_t n)
{
    size_t semi = 0, comma = 0, j;
    for (j = 0; j < n && buf[j] != '\n'; j++) {
        semi += buf[j] == ';';
        comma += buf[j] == ',';
    }
    if (semi == 0 && comma == 0) {
        for (j = 0; j < n && j < SNIFF; j++) {
            semi += buf[j] == ';';
            comma += buf[j] == ',';
        }
    }
    return comma > semi ? ',' : ';';
}

int main(int argc, char **argv)
{
    char *buf = malloc(BUF);
    unsigned long long bytes = 0;
    int i;

    if (buf == NULL) {
        perror("csvparse");
        return 1;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: csvparse FILE...\n");
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct csv_parser p;
        unsigned long long f0 = fields, r0 = rows;
        unsigned char delim;
        FILE *f = fopen(argv[i], "rb");
        size_t n;

        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        n = fread(buf, 1, BUF, f);
        delim = sniff(buf, n);
        if (csv_init(&p, 0) != 0) {
            fprintf(stderr, "csvparse: csv_init failed\n");
            return 1;
        }
        csv_set_delim(&p, delim);
        while (n > 0) {
            bytes += n;
            if (csv_parse(&p, buf, n, on_field, on_row, NULL) != n) {
                fprintf(stderr, "%s: %s\n", argv[i], csv_strerror(csv_error(&p)));
                return 1;
            }
            n = fread(buf, 1, BUF, f);
        }
        if (ferror(f)) {
            perror(argv[i]);
            return 1;
        }
        csv_fini(&p, on_field, on_row, NULL);
        csv_free(&p);
        fclose(f);
        printf("%s\t%c\t%llu rows\t%llu fields\n", argv[i], delim, rows - r0, fields - f0);
    }
    printf("TOTAL\t%llu bytes\t%llu rows\t%llu fields\n", bytes, rows, fields);
    free(buf);
    return 0;
}
