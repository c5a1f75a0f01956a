# A rerun compares public.pem with the private key's public half byte for
# byte, and decodes it only when the bytes differ: a public key kept in
# another encoding of the same key (CRLF line ends, text before the PEM
# block, DER) still checks out, and another key in any encoding does not.
. "$(dirname "$0")/lib.sh"

"$AKCRED" provision -o b --count 4 --prefix d- >/dev/null
sed 's/$/\r/' b/d-1/public.pem >p && cat p >b/d-1/public.pem
{ echo "the public key of d-2"; cat b/d-2/public.pem; } >p && cat p >b/d-2/public.pem
openssl pkey -pubin -in b/d-3/public.pem -outform DER -out p && cat p >b/d-3/public.pem
run 0 "$AKCRED" provision -o b --count 4 --prefix d-
assert_grep "nothing to do: all 4 devices" "$T/out"

# The same re-encodings of another device's key: each a mismatch.
sed 's/$/\r/' b/d-4/public.pem >p && cat p >b/d-1/public.pem
run 1 "$AKCRED" provision -o b --count 4 --prefix d-
assert_grep "device 'd-1': 'b/d-1/public.pem' does not match private.pem" "$T/err"
