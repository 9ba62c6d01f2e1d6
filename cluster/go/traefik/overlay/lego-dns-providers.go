// Replaces lego's generated table of ACME DNS-challenge providers when Traefik
// is built for kdiag's local cluster (cluster/build.sh passes it to `go build
// -overlay`). The table imports ~180 cloud SDKs, several of which the module
// proxy does not serve; the local cluster never requests certificates from
// an ACME server (no traffic leaves the machine), so no provider is compiled in.
package dns

import (
	"fmt"

	"github.com/go-acme/lego/v5/challenge"
)

// NewDNSChallengeProviderByName reports that no DNS provider is available.
func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {
	return nil, fmt.Errorf("ACME DNS provider %q is not compiled into this Traefik build (kdiag local cluster)", name)
}
