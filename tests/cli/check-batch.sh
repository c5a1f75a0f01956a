# check --manifest: every device of a provisioned batch against one broker, some of them
# not registered with it: exactly those are named, with exit class 7; the results file
# makes a rerun check only the devices that failed; --all checks all; a key that changed
# is checked again; --json gives the same in one object.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/check.lib"
check_broker
# A few hundred devices; under valgrind, which runs the threads one at a time, fewer.
n=300
[ -z "${AKCRED_VALGRIND:-}" ] || n=24
"$AKCRED" provision --out-dir b --count "$n" --prefix p >/dev/null
# The broker knows every device but those whose id ends in 7.
: >unregistered
for d in b/p*/; do
	id=$(basename "$d")
	case $id in
	*7) echo "$id" >>unregistered ;;
	*) broker_register "$id" "$d/public.pem" ;;
	esac
done
bad=$(wc -l <unregistered)
good=$((n - bad))
set -- --manifest b/manifest.csv --host localhost --port "$BROKER_PORT" --ca-file "$CA"

akcred 1 check "$@" --jobs 8
assert_eq "$(grep -c '^ok  ' out)" "$good" "devices passed"
sed -n 's/^failed  \([^ ]*\)  connack: .*CONNACK 5, not authorised (exit 7)$/\1/p' out | sort >named
cmp -s named unregistered || { diff named unregistered >&2; fail "the failed devices are not exactly the unregistered ones"; }
assert_eq "$(grep -c '^failed' out)" "$bad" "devices failed"
assert_grep "^  hint: the token passes every local check: is the key with fingerprint [0-9a-f]{64} registered with the broker for device 'p[0-9]*7'\?$" out
assert_grep "^$n devices: $good passed, $bad failed, 0 skipped \(passed before\), 0 not checked " out
assert_grep '^results     b/checked.csv$' out
[ ! -s err ] || { cat err >&2; fail "a batch that ran prints no error"; }
# One row per device checked, each with its outcome and the class it would exit with alone.
assert_eq "$(head -n 1 b/checked.csv)" "device_id,fingerprint,result,status,phase,checked,error"
assert_eq "$(grep -c ',passed,0,,' b/checked.csv)" "$good" "rows of passed devices"
assert_eq "$(grep -c ',failed,7,connack,' b/checked.csv)" "$bad" "rows of failed devices"

# The rerun checks only the failed ones; once registered, they pass.
first=$(head -n 1 unregistered)
broker_register "$first" "b/$first/public.pem"
akcred 1 check "$@"
assert_eq "$(grep -c '^ok  ' out)" 1 "devices passed on the rerun"
assert_grep "^ok      $first  " out
assert_eq "$(grep -c '^failed' out)" "$((bad - 1))" "devices failed on the rerun"
assert_grep "^$n devices: 1 passed, $((bad - 1)) failed, $((good)) skipped \(passed before\), 0 not checked " out
while read -r id; do
	broker_register "$id" "b/$id/public.pem"
done <unregistered
akcred 0 check "$@"
assert_grep "^$n devices: $((bad - 1)) passed, 0 failed, $((good + 1)) skipped " out
akcred 0 check "$@"
assert_grep "^$n devices: 0 passed, 0 failed, $n skipped " out
assert_no_grep '^(ok|failed)  ' out

# A device whose key changed (a new key and its fingerprint in the manifest) is checked
# again; a private key that is not the manifest's fails, as an input error, once checked.
id=$(sed -n 2p b/manifest.csv | cut -d, -f1)
second=$(sed -n 3p b/manifest.csv | cut -d, -f1)
"$AKCRED" keygen --force --private "b/$id/private.pem" --public "b/$id/public.pem" >/dev/null
fp=$("$AKCRED" fingerprint "b/$id/public.pem")
awk -F, -v OFS=, -v fp="$fp" -v id="$id" '$1 == id { $3 = fp } { print }' b/manifest.csv >m.csv
cat m.csv >b/manifest.csv
broker_register "$id" "b/$id/public.pem"
"$AKCRED" keygen --force --private "b/$second/private.pem" --public other.pub >/dev/null
akcred 0 check "$@" --jobs 1
assert_grep "^ok      $id  " out
assert_grep "^$n devices: 1 passed, 0 failed, $((n - 1)) skipped " out
akcred 1 check "$@" --all
assert_grep "^failed  $second  token: 'b/$second/private.pem' is not the key the manifest lists: its fingerprint is [0-9a-f]{64}, the manifest's [0-9a-f]{64} \(exit 3\)$" out
assert_grep "^$n devices: $((n - 1)) passed, 1 failed, 0 skipped " out

# --json: one object with every device, the failed one with its phase, class and reason.
akcred 1 check "$@" --json
"$PYTHON" - "$n" "$second" out <<'EOF'
import json, sys
n, second = int(sys.argv[1]), sys.argv[2]
j = json.load(open(sys.argv[3]))
assert j["total"] == n and j["failed"] == 1 and j["passed"] == 0, j
assert j["skipped"] == n - 1 and j["not_checked"] == 0, j
assert j["status"] == 1 and j["status_name"] == "negative", j
assert j["results"] == "b/checked.csv", j
assert len(j["devices"]) == n, j
assert all(d["ok"] and d["result"] == "skipped" for d in j["devices"] if d["device_id"] != second), j
bad = [d for d in j["devices"] if not d["ok"]]
assert len(bad) == 1 and bad[0]["device_id"] == second, bad
d = bad[0]
assert d["result"] == "failed" and d["phase"] == "token" and d["status"] == 3, d
assert d["status_name"] == "input" and "is not the key the manifest lists" in d["error"], d
assert all(len(x["fingerprint"]) == 64 for x in j["devices"]), j
EOF
# The failure of one connection, as the check of the device alone gives it.
rm -rf "$KEYS_DIR/$id"
akcred 1 check "$@" --json --all
"$PYTHON" - "$id" out <<'EOF'
import json, sys
j = json.load(open(sys.argv[2]))
d = [x for x in j["devices"] if x["device_id"] == sys.argv[1]][0]
assert not d["ok"] and d["phase"] == "connack" and d["status"] == 7, d
assert d["status_name"] == "refused" and "CONNACK 5" in d["error"] and "hint" in d, d
assert j["failed"] == 2 and j["passed"] == j["total"] - 2 and j["skipped"] == 0, j
EOF
