# The examples in the documentation run: every "$ akcred ..." line of the
# EXAMPLES sections of the man pages (.Bd -literal blocks and .Dl lines) and of
# README.md's console/sh blocks is run with the binary under test, in a
# directory holding the files the examples name.  An example must exit as
# documented (0 unless listed below), use only commands and options that
# exist, and print the lines of output the page shows (each up to its first
# digit, "..." or quote: what varies from run to run).
#
# No example reaches the internet: check runs against a local broker with
# akcred_auth.so (its --host/--port/--ca-file replaced), register, the credentials
# commands and rotate against the mock akenza API (its --api-url/--ca-file
# replaced).  Two more rewrites keep
# the test short: check's --listen waits 1s, provision's --count is at most 20.
# The lines of one block
# (of one README section; of a page's .Dl lines) run in order in one fresh
# copy of the prepared directory, so that a block can use what its earlier
# lines made.
. "$(dirname "$0")/lib.sh"
. "$TESTS/cli/broker.lib"
. "$TESTS/tools/mockakenza.sh"
ROOT=$TESTS/..
broker_need
broker_trap 'mock_kill_all; cd /; rm -rf "$T"'
US=$(printf '\037') RS=$(printf '\036')

# Examples not run here, each with the reason (a glob on "SOURCE: COMMAND").
# Their commands and options are still checked.
skip_reason() {
	case $1 in
	"akcred-pkcs11.7: "*) echo "on a SoftHSM2 token of its own: p11-docs.sh runs it" ;;
	"README.md: "*pkcs11:*) echo "on a token: akcred-pkcs11(7)'s example, run by p11-docs.sh" ;;
	*) return 1 ;;
	esac
}

# Examples documented to exit with another status than 0 (a glob on
# "SOURCE: COMMAND").
want_status() {
	case $1 in
	"akcred-jwt.1: akcred jwt verify "*" - < captured") echo 1 ;; # shown REJECTED
	"README.md: akcred jwt decode @token") echo 1 ;; # the expired token: an error
	"README.md: akcred jwt verify "*" @token") # expired, but accepted --at its time
		case $1 in *" --at "*) echo 0 ;; *) echo 1 ;; esac ;;
	*) echo 0 ;;
	esac
}

# --- extract: SOURCE US GROUP US OUTPUT-LINES (RS between) US COMMAND, one a line
for page in "$ROOT"/man/*.[0-9]; do
	awk -v src="$(basename "$page")" -v us="$US" -v rs="$RS" '
	function unesc(s) { gsub(/\\&/, "", s); gsub(/\\-/, "-", s); gsub(/\\e/, "\\", s); return s }
	function take(line, grp) {
		line = unesc(line)
		if (cont != "") { sub(/^[ \t]+/, "", line); cmd = cont line; cont = "" }
		else if (line ~ /^\$ akcred /) cmd = substr(line, 3)
		else { if (line ~ /^\$ /) closed[n] = 1; else if (n && !closed[n] && line != "") out[n] = out[n] (out[n] == "" ? "" : rs) line; return }
		if (cmd ~ /\\$/) { sub(/[ \t]*\\$/, " ", cmd); cont = cmd; return }
		n++; c[n] = cmd; g[n] = grp; out[n] = ""
	}
	/^\.Sh / { ex = ($0 ~ /^\.Sh EXAMPLES/); next }
	!ex { next }
	/^\.Bd -literal/ { inb = 1; b++; next }
	/^\.Ed/ { inb = 0; if (n) closed[n] = 1; next }
	inb { take($0, "block" b); next }
	/^\.Dl / { take(substr($0, 5), "dl"); next }
	{ if (n) closed[n] = 1 }
	END { for (i = 1; i <= n; i++) print src us src ":" g[i] us out[i] us c[i] }
	' "$page"
done >examples
# README.md: fenced console/sh blocks; one group per section.
awk -v us="$US" -v rs="$RS" '
	/^## / { sec++; next }
	/^```(console|sh)$/ { inb = 1; next }
	/^```/ { inb = 0; if (n) closed[n] = 1; next }
	!inb { next }
	{
		line = $0
		if (cont != "") { sub(/^[ \t]+/, "", line); cmd = cont line; cont = "" }
		else if (line ~ /^\$ akcred /) cmd = substr(line, 3)
		else { if (line ~ /^\$ /) closed[n] = 1; else if (n && !closed[n] && line != "") out[n] = out[n] (out[n] == "" ? "" : rs) line; next }
		if (cmd ~ /\\$/) { sub(/[ \t]*\\$/, " ", cmd); cont = cmd; next }
		n++; c[n] = cmd; g[n] = "section" sec; out[n] = ""
	}
	END { for (i = 1; i <= n; i++) print "README.md" us "README.md:" g[i] us out[i] us c[i] }
' "$ROOT/README.md" >>examples
[ "$(grep -c '^akcred' examples)" -ge 10 ] || { cat examples; fail "fewer than 10 man-page examples found"; }

# --- the prepared directory: the files the examples name
mkdir fixture
cd fixture
"$AKCRED" keygen >/dev/null
"$AKCRED" keygen --private new_private.pem --public new_public.pem --cert device.crt \
	--device-id sensor-17 >/dev/null
"$AKCRED" jwt mint --device-id sensor-17 --key ec_private.pem >token
# A token as a firmware got it wrong: ES256 signed, the signature DER encoded.
"$PYTHON" - token <<'PY' >parts
import base64, sys
h, c, _ = open(sys.argv[1]).read().strip().split(".")
d = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).decode()
print(d(h)); print(d(c))
PY
"$PYTHON" "$TESTS/tools/pyforge.py" "$(sed -n 1p parts)" "$(sed -n 2p parts)" ec_private.pem der >captured
rm parts
printf 'correct horse battery staple\n' >pass.txt
printf 'line3-cam-01\nline3-cam-02\n' >ids.txt
cp "$DATA/rfc7515/a3-ec-public.pem" "$DATA/rfc7515/a3.jws" .
cp "$DATA/keyformats/ec.csr.pem" se-17.csr
cp "$DATA/keyformats/ec.point64.hex" atecc-17.hex
"$AKCRED" provision -o batch-7 --count 3 --prefix dev- --width 4 >/dev/null
mkdir -p .config
cp "$T/apikey" .config/akenza.key
chmod 600 .config/akenza.key
cd "$T"
export AKCRED_API_KEY AKCRED_PASSPHRASE='correct horse battery staple'
AKCRED_API_KEY=$(cat "$T/apikey")

broker_start "$T/broker"
cp "$CA" fixture/ca.pem
echo "sensor-17 0200000000000a11" >existing
mock_start --existing "$T/existing"

# --- run
# The option words of COMMAND (no redirections, no "-" for stdin).
options_of() {
	printf '%s\n' "$1" | tr ' ' '\n' | grep -E '^--?[A-Za-z][A-Za-z0-9-]*$' || true
}
# The value of option OPT in COMMAND ("" if absent).
value_of() { # COMMAND OPT
	printf '%s\n' "$1" | sed -n "s/.* $2 \([^ ]*\).*/\1/p"
}
# Replace option OPT's value in COMMAND (a sed expression's worth).
drop_opt() { # COMMAND OPT
	printf '%s\n' "$1" | sed "s/ $2 [^ ]*//g"
}

ran=0 skipped=0 nexample=0 lastgrp=""
while IFS=$US read -r src grp want_out cmd <&3; do
	nexample=$((nexample + 1))
	# The command, and that it and its options exist.
	set -f
	set -- $cmd
	set +f
	sub=$2
	case $sub in jwt | credentials) sub="$sub $3" ;; esac
	"$AKCRED" $sub --help >help 2>&1 || fail "$src: '$cmd': no command 'akcred $sub'"
	for o in $(options_of "$cmd"); do
		grep -Eq -- "^ +(-[a-zA-Z], )?$o( |$)|^ +$o, " help ||
			fail "$src: '$cmd': akcred $sub has no option $o"
	done
	if reason=$(skip_reason "$src: $cmd"); then
		echo "skip  $src: $cmd  ($reason)"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$grp" != "$lastgrp" ]; then
		dir=$T/run.$nexample
		cp -a "$T/fixture" "$dir"
		lastgrp=$grp
	fi
	run_cmd=$cmd
	case $sub in
	keygen) # the example makes its own keys: remove the prepared ones it writes
		ty=$(value_of "$cmd" --type)
		for f in "$(value_of "$cmd" --private)" "$(value_of "$cmd" --public)" \
			"$(value_of "$cmd" --cert)" "${ty:-ec}_private.pem" "${ty:-ec}_public.pem"; do
			[ -z "$f" ] || rm -f "$dir/$f"
		done ;;
	check) # the local broker, which knows the example's key for its device
		key=$(value_of "$cmd" --key) id=$(value_of "$cmd" --device-id)
		mkdir -p "$KEYS_DIR/$id"
		openssl pkey -in "$dir/$key" -pubout -out "$KEYS_DIR/$id/docs-$nexample.pem" 2>/dev/null ||
			fail "$src: '$cmd': cannot take the public half of '$key'"
		for o in --host --port --ca-file --ca-path; do run_cmd=$(drop_opt "$run_cmd" $o); done
		run_cmd=$(printf '%s\n' "$run_cmd" | sed 's/ --listen [^ ]*/ --listen 1s/' |
			sed "s|^akcred check |akcred check --host localhost --port $BROKER_PORT --ca-file $CA |") ;;
	register | credentials* | rotate) # the mock akenza API
		for o in --api-url --ca-file; do run_cmd=$(drop_opt "$run_cmd" $o); done
		run_cmd=$(printf '%s\n' "$run_cmd" |
			sed "s|^akcred $sub |akcred $sub --api-url $MOCK_URL --ca-file $MOCK_CA |") ;;
	provision) # the same code at a smaller scale: 10000 keys take 10 s here
		n=$(value_of "$cmd" --count)
		[ -z "$n" ] || [ "$n" -le 20 ] ||
			run_cmd=$(printf '%s\n' "$run_cmd" | sed "s/ --count $n / --count 20 /") ;;
	esac
	run_cmd="\"\$AKCRED\" ${run_cmd#akcred }"
	want=$(want_status "$src: $cmd")
	set +e
	(cd "$dir" && HOME=$dir eval "$run_cmd") </dev/null >out 2>err
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		cat out err >&2
		fail "$src: '$cmd' exited $got, expected $want (run as: $run_cmd)"
	fi
	# The output lines the page shows, each up to what varies.
	printf '%s\n' "$want_out" | tr "$RS" '\n' | sed "s/[0-9'].*//; s/\.\.\..*//; s/[[:space:]]*\$//" >shown
	cat out err | sed "s|$MOCK_URL|https://api.akenza.io|g" >shown.out
	while read -r prefix; do
		if [ ${#prefix} -ge 4 ] && ! grep -qF -- "$prefix" shown.out; then
			cat out err >&2
			fail "$src: '$cmd': the output has no line with '$prefix'"
		fi
	done <shown
	echo "ok    $src: $cmd"
	ran=$((ran + 1))
done 3<examples
echo "$ran examples run, $skipped skipped"
[ "$ran" -gt 0 ] || fail "no example ran"
