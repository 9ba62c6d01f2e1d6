// Data, not logic: the ingress-nginx annotations kdiag knows (prefix
// nginx.ingress.kubernetes.io/), each with the type of value ingress-nginx parses, and the
// annotation prefixes of other controllers. Written from ingress-nginx's annotation
// reference; add a key here, the check picks it up.

/**
 * bool: Go's strconv.ParseBool (true/false/1/0/t/f…); int: a whole number; size: an nginx
 * size (10m, 8k, 1024); ints: comma-separated whole numbers; cidrs: comma-separated
 * CIDRs or addresses; enum: one of `values`; string: anything (not checked).
 */
export type AnnotationType = 'bool' | 'int' | 'size' | 'ints' | 'cidrs' | 'enum' | 'string';

export interface AnnotationSpec {
  type: AnnotationType;
  values?: readonly string[];
}

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/';

const bool: AnnotationSpec = { type: 'bool' };
const int: AnnotationSpec = { type: 'int' };
const size: AnnotationSpec = { type: 'size' };
const str: AnnotationSpec = { type: 'string' };
const cidrs: AnnotationSpec = { type: 'cidrs' };
const onOff: AnnotationSpec = { type: 'enum', values: ['on', 'off'] };
const enumOf = (...values: string[]): AnnotationSpec => ({ type: 'enum', values });

export const NGINX_ANNOTATIONS: Readonly<Record<string, AnnotationSpec>> = {
  // Rewrites and redirects
  'rewrite-target': str,
  'use-regex': bool,
  'app-root': str,
  'ssl-redirect': bool,
  'force-ssl-redirect': bool,
  'from-to-www-redirect': bool,
  'preserve-trailing-slash': bool,
  'permanent-redirect': str,
  'permanent-redirect-code': int,
  'temporal-redirect': str,
  'temporal-redirect-code': int,
  'x-forwarded-prefix': str,
  'enable-rewrite-log': bool,
  // Rate limiting
  'limit-rps': int,
  'limit-rpm': int,
  'limit-connections': int,
  'limit-burst-multiplier': int,
  'limit-rate': int,
  'limit-rate-after': int,
  'limit-whitelist': cidrs,
  'limit-allowlist': cidrs,
  // Timeouts, buffering and body size
  'proxy-connect-timeout': int,
  'proxy-read-timeout': int,
  'proxy-send-timeout': int,
  'proxy-next-upstream': str,
  'proxy-next-upstream-timeout': int,
  'proxy-next-upstream-tries': int,
  'proxy-body-size': size,
  'client-body-buffer-size': size,
  'proxy-buffering': onOff,
  'proxy-buffers-number': int,
  'proxy-buffer-size': size,
  'proxy-max-temp-file-size': size,
  'proxy-request-buffering': onOff,
  'proxy-http-version': enumOf('1.0', '1.1'),
  'proxy-cookie-domain': str,
  'proxy-cookie-path': str,
  'proxy-redirect-from': str,
  'proxy-redirect-to': str,
  'connection-proxy-header': str,
  // Upstreams
  'backend-protocol': enumOf('HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'FCGI'),
  'load-balance': enumOf('round_robin', 'ewma'),
  'upstream-hash-by': str,
  'upstream-vhost': str,
  'service-upstream': bool,
  'default-backend': str,
  'custom-http-errors': { type: 'ints' },
  'disable-proxy-intercept-errors': bool,
  'server-alias': str,
  // Session affinity
  affinity: enumOf('cookie'),
  'affinity-mode': enumOf('balanced', 'persistent'),
  'affinity-canary-behavior': enumOf('sticky', 'legacy'),
  'session-cookie-name': str,
  'session-cookie-path': str,
  'session-cookie-domain': str,
  'session-cookie-expires': int,
  'session-cookie-max-age': int,
  'session-cookie-secure': bool,
  'session-cookie-samesite': enumOf('None', 'Lax', 'Strict'),
  'session-cookie-conditional-samesite-none': bool,
  'session-cookie-change-on-failure': bool,
  // Canary
  canary: bool,
  'canary-by-header': str,
  'canary-by-header-value': str,
  'canary-by-header-pattern': str,
  'canary-by-cookie': str,
  'canary-weight': int,
  'canary-weight-total': int,
  // Authentication
  'auth-type': enumOf('basic', 'digest'),
  'auth-secret': str,
  'auth-secret-type': enumOf('auth-file', 'auth-map'),
  'auth-realm': str,
  'auth-url': str,
  'auth-method': str,
  'auth-signin': str,
  'auth-signin-redirect-param': str,
  'auth-response-headers': str,
  'auth-request-redirect': str,
  'auth-proxy-set-headers': str,
  'auth-snippet': str,
  'auth-cache-key': str,
  'auth-cache-duration': str,
  'auth-keepalive': int,
  'auth-keepalive-requests': int,
  'auth-keepalive-timeout': int,
  'auth-keepalive-share-vars': bool,
  'auth-always-set-cookie': bool,
  'enable-global-auth': bool,
  'auth-tls-secret': str,
  'auth-tls-verify-depth': int,
  'auth-tls-verify-client': enumOf('on', 'off', 'optional', 'optional_no_ca'),
  'auth-tls-error-page': str,
  'auth-tls-pass-certificate-to-upstream': bool,
  'auth-tls-match-cn': str,
  satisfy: enumOf('all', 'any'),
  // Access control
  'whitelist-source-range': cidrs,
  'allowlist-source-range': cidrs,
  'denylist-source-range': cidrs,
  // CORS
  'enable-cors': bool,
  'cors-allow-origin': str,
  'cors-allow-methods': str,
  'cors-allow-headers': str,
  'cors-expose-headers': str,
  'cors-allow-credentials': bool,
  'cors-max-age': int,
  // TLS to clients and to backends
  'ssl-passthrough': bool,
  'ssl-ciphers': str,
  'ssl-prefer-server-ciphers': bool,
  'proxy-ssl-secret': str,
  'proxy-ssl-ciphers': str,
  'proxy-ssl-name': str,
  'proxy-ssl-protocols': str,
  'proxy-ssl-verify': onOff,
  'proxy-ssl-verify-depth': int,
  'proxy-ssl-server-name': onOff,
  // Snippets, headers, logging, mirroring, WAF, tracing
  'configuration-snippet': str,
  'server-snippet': str,
  'stream-snippet': str,
  'custom-headers': str,
  'enable-access-log': bool,
  'enable-opentelemetry': bool,
  'opentelemetry-trust-incoming-span': bool,
  'mirror-target': str,
  'mirror-host': str,
  'mirror-request-body': onOff,
  'enable-modsecurity': bool,
  'enable-owasp-core-rules': bool,
  'modsecurity-transaction-id': str,
  'modsecurity-snippet': str,
};

/** Annotation prefixes of other Ingress controllers, which ingress-nginx ignores. */
export const OTHER_CONTROLLER_PREFIXES: readonly { prefix: string; controller: string }[] = [
  { prefix: 'nginx.org/', controller: 'NGINX Ingress Controller (F5 NGINX)' },
  { prefix: 'nginx.com/', controller: 'NGINX Ingress Controller (F5 NGINX Plus)' },
  { prefix: 'traefik.ingress.kubernetes.io/', controller: 'Traefik' },
  { prefix: 'haproxy.org/', controller: 'HAProxy Kubernetes Ingress' },
  { prefix: 'haproxy.router.openshift.io/', controller: 'OpenShift router' },
  { prefix: 'alb.ingress.kubernetes.io/', controller: 'AWS Load Balancer Controller' },
  { prefix: 'ingress.gcp.kubernetes.io/', controller: 'GKE Ingress' },
  { prefix: 'konghq.com/', controller: 'Kong' },
  { prefix: 'projectcontour.io/', controller: 'Contour' },
  { prefix: 'appgw.ingress.kubernetes.io/', controller: 'Azure Application Gateway' },
];

/**
 * Where the controllers of well-known IngressClass `spec.controller` values run: label sets of
 * their Pods (any one set is enough). Used to tell whether the class's controller is up.
 */
export const CONTROLLER_POD_LABELS: Readonly<Record<string, { name: string; labels: readonly Record<string, string>[] }>> = {
  'k8s.io/ingress-nginx': { name: 'ingress-nginx', labels: [{ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }] },
  'nginx.org/ingress-controller': { name: 'NGINX Ingress Controller', labels: [{ 'app.kubernetes.io/name': 'nginx-ingress' }, { app: 'nginx-ingress' }] },
  'traefik.io/ingress-controller': { name: 'Traefik', labels: [{ 'app.kubernetes.io/name': 'traefik' }] },
  'haproxy.org/ingress-controller/haproxy': { name: 'HAProxy', labels: [{ 'app.kubernetes.io/name': 'kubernetes-ingress' }] },
};

export const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
