// kube-router for the local cluster, used as the NetworkPolicy enforcer only
// (start it with --run-firewall=true --run-router=false --run-service-proxy=false).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cloudnativelabs/kube-router/v2/pkg/cmd"
	"github.com/cloudnativelabs/kube-router/v2/pkg/options"
	"github.com/cloudnativelabs/kube-router/v2/pkg/version"
	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

func run() error {
	klog.InitFlags(nil)
	cfg := options.NewKubeRouterConfig()
	cfg.AddFlags(pflag.CommandLine)
	pflag.Parse()
	if err := flag.CommandLine.Parse(nil); err != nil {
		return err
	}
	_ = flag.Set("logtostderr", "true")
	_ = flag.Set("v", cfg.VLevel)
	switch {
	case cfg.HelpRequested:
		pflag.Usage()
		return nil
	case cfg.Version:
		version.PrintVersion(false)
		return nil
	case cfg.CleanupConfig:
		cmd.CleanupConfigAndExit()
		return nil
	}
	kr, err := cmd.NewKubeRouterDefault(cfg)
	if err != nil {
		return fmt.Errorf("kube-router config: %w", err)
	}
	return kr.Run()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
