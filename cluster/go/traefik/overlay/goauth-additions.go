//go:build ignore

// Added to a copy of github.com/abbot/go-http-auth v0.4.0 by cluster/build.sh (the build
// constraint above is dropped there): the two functions Traefik's fork of that library
// (github.com/containous/go-http-auth, which the module proxy does not serve) adds and
// Traefik's basic- and digest-auth middlewares call. Written for kdiag's local cluster.

package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSecret tells whether password matches secret, an htpasswd-style hash in one of the
// formats this package compares ({SHA}, bcrypt's $2?$ prefixes; MD5-crypt otherwise).
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, f := range compareFuncs[1:] {
		if strings.HasPrefix(secret, f.prefix) {
			compare = f.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuthStale answers like RequireAuth, telling the client that its nonce went stale
// (RFC 7616: it may retry with the new nonce without asking the user again).
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	if len(a.clients) > a.ClientCacheSize+a.ClientCacheTolerance {
		a.Purge(a.ClientCacheTolerance * 2)
	}
	nonce := RandomKey()
	a.clients[nonce] = &digest_client{nc: 0, last_seen: time.Now().UnixNano()}
	w.Header().Set(contentType, a.Headers.V().UnauthContentType)
	w.Header().Set(a.Headers.V().Authenticate,
		fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="%s", algorithm="MD5", qop="auth", stale=true`, a.Realm, nonce, a.Opaque))
	w.WriteHeader(a.Headers.V().UnauthCode)
	_, _ = w.Write([]byte(a.Headers.V().UnauthResponse))
}
