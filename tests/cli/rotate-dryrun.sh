# rotate --dry-run: what each device would go through, from where the
# journal left it; nothing changed, no request sent, so no API key needed.
# And the usage errors.
. "$(dirname "$0")/lib.sh"
. "$TESTS/tools/mockakenza.sh"
. "$TESTS/cli/rotate.lib"

rotate_setup 3 ec
sums() {
	find dev -type f | sort | xargs sha256sum
}
sums >before
posts=$(mock_stat posts)
akcred 0 $ROT --dry-run
assert_grep '^device dev-0001: at step .none., fingerprint [0-9a-f]{64}$' "$T/out"
assert_grep '^  make a new key pair beside the current one$' "$T/out"
assert_grep '^  delete the old credential$' "$T/out"
assert_no_grep 'log in to the broker' "$T/out"
assert_grep '^dry run: 3 of 3 devices to rotate, 0 unchanged, 0 failed; nothing changed$' "$T/out"
sums >after
cmp -s before after || { diff before after >&2; fail "--dry-run changed files"; }
[ ! -e dev/rotation.csv ] || fail "--dry-run made a journal"
assert_eq "$(mock_stat posts)" "$posts" "POSTs of a dry run"

# Half-way (--keep-old): a dry run starts each device where it stands.
akcred 0 $ROT --keep-old
akcred 0 $ROT --dry-run --json
"$PYTHON" - "$T/out" <<'PY' || fail "--dry-run --json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["dry_run"] is True and j["total"] == 3, j
assert all(d["outcome"] == "dry-run" and d["from_step"] == "swapped" for d in j["devices"]), j
PY
sums >before
deletes=$(mock_stat deletes)
akcred 0 $ROT --finish --dry-run
assert_grep '^device dev-0002: at step .swapped.' "$T/out"
assert_eq "$(grep -c '^  ' "$T/out")" 3 "steps shown (one delete each)"
sums >after
cmp -s before after || fail "--finish --dry-run changed files"
assert_eq "$(mock_stat deletes)" "$deletes" "DELETEs of a dry run"

# Usage.
akcred 2 rotate --workspace-id ws
assert_grep '^akcred: rotate: --manifest is required' "$T/err"
akcred 2 $ROT --finish --keep-old
akcred 2 $ROT --host localhost
assert_grep 'the broker options go with --verify-login' "$T/err"
akcred 2 $ROT --expires 2001-01-01T00:00:00Z
assert_grep 'not in the future' "$T/err"
akcred 2 $ROT --bits 3072
akcred 2 rotate --manifest dev/manifest.csv --workspace-id ws --api-url http://127.0.0.1:1
assert_grep 'must be an https:// URL' "$T/err"
unset AKCRED_API_KEY
akcred 2 $ROT
assert_grep 'no API key' "$T/err"
# A dry run reads the manifest and the journal and sends nothing: it needs no key.
n=$(mock_stat requests)
akcred 0 $ROT --dry-run
assert_eq "$(mock_stat requests)" "$n" "requests of a dry run"
assert_grep '^device dev-0001: at step .swapped.' "$T/out"
assert_grep '^dry run: 3 of 3 devices to rotate, 0 unchanged, 0 failed; nothing changed$' "$T/out"
assert_no_grep 'API key' "$T/err"
akcred 3 rotate --manifest missing.csv --workspace-id ws --api-url "$MOCK_URL" --api-key-file "$T/apikey"
