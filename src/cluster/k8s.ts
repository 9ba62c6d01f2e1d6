// The one module that imports values from @kubernetes/client-node: exactly the ones kdiag
// uses. In source and tests it is the package itself. In dist, build/vendor.mjs replaces it
// with an esbuild bundle of just these names, built from the package's own modules: the
// package's index loads every generated API (~300 ms at each start); kdiag uses eight.
// A name added here must also have a module in build/vendor.mjs (the build says so).
export {
  ApiException,
  ApisApi,
  AppsV1Api,
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  RbacAuthorizationV1Api,
  ResponseContext,
  VersionApi,
  Watch,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
