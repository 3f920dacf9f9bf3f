/** Command-line options of the benchmark: `--clients N`, `--out path`, `--raw-seconds S`, `--cpu-prof` and `--cluster`. */
export interface BenchArgs {
  clients: number;
  out: string;
  /** How long the raw provider rate is measured, before the mailing and again after it (default 60 s). */
  rawSeconds: number;
  /** Each Vestnik process writes a V8 CPU profile next to the JSON, summarised in the output. */
  cpuProf: boolean;
  /** `--cluster`: on the cluster world (three Kafka nodes, two ClickHouse shards; infra/local/cluster-world.ts). */
  cluster: boolean;
}

export function parseBenchArgs(argv: readonly string[], now = new Date()): BenchArgs {
  const valueOf = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const clients = Number(valueOf('--clients') ?? 1_000_000);
  if (!Number.isInteger(clients) || clients < 1) throw new TypeError(`--clients must be a positive integer, got ${valueOf('--clients')}`);
  const rawSeconds = Number(valueOf('--raw-seconds') ?? 60);
  if (!Number.isFinite(rawSeconds) || rawSeconds <= 0) throw new TypeError(`--raw-seconds must be a positive number, got ${valueOf('--raw-seconds')}`);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return { clients, out: valueOf('--out') ?? `bench/results/${stamp}.json`, rawSeconds, cpuProf: argv.includes('--cpu-prof'), cluster: argv.includes('--cluster') };
}
