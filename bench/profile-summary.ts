import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) this summary reads. */
interface CpuProfile {
  nodes: { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  process: string;
  /** Seconds the profile covers, and the share of it the process was busy (not idle). */
  seconds: number;
  busyShare: number;
  /** Busy time by where the code lives, largest first, as a share of busy time. */
  byPackage: { name: string; share: number }[];
  topFunctions: { name: string; share: number }[];
}

const IDLE = '(idle)';

/** Where a frame's code lives: a package, one of Vestnik's folders, Node itself, or V8's own entries (GC). */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (module) return module;
  if (url.startsWith('node:')) return 'node (core)';
  const own = /\/dist\/([^/]+)\//.exec(url)?.[1];
  return own ? `vestnik ${own}/` : '(other)';
}

/** Self time per package and per function of one profile. */
export function summariseProfile(profile: CpuProfile, file: string, processName: string): ProfileSummary {
  const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    if (count === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === IDLE) {
      idle += count;
      continue;
    }
    const where = packageOf(url, functionName);
    byPackage.set(where, (byPackage.get(where) ?? 0) + count);
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
  }
  const busy = hits - idle;
  const ranked = (counts: Map<string, number>, top: number) => [...counts.entries()]
    .sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => ({ name, share: busy > 0 ? count / busy : 0 }));
  return {
    file, process: processName, seconds: (profile.endTime - profile.startTime) / 1e6, busyShare: hits > 0 ? busy / hits : 0,
    byPackage: ranked(byPackage, 8), topFunctions: ranked(byFunction, 6),
  };
}

/** Every profile in `dir` (named CPU.<date>.<time>.<pid>.…), with the process name of its pid. */
export function summariseProfiles(dir: string, processNames: ReadonlyMap<number, string>): { summaries: ProfileSummary[]; text: string } {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).sort();
  const summaries = files.map((file) => {
    const pid = Number(file.split('.')[3]);
    return summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, file, processNames.get(pid) ?? `pid ${pid}`);
  });
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const text = summaries.map((s) => [
    `${s.process}: busy ${pct(s.busyShare)} of ${s.seconds.toFixed(0)} s`,
    `  by package: ${s.byPackage.map((p) => `${p.name} ${pct(p.share)}`).join(', ')}`,
    `  top functions: ${s.topFunctions.map((f) => `${f.name} ${pct(f.share)}`).join('; ')}`,
  ].join('\n')).join('\n');
  return { summaries, text };
}
