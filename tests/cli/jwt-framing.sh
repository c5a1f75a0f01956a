# How a token comes in, the same for jwt decode, jwt verify and check
# --token-file, and as the broker (which compares bytes) sees it: one final
# line end of a file or stdin is framing; any other white space, a NUL or a
# second token is an error with its own code.  Too long is a rejected token
# (exit 1), however large the file.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt
AT=1764000060

akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000
tok=$(cat out)

# in_all STATUS CODE FILE: jwt verify @FILE and jwt decode <FILE (the same
# reader serves "-", checked below) exit STATUS, reporting CODE (unless "-").
in_all() {
	akcred "$1" jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT @"$3"
	[ "$2" = - ] || assert_grep "^  error +$2: " out
	run "$1" "$AKCRED" jwt decode --at $AT <"$3"
	[ "$2" = - ] || assert_grep "^  error +$2: " out
}

printf '%s\n' "$tok" >lf && in_all 0 - lf
printf '%s\r\n' "$tok" >crlf && in_all 0 - crlf
run 0 "$AKCRED" jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT - <crlf
akcred 0 jwt decode --at $AT @crlf
printf '%s' "$tok" >bare && in_all 0 - bare
printf '%s \n' "$tok" >space && in_all 1 whitespace space
run 1 "$AKCRED" jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT - <space
assert_grep "^  error +whitespace: " out
run 1 "$AKCRED" jwt decode --at $AT - <space
assert_grep "^  error +whitespace: " out
assert_grep "ends with a space" out
printf '%s\t' "$tok" >tab && in_all 1 whitespace tab
printf ' %s\n' "$tok" >lead && in_all 1 whitespace lead
assert_grep "starts with a space" out
printf '%s\n\n' "$tok" >lf2 && in_all 1 whitespace lf2
assert_grep "only one line end at the end of a file" out
printf '%s\r\n\r\n' "$tok" >crlf2 && in_all 1 whitespace crlf2
printf '%s\000\n' "$tok" >nul && in_all 1 nul_byte nul
printf '\000%s\n' "$tok" >nul0 && in_all 1 nul_byte nul0
# Two tokens on two lines are two tokens, not "5 segments: a JWE".
printf '%s\n%s\n' "$tok" "$tok" >two && in_all 1 multiple_tokens two
assert_grep "the input holds 2 tokens" out
assert_no_grep "JWE" out
# With white space only around it, the token's other problems are still shown.
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-2 --at $AT @space
assert_grep "^  error +whitespace: " out
assert_grep "^  error +aud_mismatch: " out

# An operand is the shell's bytes: nothing is framing.
akcred 0 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT "$tok"
akcred 1 jwt verify --key "$K/ec_public.pem" --device-id dev-1 --at $AT "$tok
"
assert_grep "^  error +whitespace: " out
akcred 1 jwt decode --at $AT " $tok"
assert_grep "^  error +whitespace: " out

# Too long is a rejected token, exit 1, at any size: only the start is read.
head -c 9000 /dev/zero | tr '\0' A >long
in_all 1 too_long long
head -c 70000 /dev/zero | tr '\0' A >huge
in_all 1 too_long huge
assert_grep "longer than 8192 bytes" out
akcred 1 jwt decode --json @huge
"$PYTHON" -c 'import json; j=json.load(open("out")); assert [p["code"] for p in j["problems"]] == ["too_long"], j'
# The biggest token taken whole, with its line end.
big=$(head -c 8192 /dev/zero | tr '\0' A)
printf '%s\r\n' "$big" >max
akcred 1 jwt decode @max
assert_grep "^  error +malformed: " out
assert_no_grep "too_long" out

# check --token-file reads the file by the same rule (--dry-run: nothing is sent).
chk() { akcred "$1" check --device-id dev-1 --token-file "$2" --host 127.0.0.1 --plaintext --dry-run --json; }
good=$("$AKCRED" jwt mint --device-id dev-1 --key "$K/ec_private.pem")
printf '%s\n' "$good" >now
chk 0 now
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["token_checked"] is True, j'
printf '%s \n' "$good" >now-space
chk 0 now-space
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["token_checked"] is False and [p["code"] for p in j["token_problems"]] == ["whitespace"], j'
printf '%s\n\n' "$good" >now-lf2
chk 0 now-lf2
"$PYTHON" -c 'import json; j=json.load(open("out")); assert j["token_checked"] is False, j'
# A NUL cannot be sent in an MQTT password string, and only the start of a
# long token was read: rejected (exit 1), not sent, not an input error.
printf '%s\000\n' "$good" >now-nul
chk 1 now-nul
assert_grep "rejected, not sent: nul_byte" err
chk 1 huge
assert_grep "rejected, not sent: too_long" err
# One bound, jwt_check's: a token of 8193 bytes, read whole, is not sent either.
printf '%s\n' "$(head -c 8193 /dev/zero | tr '\0' A)" >over
chk 1 over
assert_grep "rejected, not sent: too_long: it is longer than 8192 bytes" err
