# Counts of one are singular in every message that can show one: "1 segment", "1 byte",
# "1 character", "1 day", "the 1 device ... is" (not "1 segments", "1 bytes", ...).
. "$(dirname "$0")/lib.sh"

akcred 1 jwt decode abc
assert_grep 'malformed: 1 segment; a compact JWS has exactly 3' out
akcred 1 jwt decode a.b.c
assert_grep 'header: 1 character is not a possible base64url length' out
akcred 1 jwt decode eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.AA
assert_grep '^signature: 1 byte, ' out
assert_grep 'the ES256 signature is 1 byte, not 64' out
akcred 0 keygen --cert c.pem --device-id dev1 --days 1
assert_grep '^certificate  c\.pem  \(CN=dev1, 1 day\)$' out
akcred 0 provision --out-dir b --count 1 --prefix d-
assert_grep "^1 new EC P-256 key in 'b'" out
akcred 0 provision --out-dir b --count 1 --prefix d-
assert_grep "^nothing to do: the 1 device in 'b' is provisioned and checks out$" out
for f in out err; do assert_no_grep '(^|[^0-9])1 [a-z]+s\b' "$f"; done
