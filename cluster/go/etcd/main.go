// etcd for kdiag's local cluster: a thin wrapper around etcd's own entry point
// (building go.etcd.io/etcd/server/v3 directly fails on its replace lines).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
