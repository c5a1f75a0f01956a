# akcred jwt verify takes the token policy the broker plugin and check use: a leeway of at most
# a day (beyond it exp means nothing), a usage error above; a maximum lifetime of 0 turns the
# lifetime warning off.
. "$(dirname "$0")/lib.sh"
K=$DATA/jwt

akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000
cp out tok
# exp is 1764001200: a day later, less a second, it is within a day's leeway.
akcred 0 jwt verify --key "$K/ec_public.pem" --at $((1764001200 + 86399)) --leeway 1d @tok
assert_grep '^token accepted$' out
assert_grep 'leeway 1d' out
akcred 1 jwt verify --key "$K/ec_public.pem" --at $((1764001200 + 86400)) --leeway 24h @tok
assert_grep 'error +expired: .*leeway 1d' out

for l in 1d1s 2d 36500d; do
	akcred 2 jwt verify --key "$K/ec_public.pem" --at 1764000100 --leeway "$l" @tok
	assert_grep "^akcred: jwt verify: the leeway must be from 0s to 1d, not " err
done

# The lifetime warning: a 2h token against --max-lifetime 1h, and with 0 no check at all.
akcred 0 jwt mint --device-id dev-1 --key "$K/ec_private.pem" --iat 1764000000 --ttl 2h
cp out tok2
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1764000100 --max-lifetime 1h @tok2
assert_grep 'warning +lifetime_too_long' out
akcred 0 jwt verify --key "$K/ec_public.pem" --at 1764000100 --max-lifetime 0 @tok2
if grep -q lifetime_too_long out; then fail "--max-lifetime 0 still warns"; fi
