# Sourced by tests that need one key in every encoding akcred reads.
# make_formats NAME GENPKEY-ARGS...: writes NAME.<format> files in $T made by
# the openssl command-line tool, an implementation independent of akcred's code.
# Encrypted files use the passphrase "secret".
make_formats() {
	n=$1
	shift
	openssl genpkey "$@" -out "$n.pkcs8.pem" 2>/dev/null
	openssl pkey -in "$n.pkcs8.pem" -outform DER -out "$n.pkcs8.der"
	openssl pkey -in "$n.pkcs8.pem" -pubout -out "$n.spki.pem"
	openssl pkey -in "$n.pkcs8.pem" -pubout -outform DER -out "$n.spki.der"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$n.pkcs8.pem" -passout pass:secret -out "$n.enc.pkcs8.pem"
	openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$n.pkcs8.pem" -passout pass:secret -outform DER \
	    -out "$n.enc.pkcs8.der"
	openssl pkey -in "$n.pkcs8.pem" -traditional -out "$n.trad.pem"
	openssl pkey -in "$n.pkcs8.pem" -traditional -outform DER -out "$n.trad.der"
	openssl pkey -in "$n.pkcs8.pem" -traditional -aes256 -passout pass:secret -out "$n.enc.trad.pem"
	openssl req -new -x509 -key "$n.pkcs8.pem" -subj "/CN=$n" -days 30 -out "$n.cert.pem" 2>/dev/null
	openssl x509 -in "$n.cert.pem" -outform DER -out "$n.cert.der"
	case $n in
	rsa*)
		openssl rsa -in "$n.pkcs8.pem" -RSAPublicKey_out -out "$n.pkcs1pub.pem" 2>/dev/null
		openssl rsa -in "$n.pkcs8.pem" -RSAPublicKey_out -outform DER -out "$n.pkcs1pub.der" 2>/dev/null
		;;
	ec*)
		openssl ec -in "$n.pkcs8.pem" -pubout -conv_form compressed -out "$n.compressed.spki.pem" 2>/dev/null
		openssl ec -in "$n.pkcs8.pem" -conv_form compressed -out "$n.compressed.trad.pem" 2>/dev/null
		openssl ec -in "$n.pkcs8.pem" -param_enc explicit -out "$n.explicit.trad.pem" 2>/dev/null
		;;
	esac
}
