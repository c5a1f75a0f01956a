#!/usr/bin/python3
"""Run a command on a new pseudo-terminal and answer its prompts.

usage: ttyrun.py ANSWER... -- COMMAND [ARG...]
Each time the output ends with ': ' (a prompt), the next ANSWER is typed,
followed by a newline.  Everything the command prints is copied to stdout,
so a test can check that typed answers were not echoed.  Exits with the
command's status; gives up after 20 seconds."""
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
    deadline = time.time() + 20
    while time.time() < deadline:
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
        sys.exit("ttyrun: timed out")
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
