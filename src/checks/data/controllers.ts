// What kdiag knows about the common Ingress controllers and Gateway API implementations:
// the controller names their IngressClass/GatewayClass carry, the labels of their Pods,
// and the HTTP status they answer when a request cannot reach a backend. The statuses
// are what the controller really answered on kdiag's local cluster (`verified`), or what
// its documentation says (`documented`); `kdiag trace --probe` compares the two.

/** HTTP status a controller answers when the request stops at a hop (undefined: unknown). */
export interface ControllerAnswers {
  /** No rule or route matches the host and path. */
  noRoute?: number;
  /** The backend Service does not exist. */
  missingService?: number;
  /** The backend names a port the Service does not have. */
  missingPort?: number;
  /** The Service exists but has no ready endpoint. */
  noEndpoints?: number;
  /** A cross-namespace backendRef without ReferenceGrant (Gateway API). */
  refNotPermitted?: number;
}

export interface ControllerProfile {
  /** Short name used in findings. */
  name: string;
  /** IngressClass spec.controller. */
  ingressController?: string;
  /** GatewayClass spec.controllerName. */
  gatewayController?: string;
  /** Label sets of the controller's Pods (any one is enough). */
  podLabels: readonly Record<string, string>[];
  ingress?: ControllerAnswers;
  gateway?: ControllerAnswers;
  /** Subject of the certificate served when no certificate matches the SNI name. */
  defaultCertificate?: string;
  /** How the answers are known. */
  source: 'verified' | 'documented';
  /** One sentence on how the controller behaves, for explanations. */
  behaviour: string;
}

export const CONTROLLER_PROFILES: readonly ControllerProfile[] = [
  {
    name: 'Traefik',
    ingressController: 'traefik.io/ingress-controller',
    gatewayController: 'traefik.io/gateway-controller',
    podLabels: [{ 'app.kubernetes.io/name': 'traefik' }],
    // Measured with Traefik v3.7.13 on the local cluster (cluster/scenario/traefik/).
    ingress: { noRoute: 404, missingService: 404, missingPort: 404, noEndpoints: 404 },
    gateway: { noRoute: 404, missingService: 500, missingPort: 500, noEndpoints: 503, refNotPermitted: 500 },
    defaultCertificate: 'CN=TRAEFIK DEFAULT CERT',
    source: 'verified',
    behaviour:
      'Traefik drops an Ingress path whose Service or port is missing or has no ready endpoint (the request falls through to 404); for an HTTPRoute it keeps the rule and answers 500 for an unresolved backendRef and 503 when the Service has no ready endpoint. Without a certificate for the SNI name it serves its own TRAEFIK DEFAULT CERT.',
  },
  {
    name: 'ingress-nginx',
    ingressController: 'k8s.io/ingress-nginx',
    podLabels: [{ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }],
    ingress: { noRoute: 404, missingService: 503, missingPort: 503, noEndpoints: 503 },
    defaultCertificate: 'O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate',
    source: 'documented',
    behaviour:
      'ingress-nginx keeps a path whose backend is missing or has no ready endpoint and answers 503 for it; an unknown host gets its default backend (404) and its self-signed fake certificate.',
  },
];

export function profileForIngressController(controller: string | undefined): ControllerProfile | undefined {
  return controller ? CONTROLLER_PROFILES.find((p) => p.ingressController === controller) : undefined;
}

export function profileForGatewayController(controller: string | undefined): ControllerProfile | undefined {
  return controller ? CONTROLLER_PROFILES.find((p) => p.gatewayController === controller) : undefined;
}

/**
 * "Traefik answers 404" for a controller kdiag knows (with how it is known), else the
 * generic phrase. `what` is the hop the request stops at.
 */
export function answerPhrase(profile: ControllerProfile | undefined, api: 'ingress' | 'gateway', what: keyof ControllerAnswers, generic: string): string {
  const code = profile?.[api]?.[what];
  if (!profile || code === undefined) return generic;
  return `${profile.name} answers ${code}${profile.source === 'verified' ? '' : ' (documented)'}`;
}
