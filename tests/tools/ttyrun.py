#!/usr/bin/python3
"""Run a command on a new pseudo-terminal and answer its prompts.

usage: ttyrun.py ANSWER... -- COMMAND [ARG...]
Each time the output ends with ': ' (a prompt), the next ANSWER is typed,
followed by a newline.  Everything the command prints is copied to stdout,
so a test can check that typed answers were not echoed.  Exits with the
command's status.  Gives up after $WAIT_LIMIT seconds (wait.lib's limit:
only against a hang, never a measure of speed; 60, 600 under valgrind)."""
import os
import pty
import select
import sys
import time


def main():
    sep = sys.argv.index("--")
    answers, argv = sys.argv[1:sep], sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    limit = os.environ.get("WAIT_LIMIT") or (600 if os.environ.get("AKCRED_VALGRIND") else 60)
    deadline = time.monotonic() + float(limit)
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        seen += chunk
        if seen.rstrip().endswith(b":") and answers:
            time.sleep(0.05)
            os.write(fd, answers.pop(0).encode() + b"\n")
            seen = b""
    else:
        os.kill(pid, 9)
        sys.exit("ttyrun: no end after %s s" % limit)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
