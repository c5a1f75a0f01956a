# check: libmosquitto that does not load is an internal failure, not a crypto one: exit 4 as
# before, and --json names its class "internal".
. "$(dirname "$0")/lib.sh"
"$AKCRED" keygen --private dev.key --public dev.pub >/dev/null
mkdir lib
printf 'not a library\n' > lib/libmosquitto.so.1
export LD_LIBRARY_PATH="$T/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

akcred 4 check --device-id dev1 --key dev.key --host 127.0.0.1 --plaintext --dry-run
assert_grep "^akcred: check: cannot load libmosquitto" err

akcred 4 check --json --device-id dev1 --key dev.key --host 127.0.0.1 --plaintext --dry-run
assert_grep '"status": 4,' out
assert_grep '"status_name": "internal",' out
