#!/bin/sh
# Run every benchmark in tests/bench (or those named) and keep their output
# in $O/bench/<name>.txt.  Each prints its own table of figures.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
: "${AKCRED:?}" "${O:?}"
export AKCRED O PYTHON="${PYTHON:-/usr/bin/python3}" BENCH_LIB="$dir/lib.sh"
mkdir -p "$O/bench"
if [ $# -gt 0 ]; then names="$*"; else names=$(cd "$dir" && ls *.sh | grep -v -e '^run.sh$' -e '^lib.sh$' | sed 's/\.sh$//'); fi
for n in $names; do
	echo "== bench: $n"
	sh "$dir/$n.sh" | tee "$O/bench/$n.txt"
done
