/**
 * The operator commands on the `vestnik` program: `lag`, `topics`, `mailing watch`, `dlq list|show|replay`.
 * Each gathers its rows through the module that owns them and prints them for whoever reads (output/mode.ts):
 * a table or a live bar on a terminal, plain text in a log, JSON with `--json`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createStatsQueries } from '../../analytics/stats-queries';
import { statsFromAnalytics } from '../../analytics/stats-api';
import { createMailingStore } from '../../domain/resources/stores';
import { createDeadLetters, type DeadLetters } from '../../ingest/dead-letters';
import { topicNamesOf } from '../../platform/kafka/topic-names';
import { outputModeOf } from '../output/mode';
import { createProgressView } from '../output/progress';
import { renderDeadLetterTable, renderLagTable, renderTable, renderTopicsTable } from '../output/tables';
import type { Runtime } from '../runtime';
import { collectLag } from './lag';
import { createMailingProgressReader, watchMailing } from './mailing-watch';
import { LOG_LEVELS, runOperatorCommand, type OperatorOptions } from './operator-runtime';
import { collectTopics } from './topics';

const print = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

/** --json and --log-level on every operator command. */
function operator(command: Command): Command {
  return command
    .option('--json', 'machine-readable output on stdout')
    .addOption(new Option('--log-level <level>', 'client logs on stderr (LOG_LEVEL is ignored here)').choices(LOG_LEVELS).default('silent'));
}

async function withAdmin<T>(runtime: Runtime, use: (admin: ReturnType<ReturnType<Runtime['kafka']>['admin']>) => Promise<T>): Promise<T> {
  const admin = runtime.kafka().admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

export function registerOperatorCommands(program: Command): void {
  operator(program.command('lag').description('committed lag of every consumer group of this deployment, per topic')
    .option('--group <text>', 'only groups whose id contains this'))
    .action((options: OperatorOptions & { group?: string }) => runOperatorCommand(options, async (runtime) => {
      const rows = await withAdmin(runtime, (admin) => collectLag(admin, runtime.config.kafka.groupPrefix, topicNamesOf(runtime.kafka()), options.group));
      const mode = outputModeOf(options);
      if (mode === 'json') printJson({ items: rows });
      else print(renderLagTable(rows, { color: mode === 'tty' }));
      return 0;
    }));

  operator(program.command('topics').description("this deployment's topics on the broker (KAFKA_TOPIC_PREFIX): partitions, records, policy"))
    .action((options: OperatorOptions) => runOperatorCommand(options, async (runtime) => {
      const rows = await withAdmin(runtime, (admin) => collectTopics(admin, topicNamesOf(runtime.kafka())));
      const mode = outputModeOf(options);
      if (mode === 'json') printJson({ items: rows });
      else print(renderTopicsTable(rows, { color: mode === 'tty' }));
      return rows.some((row) => row.partitions === null) ? 1 : 0;
    }));

  const mailing = program.command('mailing').description('mailings');
  operator(mailing.command('watch').description("a mailing's progress (final deliveries of those queued, rate, ETA) until it ends")
    .argument('<id>', 'the mailing id')
    .option('--interval <ms>', 'poll every this many ms', parsePositiveInt, 1000)
    .option('--timeout <seconds>', 'give up (exit 1) after this long', parsePositiveInt))
    .action((id: string, options: OperatorOptions & { interval: number; timeout?: number }) => runOperatorCommand(options, (runtime) => watch(runtime, id, options)));

  const dlq = program.command('dlq').description('dead letters: list, show, replay (the console\'s replay: each at most once)');
  operator(dlq.command('list').description('dead letters, newest first')
    .option('--topic <topic>', 'only those of this original (logical) topic')
    .option('--limit <n>', 'at most this many', parsePositiveInt, 20)
    .option('--cursor <cursor>', 'the next page, as a previous --json listing gave it'))
    .action((options: OperatorOptions & { topic?: string; limit: number; cursor?: string }) => runOperatorCommand(options, async (runtime) => {
      const page = await (await deadLettersOf(runtime)).list({ topic: options.topic, limit: options.limit, cursor: options.cursor });
      const mode = outputModeOf(options);
      if (mode === 'json') printJson(page);
      else print(renderDeadLetterTable(page.items, { color: mode === 'tty' }) + (page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''));
      return 0;
    }));
  operator(dlq.command('show').description('one dead letter: where it came from, why, and its decoded payload').argument('<id>', 'as listed'))
    .action((id: string, options: OperatorOptions) => runOperatorCommand(options, async (runtime) => {
      const letter = await (await deadLettersOf(runtime)).get(id);
      const mode = outputModeOf(options);
      if (mode === 'json') printJson(letter);
      else {
        const { value, ...fields } = letter;
        print(renderTable(['field', 'value'], Object.entries(fields).map(([k, v]) => [k, String(v)]), { color: mode === 'tty' }));
        print(`payload (decoded with ${letter.originalTopic}'s schema):\n${value === null ? '(does not decode)' : JSON.stringify(value, null, 2)}`);
      }
      return 0;
    }));
  operator(dlq.command('replay').description('replay one dead letter, or every one of a topic, onto its original topic (each at most once)')
    .argument('[id]', 'as listed')
    .option('--topic <topic>', 'every dead letter of this original (logical) topic'))
    .action((id: string | undefined, options: OperatorOptions & { topic?: string }, command: Command) => {
      if (Boolean(id) === Boolean(options.topic)) command.error('give either a dead letter id or --topic', { exitCode: 2, code: 'vestnik.usage' });
      return runOperatorCommand(options, async (runtime) => {
        const letters = await deadLettersOf(runtime);
        const results = id ? [await letters.replay(id)] : await letters.replayTopic(options.topic as string);
        if (options.json) printJson(id ? results[0] : { items: results });
        else if (results.length === 0) print(`no dead letters of ${options.topic}`);
        else for (const r of results) print(r.alreadyReplayed ? `${r.id}: already replayed before, nothing sent` : `${r.id}: replayed`);
        return 0;
      });
    });
}

async function deadLettersOf(runtime: Runtime): Promise<DeadLetters> {
  return createDeadLetters({
    kafka: runtime.kafka(), producer: await runtime.rawProducer(), codec: runtime.codec(), redis: runtime.redis(), groupPrefix: runtime.groupId('cli'),
  });
}

async function watch(runtime: Runtime, id: string, options: OperatorOptions & { interval: number; timeout?: number }): Promise<number> {
  const reader = createMailingProgressReader({
    mailings: createMailingStore({ producer: await runtime.producer(), redis: runtime.redis() }),
    stats: statsFromAnalytics(createStatsQueries({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database })),
  });
  const mode = outputModeOf(options);
  const view = createProgressView({ label: `mailing ${id.slice(0, 8)}`, mode, lineEveryMs: Math.max(options.interval, 5000) });
  let aborted = false;
  process.once('SIGINT', () => void (aborted = true));
  const outcome = await watchMailing({ id, reader, view, intervalMs: options.interval, timeoutMs: options.timeout ? options.timeout * 1000 : null, aborted: () => aborted });
  if (mode !== 'json') {
    const { progress } = outcome;
    const note = { finished: 'finished', cancelled: 'was cancelled', timeout: `still ${progress.status} at the timeout`, aborted: `still ${progress.status} (watch stopped)` }[outcome.end];
    print(`mailing ${id} ${note}: ${progress.final} of ${progress.total} deliveries final`);
  }
  return outcome.end === 'finished' ? 0 : outcome.end === 'aborted' ? 130 : 1;
}

function parsePositiveInt(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
}
