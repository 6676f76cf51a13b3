/* common_opts.h - the long options every subcommand accepts; included by
 * the cmd_*.c files inside their option tables. */
#ifndef CTG_COMMON_OPTS_H
#define CTG_COMMON_OPTS_H
#define CTG_COMMON_LONG_OPTIONS                                                                    \
    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},                         \
        {"db", required_argument, NULL, 'D'}, {"schemas", required_argument, NULL, 'S'}
#endif
