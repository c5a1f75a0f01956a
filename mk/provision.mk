# provision: worker threads (glibc 2.34+ has them in libc; -pthread keeps older
# systems and other libcs right).
LIBS_EXTRA += -pthread
