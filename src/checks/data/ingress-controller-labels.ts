// The Pod labels by which kdiag finds Ingress controllers' Pods in any namespace (KD4009 checks
// their reach to the Ingress backends); shared by the rule and by the loader that lists only
// the Pods the NetworkPolicy rules can look at.

/** Labels by which ingress controllers' pods are found, in any namespace. */
export const INGRESS_CONTROLLER_LABELS: readonly (readonly [string, string])[] = [
  ['app.kubernetes.io/name', 'ingress-nginx'],
  ['app.kubernetes.io/name', 'rke2-ingress-nginx'],
  ['app', 'ingress-nginx'],
  ['app.kubernetes.io/name', 'traefik'],
  ['app.kubernetes.io/name', 'haproxy-ingress'],
  ['app.kubernetes.io/name', 'contour'],
];
