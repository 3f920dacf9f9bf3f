/**
 * The `vestnik` command line (commander): the roles, `setup` and `rebuild-view` as they always were, and
 * the operator commands (commands/ops.ts). `vestnik api senders` and `vestnik all` still start roles: `run`
 * is the default command, so a first word that is not a command is a role.
 *
 * Operator commands talk to Kafka, Redis and ClickHouse directly, with the deployment's own environment,
 * not to the API: lag and topics exist only on the broker, and one way for every command is easier to
 * reason about than two. So they run where the roles run (`kubectl exec deploy/vestnik-api -- vestnik lag`,
 * or a shell with the same variables); they need no API key, and the cluster's network policy is their
 * access control. The figures are the API's own: the same store and statistics port as
 * GET /api/stats/mailings/{id}, the same dead-letter module (and Redis markers) as the console's replay.
 *
 * Exit codes: 0 done, 1 failed (an error, a mailing cancelled, a timeout), 2 usage.
 */
import { Argument, Command, CommanderError } from 'commander';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';
import { rebuildDirectoryView } from './commands/rebuild-view';
import { registerOperatorCommands } from './commands/ops';
import { setup } from './commands/setup';
import { ALL_ROLES, ROLES, type Role } from './roles';
import { createRuntime } from './runtime';

export interface ProgramDeps {
  /** Starts the roles in this process and keeps them running (cli/vestnik.ts). */
  runRoles(roles: Role[]): Promise<void>;
}

export const USAGE_EXIT_CODE = 2;

/** Expands `all` and removes repeats, keeping the order given. */
export function expandRoles(args: readonly string[]): Role[] {
  return [...new Set(args.flatMap((arg) => (arg === 'all' ? ALL_ROLES : [arg as Role])))];
}

export function createProgram(deps: ProgramDeps): Command {
  const program = new Command('vestnik')
    .description('Vestnik: run its roles, set it up, and look inside a running deployment')
    .showHelpAfterError('(vestnik --help for usage)')
    .exitOverride();

  program.command('run', { isDefault: true })
    .description(`start roles in this process (the default command: \`vestnik api senders\`); "all" = ${ALL_ROLES.join(', ')}`)
    .addArgument(new Argument('[roles...]', 'roles to run').choices(['all', ...Object.keys(ROLES)]))
    .action(async (roles: string[]) => {
      if (roles.length === 0) {
        program.outputHelp({ error: true });
        throw new CommanderError(USAGE_EXIT_CODE, 'vestnik.usage', 'no role given');
      }
      await deps.runRoles(expandRoles(roles));
    });

  program.command('setup').description('create the topics and the ClickHouse tables (idempotent)').action(() => maintenance(false));
  program.command('rebuild-view').description('clear the Redis directory view and rewind its group (stop the processors first)')
    .action(() => maintenance(true));

  registerOperatorCommands(program);
  return program;
}

/** setup and rebuild-view log like the roles (LOG_LEVEL, stdout), as infra/up.sh and deployments expect. */
async function maintenance(rebuild: boolean): Promise<void> {
  const config = loadConfig();
  const runtime = createRuntime(config, createLogger({ level: config.logLevel }));
  try {
    await setup(runtime);
    if (rebuild) await rebuildDirectoryView(runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * Parses and runs; commander's own errors (unknown command or option, a missing argument) exit 2, its help
 * and version 0. Errors of the commands themselves go to the caller.
 */
export async function runProgram(argv: readonly string[], deps: ProgramDeps): Promise<void> {
  try {
    await createProgram(deps).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
  }
}
