// Hairpin (pure): can a pod reach itself through its own Service? From inside the pod (an
// ephemeral container in its network namespace), the Service's ClusterIP is tried several
// times in parallel (kube-proxy picks an endpoint at random, so some tries are sent back to the
// pod itself) and the pod's own IP once. Tries answered by other pods while the ones sent back
// to the pod time out, with the pod answering on its own IP, is the hairpin failure. Where the
// bridge drops the hairpin packet before connection tracking confirms its translation (br_netfilter),
// the client's SYN retransmission (after 1 s) is translated afresh and may reach another pod: such
// tries succeed, slowly. So a try that needed a retransmission to connect counts as failed to reach
// the pod itself, when no try was answered by the pod.
import { finding } from '../checks/lib/finding.js';
import type { Finding } from '../report/types.js';
import type { Snapshot } from '../snapshot.js';
import { answeredBy } from '../probes/interpret-http.js';
import type { ProbeTarget } from '../probes/plan.js';
import { readyEndpointsFor } from './plan.js';

export interface HairpinPlan {
  target: ProbeTarget;
  pod: { namespace: string; name: string; ip: string; node?: string };
  clusterIp: string;
  /** URLs in the script's order: the ClusterIP `tries` times, then the pod's own IP. */
  urls: string[];
  tries: number;
  endpoints: number;
}

export interface HairpinTry {
  index: number;
  exitCode: number;
  httpCode: number;
  /** Seconds until the TCP connection opened (0: never). */
  connectSeconds: number;
  answeredBy?: string;
}

/** A connect that took a SYN retransmission (the first retry comes after 1 s). */
export const RETRANSMIT_SECONDS = 0.9;

export interface HairpinResult {
  plan: HairpinPlan;
  viaService: HairpinTry[];
  own?: HairpinTry;
  /** ok: the pod reached itself; failed: hairpin broken; not-exercised: no try was sent back to the pod. */
  verdict: 'ok' | 'failed' | 'not-exercised' | 'pod-not-serving';
}

function urlOf(t: ProbeTarget, host: string, port: number): string {
  const m = /^(https?):\/\/[^/]+(\/.*)?$/.exec(t.url);
  return t.mode === 'tcp' ? `telnet://${host}:${port}` : `${m?.[1] ?? 'http'}://${host}:${port}${m?.[2] ?? '/'}`;
}

/** The hairpin tests for `pod` (--from): every Service target it is a ready endpoint of. */
export function planHairpin(targets: readonly ProbeTarget[], snapshot: Snapshot, pod: { namespace: string; name: string }): HairpinPlan[] {
  const plans: HairpinPlan[] = [];
  for (const t of targets) {
    if (t.unresolved || !t.service) continue;
    const svc = snapshot.services.find((s) => s.metadata?.namespace === t.service!.namespace && s.metadata?.name === t.service!.name);
    const clusterIp = svc?.spec?.clusterIP;
    if (!clusterIp || clusterIp === 'None') continue;
    const eps = readyEndpointsFor(snapshot, t.service.namespace, t.service.name, t.service.portName);
    const self = eps.find((e) => e.namespace === pod.namespace && e.name === pod.name);
    if (!self) continue;
    // Enough tries that kube-proxy's random choice sends some back to the pod: (1 - 1/n)^tries
    // is the chance that none is (2 endpoints: 0.02 %, 3: 0.8 %).
    const tries = Math.min(16, Math.max(12, 4 * eps.length));
    const viaService = urlOf(t, clusterIp, t.port);
    plans.push({
      target: t,
      pod: { ...pod, ip: self.ip, ...(self.node ? { node: self.node } : {}) },
      clusterIp,
      urls: [...Array<string>(tries).fill(viaService), urlOf(t, self.ip, self.port)],
      tries,
      endpoints: eps.length,
    });
  }
  return plans;
}

/** Reads HAIRPIN_SCRIPT's lines for the plans (their URLs were passed in order). */
export function interpretHairpin(log: string, nonce: string, plans: readonly HairpinPlan[]): HairpinResult[] {
  const marker = `KDIAG${nonce} hairpin `;
  const tries = new Map<number, HairpinTry>();
  for (const line of log.split('\n')) {
    const at = line.indexOf(marker);
    if (at < 0) continue;
    const [idx, exit, code, connect, ...body] = line.slice(at + marker.length).split(' ');
    const by = answeredBy(body.join(' '));
    tries.set(Number(idx), {
      index: Number(idx),
      exitCode: Number(exit),
      httpCode: Number(code) || 0,
      connectSeconds: Number(connect) || 0,
      ...(by ? { answeredBy: by } : {}),
    });
  }
  let offset = 0;
  return plans.map((plan) => {
    const viaService = Array.from({ length: plan.tries }, (_, i) => tries.get(offset + i)).filter((x): x is HairpinTry => Boolean(x));
    const own = tries.get(offset + plan.tries);
    offset += plan.urls.length;
    const isSelf = (x: HairpinTry) => (x.answeredBy ?? '').split(' ').some((w) => w === plan.pod.name || w === plan.pod.ip);
    const answered = (x: HairpinTry) => x.exitCode === 0 || x.httpCode > 0;
    let verdict: HairpinResult['verdict'];
    if (!own || !answered(own)) verdict = 'pod-not-serving';
    else if (viaService.some((x) => answered(x) && isSelf(x))) verdict = 'ok';
    else if (viaService.some((x) => !answered(x) || x.connectSeconds >= RETRANSMIT_SECONDS)) verdict = 'failed';
    else verdict = 'not-exercised';
    return { plan, viaService, ...(own ? { own } : {}), verdict };
  });
}

export function hairpinSummary(r: HairpinResult): string {
  const failed = r.viaService.filter((x) => !(x.exitCode === 0 || x.httpCode > 0)).length;
  const self = r.viaService.filter((x) => (x.answeredBy ?? '').split(' ').includes(r.plan.pod.name)).length;
  const others = r.viaService.length - failed - self;
  const slow = r.viaService.filter((x) => (x.exitCode === 0 || x.httpCode > 0) && x.connectSeconds >= RETRANSMIT_SECONDS).length;
  return `${r.viaService.length} tries of the ClusterIP from inside ${r.plan.pod.name}: ${self} answered by itself, ${others} by other pods${slow ? ` (${slow} only after a SYN retransmission)` : ''}, ${failed} failed; its own IP ${r.own && (r.own.exitCode === 0 || r.own.httpCode > 0) ? 'answers' : 'does not answer'}`;
}

export function hairpinFindings(results: readonly HairpinResult[]): Finding[] {
  return results
    .filter((r) => r.verdict === 'failed')
    .map((r) => {
      const { pod, target } = r.plan;
      const failed = r.viaService.filter((x) => !(x.exitCode === 0 || x.httpCode > 0));
      const slow = r.viaService.filter((x) => (x.exitCode === 0 || x.httpCode > 0) && x.connectSeconds >= RETRANSMIT_SECONDS);
      const others = [...new Set(r.viaService.map((x) => x.answeredBy?.split(' ')[0]).filter((x): x is string => Boolean(x)))];
      return finding(
        'KD5044',
        { kind: 'Service', namespace: target.service!.namespace, name: target.service!.name },
        {
          message: `${target.service!.name}: pod ${pod.name} cannot reach itself through the Service (hairpin): ${r.viaService.length} tries of ${r.plan.clusterIp}:${target.port}, none answered by the pod itself; ${failed.length} failed${slow.length ? `, ${slow.length} connected only after a SYN retransmission` : ''}; answers came from ${others.join(', ') || 'no pod'}`,
          cause: `From inside pod ${pod.name} (node ${pod.node ?? '?'}), the tries kube-proxy sent to other endpoints were answered, the pod answers on its own IP ${pod.ip}, and not one try was answered by the pod itself: the connections sent back to the pod they came from are lost (a try that connects only after the SYN is retransmitted a second later was lost once and translated afresh to another pod). That is hairpin traffic: the packet leaves the pod's bridge port and must come back in through the same port, which a Linux bridge allows only with hairpin mode on for that port (kubelet --hairpin-mode hairpin-veth or promiscuous-bridge, the CNI bridge plugin's "hairpinMode": true).`,
          fix: `On node ${pod.node ?? 'NODE'}, check /sys/class/net/BRIDGE/brif/*/hairpin_mode (1 = on) for the pod's veth; turn hairpin on in the network plugin's configuration ("hairpinMode": true for the bridge plugin) or the kubelet's --hairpin-mode, then recreate the pod so its port gets it. Until then, a pod that calls its own Service fails on the share of requests sent to itself.`,
        },
      );
    });
}
