# Sourced by the register tests (after lib.sh) and the register benchmark:
# a test CA and server certificate made with openssl, the mock akenza API
# (mockakenza.py) on 127.0.0.1 at a random port, and device manifests.
#   mock_start [FAULT OPTIONS]  sets MOCK_URL, MOCK_CA, MOCK_KEYFILE, MOCK_PID
#   mock_check MANIFEST        each device registered exactly once, no bad request
#   make_devices DIR N [ec|rsa|cert]   N key pairs and DIR/manifest.csv
MOCK_TOOL=${TESTS:-$(cd "$(dirname "$0")/.." && pwd)}/tools/mockakenza.py
. "${MOCK_TOOL%/tools/*}/cli/wait.lib"

# The API key the mock wants: random, so that a test can grep any output for it.
[ -f "$T/apikey" ] || printf 'ak-test-%s\n' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$T/apikey"

mock_pki() { # DIR
	mkdir -p "$1"
	(
		cd "$1"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj "/CN=akcred test CA" \
			-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
			2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out server.pem -days 2 -extfile ext.cnf 2>/dev/null
	)
}

mock_start() {
	_mdir=$T/mock.$$.$(date +%s%N)
	mock_pki "$_mdir"
	MOCK_CA=$_mdir/ca.pem
	MOCK_KEYFILE=$_mdir/apikey
	cp "$T/apikey" "$MOCK_KEYFILE"
	"$PYTHON" "$MOCK_TOOL" serve --cert "$_mdir/server.pem" --key "$_mdir/server.key" \
		--api-key-file "$MOCK_KEYFILE" --port-file "$_mdir/port" "$@" 2>"$_mdir/log" &
	MOCK_PID=$!
	MOCK_PIDS="${MOCK_PIDS:-} $MOCK_PID"
	wait_until "the mock akenza server did not start" _mock_listening "$_mdir"
	MOCK_URL=https://127.0.0.1:$(cat "$_mdir/port")
	MOCK_LOG=$_mdir/log
}

_mock_listening() { # DIR: the port file is there, or fail at once if the mock died
	[ -s "$1/port" ] && return 0
	kill -0 "$MOCK_PID" 2>/dev/null && return 1
	cat "$1/log" >&2
	fail "the mock akenza server did not start"
}

# Every mock this script started; lib.sh's exit trap calls at_exit.
mock_kill_all() {
	for p in ${MOCK_PIDS:-}; do
		kill "$p" 2>/dev/null || true
	done
}
at_exit() {
	mock_kill_all
}

mock_stop() {
	kill "$MOCK_PID" 2>/dev/null || true
	wait "$MOCK_PID" 2>/dev/null || true
}

mock_check() { # MANIFEST
	"$PYTHON" "$MOCK_TOOL" check --url "$MOCK_URL" --ca "$MOCK_CA" --manifest "$1" >"$T/mockstats" ||
		{ cat "$T/mockstats" >&2; fail "the mock's state is not one credential per device"; }
}

mock_heal() {
	"$PYTHON" "$MOCK_TOOL" heal --url "$MOCK_URL" --ca "$MOCK_CA"
}

mock_state() {
	"$PYTHON" "$MOCK_TOOL" state --url "$MOCK_URL" --ca "$MOCK_CA"
}

# The value of a counter of the mock's stats ("requests", "credentials_added", ...).
mock_stat() { # NAME
	mock_state | "$PYTHON" -c 'import json,sys; s=json.load(sys.stdin)["stats"]; print(s.get(sys.argv[1], s["faults"].get(sys.argv[1], 0)))' "$1"
}

make_devices() { # DIR N [ec|rsa|cert|mixed]  (mixed: odd devices ec, even ones cert)
	mkdir -p "$1"
	echo "device_id,algorithm,fingerprint,public_key,created" >"$1/manifest.csv"
	i=1
	while [ "$i" -le "$2" ]; do
		d=$(printf 'dev-%04d' "$i")
		mkdir -p "$1/$d"
		# The first device's files come from the binary under test (under
		# valgrind in make memcheck), the others' from the binary itself:
		# memcheck's time goes to what a test tests, not to 40 alike keys.
		_ak=$AKCRED
		[ "$i" -eq 1 ] || _ak=${AKCRED_REAL:-$AKCRED}
		_kind=${3:-ec}
		[ "$_kind" != mixed ] || { [ $((i % 2)) -eq 1 ] && _kind=ec || _kind=cert; }
		case $_kind in
		ec) "$_ak" keygen --private "$1/$d/private.pem" --public "$1/$d/public.pem" >/dev/null
		    alg=EC256_PEM file=public.pem ;;
		rsa) "$_ak" keygen --type rsa --private "$1/$d/private.pem" --public "$1/$d/public.pem" >/dev/null
		    alg=RSA256_PEM file=public.pem ;;
		cert) "$_ak" keygen --private "$1/$d/private.pem" --public "$1/$d/public.pem" \
			--cert "$1/$d/cert.pem" --device-id "$d" >/dev/null
		    alg=EC256_X509_PEM file=cert.pem ;;
		esac
		fp=$("$_ak" fingerprint "$1/$d/public.pem" | awk '{print $NF}')
		echo "$d,$alg,$fp,$d/$file,2026-11-24T14:13:27Z" >>"$1/manifest.csv"
		i=$((i + 1))
	done
}
