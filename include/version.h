/* version: akcred's version; the Makefile may override it from git describe. */
#ifndef AKCRED_VERSION_H
#define AKCRED_VERSION_H
#ifndef AKCRED_VERSION
#define AKCRED_VERSION "0.1.0"
#endif
#endif
