# Key files get their modes exactly -- private.pem 0600, public.pem and
# cert.pem 0644, device directories 0700 -- whatever the umask or a default
# ACL on the batch directory would make of them.  provision sets a mode at
# creation and fchmods only where something could have changed it
# (fileio_modes_exact): this checks both paths.
. "$(dirname "$0")/lib.sh"
command -v setfacl >/dev/null 2>&1 || fail "no setfacl (package acl; make check installs it)"

modes() { # BATCH: "dir private public cert" of every device, one line each, sorted and unique
	for d in "$1"/d-*; do
		printf '%s %s %s %s\n' "$(mode_of "$d")" "$(mode_of "$d/private.pem")" \
			"$(mode_of "$d/public.pem")" "$(mode_of "$d/cert.pem")"
	done | sort -u
}

for m in 022 077 027 002 000; do
	mkdir -m 700 "u$m"
	(umask "$m" && "$AKCRED" provision -o "u$m" --count 5 --prefix d- --cert >out 2>err) ||
		fail "umask $m: $(cat err)"
	assert_eq "$(modes "u$m")" "700 600 644 644" "modes under umask $m"
done

# A default ACL takes the umask's place: one that gives others nothing would
# leave public.pem 0640 without the fchmod; one that gives everybody
# everything must not leave anything more open than asked.
for acl in o::--- g::---,o::--- u::rwx,g::rwx,o::rwx; do
	mkdir -m 700 acl
	setfacl -d -m "$acl" acl || fail "setfacl -d -m $acl"
	getfacl -p acl 2>/dev/null | grep -q '^default:' || fail "no default ACL on acl"
	"$AKCRED" provision -o acl --count 5 --prefix d- --cert >out 2>err || fail "ACL $acl: $(cat err)"
	assert_eq "$(modes acl)" "700 600 644 644" "modes under the default ACL $acl"
	rm -rf acl
done
