# check --manifest when the broker cannot be reached for the run as a whole -- nothing
# listens, or its certificate is not trusted -- says so once (exit 5, 6), not once per
# device, records nothing, and a rerun checks every device.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker
check_batch 40 d
port=$(free_port)

akcred 5 check --manifest b/manifest.csv --host localhost --port "$port" --ca-file "$CA"
assert_eq "$(grep -c '^akcred: ' err)" 1 "errors"
assert_grep "^akcred: check: connection to 127\.0\.0\.1:$port refused$" err
assert_grep '^  hint: nothing listens on ' err
assert_no_grep '^(ok|failed)  ' out
assert_grep '^40 devices: 0 passed, 0 failed, 0 skipped \(passed before\), 40 not checked ' out
assert_eq "$(wc -l <b/checked.csv)" 1 "lines of the results file"

# A CA that did not issue the broker's certificate: TLS fails for every device alike.
broker_pki "$T/other"
akcred 6 check --manifest b/manifest.csv --host localhost --port "$BROKER_PORT" \
	--ca-file "$T/other/ca.pem" --json
assert_eq "$(grep -c '^akcred: ' err)" 1 "errors"
assert_grep '^akcred: check: server certificate rejected: ' err
"$PYTHON" - out <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == 6 and j["status_name"] == "tls", j
assert j["not_checked"] == 40 and j["passed"] == 0 and j["failed"] == 0, j
assert "server certificate rejected" in j["error"], j
assert all(d["result"] == "not_checked" and not d["ok"] for d in j["devices"]), j
PY

# Reachable again: every device is checked.
akcred 0 check --manifest b/manifest.csv --host localhost --port "$BROKER_PORT" --ca-file "$CA"
assert_eq "$(grep -c '^ok  ' out)" 40 "devices passed"
