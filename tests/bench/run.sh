#!/bin/sh
# Run every benchmark tests/bench/*.sh (or those named) with $AKCRED, $PYTHON
# and $O set; each one's figures are also kept in $O/../bench/<name>.txt.
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
: "${AKCRED:?}" "${O:?}"
export AKCRED O PYTHON="${PYTHON:-/usr/bin/python3}"
out=$(dirname "$O")/bench
mkdir -p "$out"
if [ $# -gt 0 ]; then
	benches=""
	for b in "$@"; do benches="$benches $dir/${b%.sh}.sh"; done
else
	benches=$(ls "$dir"/*.sh | grep -v '/run.sh$')
fi
status=0
for b in $benches; do
	n=$(basename "$b" .sh)
	echo "### $n"
	sh "$b" | tee "$out/$n.txt" || status=1
done
exit $status
