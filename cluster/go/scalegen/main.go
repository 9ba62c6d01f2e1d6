// scalegen loads kdiag's local cluster with many objects for benchmarks:
// fake nodes (made Ready by kwok), namespaces, Services with selectors, bare
// Pods bound to the fake nodes (kwok turns them Running and Ready, the real
// EndpointSlice controller builds the slices), NetworkPolicies and Ingresses.
//
//	scalegen -kubeconfig FILE up   [-services 5000 -pods 20000 -namespaces 100 -netpols 200 -ingresses 500 -nodes 100]
//	scalegen -kubeconfig FILE down
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	scaleLabel = "kdiag.dev/scale"
	nsPrefix   = "kdiag-scale-"
)

type opts struct {
	services, pods, namespaces, netpols, ingresses, nodes int
	concurrency                                           int
	faultyEvery                                           int
	timeout                                               time.Duration
}

func main() {
	var o opts
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the local cluster")
	flag.IntVar(&o.services, "services", 5000, "Services (each selects pods/services pods)")
	flag.IntVar(&o.pods, "pods", 20000, "Pods")
	flag.IntVar(&o.namespaces, "namespaces", 100, "namespaces")
	flag.IntVar(&o.netpols, "netpols", 200, "NetworkPolicies")
	flag.IntVar(&o.ingresses, "ingresses", 500, "Ingresses")
	flag.IntVar(&o.nodes, "nodes", 100, "fake (kwok) nodes; each gets a /24 pod range, so keep pods/nodes under 250")
	flag.IntVar(&o.concurrency, "concurrency", 48, "parallel API requests")
	flag.IntVar(&o.faultyEvery, "faulty-every", 50, "every Nth Service selects no pod (0: none)")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "overall time limit")
	qps := flag.Float64("qps", 1000, "client QPS limit")
	flag.Parse()
	if flag.NArg() != 1 || (flag.Arg(0) != "up" && flag.Arg(0) != "down") {
		fmt.Fprintln(os.Stderr, "usage: scalegen [flags] up|down")
		os.Exit(2)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	cfg.QPS = float32(*qps)
	cfg.Burst = int(*qps) * 2
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	if flag.Arg(0) == "up" {
		err = up(ctx, cs, o)
	} else {
		err = down(ctx, cs)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scalegen:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Printf("[%s] %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// parallel runs fn(0..n-1) on `workers` goroutines; AlreadyExists counts as done.
func parallel(ctx context.Context, what string, n, workers int, fn func(ctx context.Context, i int) error) error {
	start := time.Now()
	var next, done atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				var err error
				// A busy API server answers some creates with its 60 s timeout (the object may
				// exist anyway: AlreadyExists on the next attempt counts as done); one such answer
				// ended a 30-minute 4x load, so retry for a few minutes before giving up.
				for attempt := 0; attempt < 10; attempt++ {
					err = fn(ctx, i)
					if err == nil || apierrors.IsAlreadyExists(err) {
						err = nil
						break
					}
					time.Sleep(min(time.Duration(attempt+1)*500*time.Millisecond, 5*time.Second))
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s %d: %w", what, i, err)
					}
					mu.Unlock()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	logf("%-16s %6d in %6.1fs (%.0f/s)", what, done.Load(), d.Seconds(), float64(done.Load())/d.Seconds())
	return firstErr
}

func nsName(i int) string { return fmt.Sprintf("%s%03d", nsPrefix, i) }

// svcName is Service i's name, also its pods' app label and name prefix.
func svcName(i int) string { return fmt.Sprintf("svc-%05d", i) }

// existing lists the names (namespace/name) of the scale load's objects of a kind, so a
// larger level creates only what is missing: a create that ends in AlreadyExists still
// costs the API server work (a Service's ClusterIP is allocated, then released).
func existing(ctx context.Context, list func(ctx context.Context, opts metav1.ListOptions) (runtime.Object, error)) (map[string]bool, error) {
	have := map[string]bool{}
	opts := metav1.ListOptions{LabelSelector: scaleLabel + "=true", Limit: 5000}
	for {
		page, err := list(ctx, opts)
		if err != nil {
			return nil, err
		}
		items, err := meta.ExtractList(page)
		if err != nil {
			return nil, err
		}
		for _, item := range items {
			if m, err := meta.Accessor(item); err == nil {
				have[m.GetNamespace()+"/"+m.GetName()] = true
			}
		}
		l, err := meta.ListAccessor(page)
		if err != nil || l.GetContinue() == "" {
			return have, err
		}
		opts.Continue = l.GetContinue()
	}
}

func up(ctx context.Context, cs *kubernetes.Clientset, o opts) error {
	t0 := time.Now()
	labels := map[string]string{scaleLabel: "true"}
	if err := parallel(ctx, "nodes", o.nodes, 8, func(ctx context.Context, i int) error {
		_, err := cs.CoreV1().Nodes().Create(ctx, &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        fmt.Sprintf("kwok-node-%03d", i),
				Labels:      map[string]string{scaleLabel: "true", "type": "kwok", "kubernetes.io/os": "linux", "kubernetes.io/hostname": fmt.Sprintf("kwok-node-%03d", i)},
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "kwok.x-k8s.io/node", Value: "fake", Effect: corev1.TaintEffectNoSchedule}}},
		}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	if err := parallel(ctx, "namespaces", o.namespaces, 8, func(ctx context.Context, i int) error {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: nsName(i), Labels: labels}}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	// The fake backends cannot be reached, so kube-proxy need not program the Services:
	// with this label it ignores them and their EndpointSlices (the label is copied to the
	// slices). Programming 20,000 Services into iptables on the same 2 cores starved the API
	// server (ClusterIPs are allocated one at a time: 2-8 Services/s instead of 50).
	serviceLabels := map[string]string{scaleLabel: "true", "service.kubernetes.io/service-proxy-name": "kdiag-scale"}
	// Service i lives in namespace i % namespaces; pod j belongs to service serviceOf(j).
	svcNS := func(i int) string { return nsName(i % o.namespaces) }
	haveServices, err := existing(ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return cs.CoreV1().Services("").List(ctx, o)
	})
	if err != nil {
		return err
	}
	havePods, err := existing(ctx, func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
		return cs.CoreV1().Pods("").List(ctx, o)
	})
	if err != nil {
		return err
	}
	// Pods first: kwok makes them Ready while the rest is created, so each Service's
	// EndpointSlice is written about once with all its endpoints instead of once per pod
	// turning Ready (a quarter of the EndpointSlice writes at 4 pods per Service).
	if err := parallel(ctx, "pods", o.pods, o.concurrency, func(ctx context.Context, j int) error {
		svc := o.serviceOf(j)
		name := fmt.Sprintf("%s-%05d", svcName(svc), j)
		if havePods[svcNS(svc)+"/"+name] {
			return nil
		}
		_, err := cs.CoreV1().Pods(svcNS(svc)).Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Name:   name,
				Labels: map[string]string{scaleLabel: "true", "app": svcName(svc)},
			},
			Spec: corev1.PodSpec{
				NodeName: fmt.Sprintf("kwok-node-%03d", j%o.nodes),
				// Fake nodes whose lease kwok renews late (a busy machine) turn NotReady: the pods
				// stay instead of being evicted, so the load holds still while it is measured.
				Tolerations: []corev1.Toleration{
					{Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists},
					{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
					{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute},
				},
				Containers: []corev1.Container{{
					Name: "app", Image: "kdiag.local/backend:1.0", ImagePullPolicy: corev1.PullIfNotPresent,
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("1m"), corev1.ResourceMemory: resource.MustParse("1Mi")}},
				}},
			},
		}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	if err := parallel(ctx, "services", o.services, o.concurrency, func(ctx context.Context, i int) error {
		name := svcName(i)
		if haveServices[svcNS(i)+"/"+name] {
			return nil
		}
		sel := map[string]string{"app": name}
		if o.faultyEvery > 0 && i%o.faultyEvery == o.faultyEvery-1 {
			sel = map[string]string{"app": name + "-typo"}
		}
		_, err := cs.CoreV1().Services(svcNS(i)).Create(ctx, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: serviceLabels},
			Spec: corev1.ServiceSpec{
				Selector: sel,
				Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
			},
		}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	tcp := corev1.ProtocolTCP
	port := intstr.FromInt32(8080)
	if err := parallel(ctx, "networkpolicies", o.netpols, o.concurrency, func(ctx context.Context, i int) error {
		ns := nsName(i % o.namespaces)
		np := &netv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Labels: labels}}
		if (i/o.namespaces)%2 == 0 {
			np.Name = fmt.Sprintf("default-deny-ingress-%d", i/o.namespaces)
			np.Spec = netv1.NetworkPolicySpec{PolicyTypes: []netv1.PolicyType{netv1.PolicyTypeIngress}}
		} else {
			np.Name = fmt.Sprintf("allow-same-namespace-%d", i/o.namespaces)
			np.Spec = netv1.NetworkPolicySpec{
				PolicyTypes: []netv1.PolicyType{netv1.PolicyTypeIngress},
				Ingress: []netv1.NetworkPolicyIngressRule{{
					From:  []netv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
					Ports: []netv1.NetworkPolicyPort{{Protocol: &tcp, Port: &port}},
				}},
			}
		}
		_, err := cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, np, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	class := "nginx"
	prefix := netv1.PathTypePrefix
	if err := parallel(ctx, "ingresses", o.ingresses, o.concurrency, func(ctx context.Context, i int) error {
		svc := i % o.services
		_, err := cs.NetworkingV1().Ingresses(svcNS(svc)).Create(ctx, &netv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ing-%05d", i), Labels: labels},
			Spec: netv1.IngressSpec{
				IngressClassName: &class,
				Rules: []netv1.IngressRule{{
					Host: svcName(svc) + ".scale.kdiag.test",
					IngressRuleValue: netv1.IngressRuleValue{HTTP: &netv1.HTTPIngressRuleValue{Paths: []netv1.HTTPIngressPath{{
						Path: "/", PathType: &prefix,
						Backend: netv1.IngressBackend{Service: &netv1.IngressServiceBackend{
							Name: svcName(svc), Port: netv1.ServiceBackendPort{Number: 80}}},
					}}}},
				}},
			},
		}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}
	logf("all objects created in %.1fs; waiting for pods Ready (kwok) and EndpointSlices", time.Since(t0).Seconds())
	tw := time.Now()
	for {
		ready, total, err := readyPods(ctx, cs)
		if err != nil {
			return err
		}
		slices, eps, err := sliceEndpoints(ctx, cs)
		if err != nil {
			return err
		}
		logf("pods ready %d/%d, EndpointSlices %d with %d ready endpoints", ready, total, slices, eps)
		if ready >= o.pods && eps >= expectedEndpoints(o) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	logf("ready after %.1fs more; total load time %.1fs", time.Since(tw).Seconds(), time.Since(t0).Seconds())
	return nil
}

// serviceOf: pod j belongs to Service j*services/pods, so pods of the same Service are
// neighbours and a larger load (2× Services and 2× Pods) keeps every object of a smaller
// one: loading 1× then 2× creates only the difference.
func (o opts) serviceOf(j int) int { return j * o.services / o.pods }

func expectedEndpoints(o opts) int {
	n := 0
	for j := 0; j < o.pods; j++ {
		svc := o.serviceOf(j)
		if o.faultyEvery > 0 && svc%o.faultyEvery == o.faultyEvery-1 {
			continue
		}
		n++
	}
	return n
}

func readyPods(ctx context.Context, cs *kubernetes.Clientset) (int, int, error) {
	ready, total := 0, 0
	cont := ""
	for {
		l, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: scaleLabel, Limit: 5000, Continue: cont})
		if err != nil {
			return 0, 0, err
		}
		for _, p := range l.Items {
			total++
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if cont = l.Continue; cont == "" {
			return ready, total, nil
		}
	}
}

func sliceEndpoints(ctx context.Context, cs *kubernetes.Clientset) (int, int, error) {
	slices, eps := 0, 0
	cont := ""
	for {
		l, err := cs.DiscoveryV1().EndpointSlices("").List(ctx, metav1.ListOptions{Limit: 5000, Continue: cont})
		if err != nil {
			return 0, 0, err
		}
		for _, s := range l.Items {
			if len(s.Namespace) < len(nsPrefix) || s.Namespace[:len(nsPrefix)] != nsPrefix {
				continue
			}
			slices++
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && *e.Conditions.Ready {
					eps++
				}
			}
		}
		if cont = l.Continue; cont == "" {
			return slices, eps, nil
		}
	}
}

func down(ctx context.Context, cs *kubernetes.Clientset) error {
	t0 := time.Now()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: scaleLabel})
	if err != nil {
		return err
	}
	// Pods first, with grace period 0: they run nowhere, so they go at once
	// (server-side, one request per namespace) instead of one by one through
	// the namespace controller and kwok.
	zero := int64(0)
	if err := parallel(ctx, "pod collections", len(nss.Items), 8, func(ctx context.Context, i int) error {
		return cs.CoreV1().Pods(nss.Items[i].Name).DeleteCollection(ctx,
			metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{LabelSelector: scaleLabel})
	}); err != nil {
		return err
	}
	for _, ns := range nss.Items {
		if err := cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	logf("deleting %d namespaces", len(nss.Items))
	for {
		l, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: scaleLabel})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			break
		}
		logf("%d namespaces still terminating", len(l.Items))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	if err := cs.CoreV1().Nodes().DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: scaleLabel}); err != nil {
		return err
	}
	logf("scale objects removed in %.1fs", time.Since(t0).Seconds())
	return nil
}
