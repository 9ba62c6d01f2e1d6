// CoreDNS for the local cluster with only the plugins the cluster's Corefile
// uses, plus forward for one fault script: the Corefile has no forward line, so
// this DNS answers for cluster.local (and the reverse zones) only and never asks
// anything upstream. cluster/faults/coredns-forward-unreachable.sh adds
// `forward . NODE_IP:5399` (a port nothing listens on, on this machine) for
// the length of one kdiag run.
package main

import (
	_ "github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
	_ "github.com/coredns/coredns/plugin/whoami"
)

func main() { coremain.Run() }
