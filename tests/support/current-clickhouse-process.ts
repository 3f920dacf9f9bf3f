import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** ClickHouse 26.7's engine served on loopback by clickhouse-current.mjs (its own process). */
export interface CurrentClickHouse {
  child: ChildProcess;
  url: string;
  version: string;
}

/** Starts clickhouse-current.mjs on a free-looking port with its data in `dataDir`; resolves once it listens. */
export function startCurrentClickHouse(dataDir: string): Promise<CurrentClickHouse> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [path.join(__dirname, 'clickhouse-current.mjs')], {
    env: { ...process.env, CLICKHOUSE_CURRENT_PORT: String(port), CLICKHOUSE_CURRENT_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`clickhouse-current.mjs exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [word, url, version] = line.split(' ');
      if (word === 'listening' && url && version) resolve({ child, url, version });
    });
  });
}
