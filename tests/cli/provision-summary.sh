# provision's two summaries of one run: the text lines and the JSON object
# say the same counts, JSON in a fixed key order (bits for RSA, error when
# the run stopped), and a run stopped before any device has a JSON summary
# but no text one.
. "$(dirname "$0")/lib.sh"

# JSON with the seconds blanked out, one line.
json_shape() { # FILE
	"$PYTHON" - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
j["seconds"] = "S"
print(json.dumps(j))
PY
}

# (The rate is "N keys/s" or, on a slow or loaded machine, "N s/key": either.)
# A run that finishes an interrupted one: stale directory, recovered device,
# a device whose files are gone, a duplicate id and a bad one.
akcred 0 provision -o b --count 4 --prefix d-
grep -v '^d-4,' b/manifest.csv >m && cat m >b/manifest.csv
mkdir -m 700 b/.akcred-d-9.Xy12Zw
mv b/d-2 gone
printf 'd-1\nd-2\nd-3\nd-4\nd-5\nd-1\nbad/id\n' >ids.txt
akcred 1 provision -o b --ids ids.txt
cp "$T/out" text
assert_eq "$(cat text)" "removed 1 unfinished directory of an interrupted run
$(sed -n 2p text)
1 bad id, 1 duplicate, 1 failed device: see the messages above
manifest     b/manifest.csv" "text summary"
assert_grep "^1 new EC P-256 key in 'b', 1 finished from an interrupted run, 2 already provisioned \([0-9]+\.[0-9] s, [^)]+\)$" text
assert_eq "$(wc -l <"$T/err")" 3 "messages: the bad id, the duplicate, the failed device"

# The same state again, as JSON: d-2 still fails, the others check out.
akcred 1 provision -o b --ids ids.txt --jobs 2 --json
assert_eq "$(json_shape "$T/out")" '{"out_dir": "b", "manifest": "b/manifest.csv", "type": "ec", "curve": "P-256", "certificate": false, "encrypted": false, "token": null, "jobs": 2, "total": 7, "created": 0, "recovered": 0, "verified": 4, "invalid": 1, "duplicates": 1, "failed": 1, "stale_removed": 0, "done": 7, "seconds": "S", "status": "negative"}' \
	"JSON summary"
akcred 0 provision -o rsa --count 1 --prefix r- --type rsa --cert --jobs 1 --json
assert_eq "$(json_shape "$T/out")" '{"out_dir": "rsa", "manifest": "rsa/manifest.csv", "type": "rsa", "certificate": true, "encrypted": false, "token": null, "jobs": 1, "total": 1, "created": 1, "recovered": 0, "verified": 0, "invalid": 0, "duplicates": 0, "failed": 0, "stale_removed": 0, "done": 1, "seconds": "S", "bits": 2048, "status": "ok"}' \
	"RSA JSON summary"

# Stopped before any device (another run holds the batch): the error, and a
# JSON summary that carries it; no text summary.
command -v flock >/dev/null || skip "no flock(1)"
mv gone b/d-2
run 3 flock b "$AKCRED" provision -o b --ids ids.txt
assert_eq "$(cat "$T/err")" "akcred: provision: 'b' is in use by another akcred provision" "message"
[ ! -s "$T/out" ] || fail "a text summary of a run that did nothing: $(cat "$T/out")"
run 3 flock b "$AKCRED" provision -o b --ids ids.txt --jobs 1 --json
assert_eq "$(json_shape "$T/out")" '{"out_dir": "b", "manifest": "b/manifest.csv", "type": "ec", "curve": "P-256", "certificate": false, "encrypted": false, "token": null, "jobs": 1, "total": 7, "created": 0, "recovered": 0, "verified": 0, "invalid": 0, "duplicates": 0, "failed": 0, "stale_removed": 0, "done": 0, "seconds": "S", "status": "input", "error": "'"'"'b'"'"' is in use by another akcred provision"}' \
	"JSON summary of a stopped run"
