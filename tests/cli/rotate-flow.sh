# rotate: every device of a registered batch gets a new key pair -- a new
# credential at akenza, the new files in place, the manifest updated, the
# old credential deleted -- and a rerun repeats nothing.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

rotate_setup 6 ec
old=$(cut -d, -f3 dev/manifest.csv | tail -n +2 | sort)
cp dev/dev-0001/private.pem old-private.pem
akcred 0 $ROT
assert_grep '^6 devices: 6 rotated, 0 with the old credential kept, 0 finished, 0 unchanged, 0 not started, 0 failed$' "$T/out"
assert_grep '^rotated +dev-0001  [0-9a-f]{12} -> [0-9a-f]{12}  credential ' "$T/out"
assert_no_grep '^hint:' "$T/out"
rotate_check --final
assert_eq "$(mock_stat credentials_added)" 12 "credentials added (6 registered, 6 new)"
assert_eq "$(mock_stat credentials_deleted)" 6 "credentials deleted"
# Every key is new, of the same type, with the modes provision gives.
new=$(cut -d, -f3 dev/manifest.csv | tail -n +2 | sort)
assert_eq "$(printf '%s\n%s\n' "$old" "$new" | sort -u | wc -l)" 12 "distinct fingerprints"
! cmp -s old-private.pem dev/dev-0001/private.pem || fail "the private key did not change"
assert_eq "$(mode_of dev/dev-0001/private.pem)" 600 "private key mode"
assert_eq "$(mode_of dev/dev-0001/public.pem)" 644 "public key mode"
grep -q 'BEGIN PRIVATE KEY' dev/dev-0001/private.pem || fail "not a PKCS#8 key"
assert_eq "$(py_fingerprint dev/dev-0003/private.pem)" "$(grep '^dev-0003,' dev/manifest.csv | cut -d, -f3)" "manifest row"
grep -q '^dev-0003,EC256_PEM,' dev/manifest.csv || fail "algorithm changed"
# The journal: five steps of each device, in order.
assert_eq "$(grep -c ',done,' dev/rotation.csv)" 6 "done rows"
assert_eq "$(grep '^dev-0002,' dev/rotation.csv | cut -d, -f2 | tr '\n' ' ')" "made uploaded swapped done " "steps of dev-0002"
# register's results and check still agree with the new manifest: nothing left to upload.
akcred 0 register --manifest dev/manifest.csv --workspace-id ws --api-url "$MOCK_URL" --ca-file "$MOCK_CA"
assert_grep '^6 devices: 0 registered, 6 already there' "$T/out"

# Rerun: nothing repeated, no request that changes anything.
before=$(mock_stat requests)
akcred 0 $ROT
assert_grep '^6 devices: 0 rotated, .* 6 unchanged, 0 not started, 0 failed$' "$T/out"
assert_grep "^hint: this journal's rotation is done for every device; to rotate them again, name a new journal with --journal$" "$T/out"
assert_eq "$(mock_stat requests)" "$before" "requests of a rerun"
rotate_check --final

# --json: the same result as one object.
akcred 0 $ROT --json
"$PYTHON" - "$T/out" <<'PY' || fail "--json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["total"] == 6 and j["unchanged"] == 6 and j["status"] == "ok", j
assert j["journal"].endswith("rotation.csv"), j
assert all(d["outcome"] == "unchanged" and d["step"] == "done" for d in j["devices"]), j
PY

# Into a pipe, no progress line.
assert_no_grep 'rotate: [0-9]+/' "$T/err"

# --type rsa: a new journal, a new rotation, RSA keys; on a terminal, with a
# progress line, erased before the summary.
"$PYTHON" "$TESTS/tools/ttyrun.py" -- "$AKCRED" $ROT --journal dev/rotation-2.csv --type rsa \
	>tty.out 2>&1 || { cat tty.out >&2; fail "run on a terminal"; }
grep -q "$(printf '\r')rotate: 6/6  6 rotated, 0 failed" tty.out ||
	{ cat -v tty.out >&2; fail "no progress line on the terminal"; }
grep -q "$(printf '\r\033\\[K')6 devices: 6 rotated," tty.out || { cat -v tty.out >&2; fail "summary"; }
grep -q '^dev-0001,RSA256_PEM,' dev/manifest.csv || fail "--type rsa: manifest algorithm"
rotate_check --final --uploads 3
