// A command run against several contexts (--context a,b / --all-contexts): runs the same command
// once per context in this process, collects each run's JSON, and prints one fleet result.
import type { Style } from '../report/style.js';
import type { Report, Severity } from '../report/types.js';
import { EXIT_FAILURE, KdiagError } from '../errors.js';
import { fleetContexts, fleetReport, runFleet, worstExit, type FleetRun } from './run.js';

/** The parts of a command instance a per-context run is driven through. */
export interface FleetChild {
  log(message?: string): void;
  logToStderr(message?: string): void;
  catch(err: Error): Promise<unknown>;
  _run(): Promise<unknown>;
}

export interface FleetCommandHost {
  id: string;
  output: string;
  contextFlag?: string;
  allContexts: boolean;
  kubeconfig?: string;
  requestTimeoutMs: number;
  failOn: Severity;
  watch: boolean;
  style: Style;
  table(head: string[], rows: string[][]): string;
  log(text: string): void;
  note(line: string): void;
  emitMetrics(reports: Report[]): Promise<void>;
  exit(code: number): void;
  /** A fresh instance of the same command for `context`, printing JSON. */
  child(context: string): FleetChild;
}

const FLEET_OUTPUTS = ['table', 'wide', 'json', 'yaml', 'junit', 'prometheus'];

/** Runs one context's command, capturing what it prints, its exit code and the error it failed with. */
async function runChild(child: FleetChild): Promise<{ stdout: string; stderr: string; exitCode: number; error?: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  let error: unknown;
  child.log = (m = '') => void out.push(m);
  child.logToStderr = (m = '') => void err.push(m);
  const handle = child.catch.bind(child);
  child.catch = async (e: Error) => {
    if ((e as { code?: string }).code !== 'EEXIT') error = e;
    return handle(e);
  };
  let exitCode = 0;
  try {
    await child._run();
  } catch (e) {
    const exit = (e as { oclif?: { exit?: number } }).oclif?.exit;
    exitCode = typeof exit === 'number' ? exit : EXIT_FAILURE;
    if ((e as { code?: string }).code !== 'EEXIT') error ??= e;
  }
  return { stdout: out.join('\n'), stderr: err.join('\n'), exitCode, error };
}

export async function fleetMode(host: FleetCommandHost): Promise<void> {
  if (!FLEET_OUTPUTS.includes(host.output)) throw new KdiagError(`-o ${host.output} is for one cluster; with several contexts use ${FLEET_OUTPUTS.join(', ')}`);
  if (host.output === 'junit' && host.id !== 'check') throw new KdiagError('-o junit is for kdiag check');
  if (host.watch) throw new KdiagError('--watch follows one cluster; drop it or name one context');
  const contexts = await fleetContexts(host.contextFlag, host.allContexts, host.kubeconfig);
  const runs = await runFleet(
    { kubeconfig: host.kubeconfig, requestTimeoutMs: host.requestTimeoutMs, note: host.note, runFor: (context) => runChild(host.child(context)) },
    contexts,
  );
  const { renderJson, renderYaml } = await import('../report/render.js');
  switch (host.output) {
    case 'json':
      host.log(renderJson(fleetReport(host.id, runs)));
      break;
    case 'yaml':
      host.log(await renderYaml(fleetReport(host.id, runs)));
      break;
    case 'prometheus':
      await host.emitMetrics(runs.map((r) => r.report ?? metricsStub(r)));
      break;
    case 'junit': {
      const [{ renderJunit }, { fleetCheckResults }] = await Promise.all([import('../report/junit.js'), import('./render.js')]);
      host.log(renderJunit(fleetCheckResults(runs, host.failOn), host.failOn, `kdiag check (${contexts.length} contexts)`));
      break;
    }
    default: {
      const { fleetFindings, fleetTable } = await import('./render.js');
      host.log(fleetTable(runs, (h, r) => host.table(h, r), host.style));
      const findings = fleetFindings(runs, host.style);
      if (findings) host.log(`\n${findings}`);
    }
  }
  const code = worstExit(runs);
  if (code !== 0) host.exit(code);
}

/** A cluster that printed no report still gets its kdiag_run_success 0 series. */
function metricsStub(run: FleetRun): Report {
  return { apiVersion: 'kdiag/v1', kind: 'CheckReport', context: run.summary.context, error: run.summary.error ?? run.summary.status, findings: [] };
}
