// The fetch floor of a scan: GET every page (limit=500, gzip accepted) of the given lists from
// the API server, one chain of pages per list, all lists at once; parse each page and keep
// nothing. No command that reads these lists can be faster on the same server.
//   node bench/floor.js --kubeconfig FILE /api/v1/pods /api/v1/services ...
// A path may carry a query (fieldSelector=…). Prints the pages and objects read to stderr.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { dirname, resolve } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { load as loadYaml } from 'js-yaml';

const unzip = promisify(gunzip);

/** Server and TLS credentials of the kubeconfig's current context. */
export function connection(file) {
  const kc = loadYaml(readFileSync(file, 'utf8'));
  const context = kc.contexts.find((c) => c.name === kc['current-context']).context;
  const cluster = kc.clusters.find((c) => c.name === context.cluster).cluster;
  const user = kc.users.find((u) => u.name === context.user)?.user ?? {};
  const data = (inline, path) => (inline ? Buffer.from(inline, 'base64') : path ? readFileSync(resolve(dirname(file), path)) : undefined);
  return {
    server: cluster.server,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: user.token,
    rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
  };
}

function get(conn, agent, path) {
  return new Promise((done, fail) => {
    const url = new URL(path, conn.server);
    const req = request(
      url,
      {
        agent,
        headers: { Accept: 'application/json', 'Accept-Encoding': 'gzip', ...(conn.token ? { Authorization: `Bearer ${conn.token}` } : {}) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', async () => {
          try {
            // A kind the server does not serve (404, e.g. no Gateway API) is one request, as for kdiag.
            if (res.statusCode !== 200) return done({});
            const body = Buffer.concat(chunks);
            const text = res.headers['content-encoding'] === 'gzip' ? await unzip(body) : body;
            done(JSON.parse(text.toString('utf8')));
          } catch (err) {
            fail(err);
          }
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    req.end();
  });
}

export async function floor(kubeconfig, paths) {
  const conn = connection(kubeconfig);
  const agent = new Agent({ keepAlive: true, ca: conn.ca, cert: conn.cert, key: conn.key, rejectUnauthorized: conn.rejectUnauthorized });
  const counts = await Promise.all(
    paths.map(async (path) => {
      let pages = 0;
      let objects = 0;
      let cont;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const page = await get(conn, agent, `${path}${sep}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
        pages += 1;
        objects += page.items?.length ?? 0;
        cont = page.metadata?.continue || undefined;
      } while (cont);
      return { path, pages, objects };
    }),
  );
  agent.destroy();
  return counts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--kubeconfig');
  const kubeconfig = process.argv[at + 1];
  const paths = process.argv.slice(2).filter((a, i) => i + 2 !== at && i + 2 !== at + 1);
  const counts = await floor(kubeconfig, paths);
  process.stderr.write(`${counts.map((c) => `${c.path} ${c.pages} pages ${c.objects} objects`).join('\n')}\n`);
}
