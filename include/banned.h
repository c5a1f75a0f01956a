/*
 * banned: functions that are easy to misuse, turned into compile errors
 * (after git's banned.h).  Included last by every source file of akcred.
 * Unbounded copies and formats overflow; strtok, gmtime and localtime keep
 * hidden static state; system and popen hand strings to a shell.
 */
#ifndef AKCRED_BANNED_H
#define AKCRED_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef system
#define system(s) BANNED(system)
#undef popen
#define popen(c, m) BANNED(popen)

#endif
