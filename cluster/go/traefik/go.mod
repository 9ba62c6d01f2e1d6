module kdiag.local/cluster/traefik

go 1.26.0

require github.com/traefik/traefik/v3 v3.7.13

require github.com/abbot/go-http-auth v0.0.0-00010101000000-000000000000 // indirect

// Traefik's go.mod points this module at a directory inside its repository
// that the module zip does not contain (it is a module of its own) and the
// proxy does not serve; ./ext provides the same (empty) extension types.
replace github.com/traefik/traefik/dynamic/ext => ./ext

// Repeated from Traefik's go.mod (replace lines of a dependency are ignored).
replace github.com/gorilla/mux => github.com/containous/mux v0.0.0-20250523120546-41b6ec3aed59

// Traefik's fork of go-http-auth (github.com/containous/go-http-auth) is not served by
// the module proxy. cluster/build.sh copies the upstream release v0.4.0 into ./_goauth
// (git-ignored), adds the two functions the fork adds (overlay/goauth-additions.go) and
// a go.mod (v0.4.0 has none).
replace github.com/abbot/go-http-auth => ./_goauth

exclude github.com/tencentcloud/tencentcloud-sdk-go v3.0.83+incompatible

// lego's table of ACME DNS-challenge providers imports ~180 cloud SDKs, several
// of which the module proxy does not serve. cluster/build.sh copies lego from
// the module cache into ./_lego (git-ignored) with that table replaced by
// overlay/lego-dns-providers.go; the local cluster never talks to an ACME server.
replace github.com/go-acme/lego/v5 => ./_lego
