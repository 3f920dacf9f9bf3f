import { Command, CommanderError } from 'commander';
import { createProgram, expandRoles } from './program';
import { ALL_ROLES } from './roles';

/** Silences commander's writers on the program and every subcommand (settings are copied at creation). */
function quiet(program: Command): Command {
  for (const command of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined, outputError: () => undefined });
  }
  return program;
}

/** The role invocations the Dockerfile, deploy/ manifests, infra scripts and tests use must keep working. */
describe('vestnik program', () => {
  async function rolesOf(argv: string[]): Promise<string[]> {
    const runRoles = jest.fn(async () => undefined);
    const program = quiet(createProgram({ runRoles }));
    await program.parseAsync(argv, { from: 'user' });
    expect(runRoles).toHaveBeenCalledTimes(1);
    return (runRoles.mock.calls[0] as unknown as [string[]])[0];
  }

  it.each([
    [['api'], ['api']],
    [['api', 'senders'], ['api', 'senders']],
    [['senders', 'analytics'], ['senders', 'analytics']],
    [['all'], [...ALL_ROLES]],
    [['simulators', 'all'], ['simulators', ...ALL_ROLES]],
    [['run', 'scheduler'], ['scheduler']],
  ])('vestnik %j starts %j', async (argv, roles) => {
    expect(await rolesOf(argv)).toEqual(roles);
  });

  it('expands all once and keeps the order', () => {
    expect(expandRoles(['api', 'all', 'api'])).toEqual([...ALL_ROLES]);
  });

  it.each([[[]], [['bogus']], [['lag', '--bogus']], [['mailing', 'watch']], [['mailing', 'watch', 'm', '--interval', '0']]])(
    'vestnik %j is a usage error (exit 2)',
    async (argv) => {
      const program = quiet(createProgram({ runRoles: async () => undefined }));
      const error = await program.parseAsync(argv, { from: 'user' }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(CommanderError);
      if (argv.length === 0) expect((error as CommanderError).exitCode).toBe(2);
      else expect((error as CommanderError).exitCode).not.toBe(0);
    },
  );

  it('has help for every command', () => {
    const program = createProgram({ runRoles: async () => undefined });
    const names = program.commands.flatMap((c) => [c.name(), ...c.commands.map((sub) => `${c.name()} ${sub.name()}`)]);
    expect(names).toEqual(expect.arrayContaining(['run', 'setup', 'rebuild-view', 'lag', 'topics', 'mailing watch', 'dlq list', 'dlq show', 'dlq replay']));
    for (const command of program.commands) expect(command.description()).not.toBe('');
  });
});
