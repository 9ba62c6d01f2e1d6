// backend: a tiny test workload for kdiag's local cluster.
//
//	HTTP_PORTS=8080,9090   serve HTTP on these ports (default: $PORT or 8080)
//	TCP_PORTS=5432,6379    accept TCP and write one line naming the pod (stand-ins for postgres/redis)
//	NAME=api-server        a label that appears in every answer
//	EXIT_AFTER=2s          exit with code 1 after this long (to plant a CrashLoopBackOff)
//
// Every HTTP path answers 200 with a JSON line {name, pod, ip, port, path};
// /health answers the same. Listening addresses are the pod's own.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func podIP() string {
	if ip := os.Getenv("POD_IP"); ip != "" {
		return ip
	}
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
				return n.IP.String()
			}
		}
	}
	return ""
}

func ports(env, fallback string) []string {
	v := os.Getenv(env)
	if v == "" {
		v = fallback
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func main() {
	host, _ := os.Hostname()
	name := os.Getenv("NAME")
	if name == "" {
		name = host
	}
	ip := podIP()

	if d, err := time.ParseDuration(os.Getenv("EXIT_AFTER")); err == nil {
		go func() {
			time.Sleep(d)
			log.Printf("EXIT_AFTER=%s reached, exiting with 1", d)
			os.Exit(1)
		}()
	}

	defHTTP := os.Getenv("PORT")
	if defHTTP == "" {
		defHTTP = "8080"
	}
	if os.Getenv("TCP_PORTS") != "" && os.Getenv("HTTP_PORTS") == "" && os.Getenv("PORT") == "" {
		defHTTP = ""
	}
	started := 0
	for _, p := range ports("HTTP_PORTS", defHTTP) {
		port := p
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{
				"name": name, "pod": host, "ip": ip, "port": port, "path": r.URL.Path,
			})
		})
		ln, err := net.Listen("tcp", ":"+port)
		if err != nil {
			log.Fatalf("listen %s: %v", port, err)
		}
		log.Printf("%s: HTTP on :%s", name, port)
		go func() { log.Fatal(http.Serve(ln, mux)) }()
		started++
	}
	for _, p := range ports("TCP_PORTS", "") {
		port := p
		ln, err := net.Listen("tcp", ":"+port)
		if err != nil {
			log.Fatalf("listen %s: %v", port, err)
		}
		log.Printf("%s: TCP on :%s", name, port)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					log.Fatal(err)
				}
				fmt.Fprintf(c, "%s pod=%s ip=%s port=%s\n", name, host, ip, port)
				_ = c.Close()
			}
		}()
		started++
	}
	if started == 0 {
		log.Fatal("nothing to serve: set HTTP_PORTS, PORT or TCP_PORTS")
	}
	select {}
}
