// The CoreDNS Corefile as data: server blocks (zones and port) with their plugins, each
// plugin's arguments and nested block. Only what kdiag reads is modelled: the syntax is
// line-oriented (one directive per line, `{` opens a block at the end of a line, `}` closes
// it, `#` starts a comment); snippets and imports are kept as plugins named `import`.

export interface CorefilePlugin {
  name: string;
  args: string[];
  body: CorefilePlugin[];
}

export interface CorefileServer {
  /** Zones without the port, lower case, without the trailing dot ('.' for the root). */
  zones: string[];
  port: number;
  plugins: CorefilePlugin[];
}

function zoneOf(key: string): { zone: string; port: number } {
  const bare = key.replace(/^(dns|tls|grpc|https|quic):\/\//, '');
  const m = /^(.*?)(?::(\d+))?$/.exec(bare)!;
  const zone = (m[1] ?? '.').toLowerCase();
  return { zone: zone === '.' || zone === '' ? '.' : zone.replace(/\.$/, ''), port: m[2] ? Number(m[2]) : 53 };
}

/** Parses a Corefile; never throws (an unbalanced file yields what was read). */
export function parseCorefile(text: string): CorefileServer[] {
  const servers: CorefileServer[] = [];
  const stack: CorefilePlugin[][] = [];
  let current: CorefileServer | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const opens = line.endsWith('{');
    const words = (opens ? line.slice(0, -1) : line).split(/[\s,]+/).filter(Boolean);
    if (line === '}') {
      if (stack.length > 1) stack.pop();
      else {
        stack.pop();
        current = undefined;
      }
      continue;
    }
    if (!current) {
      if (!opens) continue;
      const keys = words.map(zoneOf);
      current = { zones: keys.map((k) => k.zone), port: keys[0]?.port ?? 53, plugins: [] };
      servers.push(current);
      stack.push(current.plugins);
      continue;
    }
    const [name, ...args] = words;
    if (!name) continue;
    const plugin: CorefilePlugin = { name: name.toLowerCase(), args, body: [] };
    stack[stack.length - 1]!.push(plugin);
    if (opens) stack.push(plugin.body);
  }
  return servers;
}

/** Does zone (e.g. '.', 'local') contain name (e.g. 'cluster.local')? */
export function zoneCovers(zone: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return zone === '.' || n === zone || n.endsWith(`.${zone}`);
}

/** The server block on port 53 that answers `name`: the one with the longest matching zone. */
export function serverFor(servers: readonly CorefileServer[], name: string): CorefileServer | undefined {
  let best: { s: CorefileServer; len: number } | undefined;
  for (const s of servers.filter((x) => x.port === 53)) {
    for (const z of s.zones) {
      if (!zoneCovers(z, name)) continue;
      const len = z === '.' ? 0 : z.length;
      if (!best || len > best.len) best = { s, len };
    }
  }
  return best?.s;
}

/** The zones a plugin serves: its leading zone arguments, or its server block's zones. */
export function pluginZones(plugin: CorefilePlugin, server: CorefileServer): string[] {
  const zones = plugin.args.filter((a) => /^[a-z0-9.-]+$/i.test(a) && !/^\d+$/.test(a)).map((a) => (a === '.' ? '.' : a.toLowerCase().replace(/\.$/, '')));
  return zones.length ? zones : server.zones;
}

/** `forward FROM TO...`: the destinations (addresses, or /etc/resolv.conf). */
export function forwardsOf(server: CorefileServer): { from: string; to: string[] }[] {
  return server.plugins
    .filter((p) => p.name === 'forward' || p.name === 'proxy')
    .map((p) => ({ from: p.args[0] ?? '.', to: p.args.slice(1).filter((a) => a !== 'except') }));
}
