// flipcert command line: a thin layer over the library API (src/index.ts), one
// file per command in commands/. Usage errors exit 2 with one error line and one
// hint line; library errors are restated with flags instead of API fields
// (src/cli/report-error.ts).
import { Command } from 'commander';
import { ArgumentParsers } from './arguments.js';
import { certifyCommand } from './commands/certify.js';
import { kernelCommand } from './commands/kernel.js';
import { mergeCommand } from './commands/merge.js';
import { representCommand } from './commands/represent.js';
import { serveCommand } from './commands/serve.js';
import { validateCommand } from './commands/validate.js';
import { flagMap } from './flags.js';
import { reportError, type ErrorContext } from './report-error.js';
import { installExitHandlers } from './signals.js';
import { packageVersion } from './version.js';

function buildProgram(context: ErrorContext): Command {
  const arg = new ArgumentParsers();
  const program = new Command('flipcert')
    .description('Exact certificates against label-flipping poisoning for wide neural networks (NTK) and partition ensembles.')
    .version(packageVersion(), '-V, --version', 'print the version')
    // Errors are printed by reportError as one line plus a hint, not by commander with the whole help.
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} })
    .hook('preSubcommand', (_, sub) => {
      context.command = sub.name();
    });
  // Added with program.command() inside each, so that they inherit the settings above.
  for (const addCommand of [certifyCommand, validateCommand, representCommand, mergeCommand, kernelCommand, serveCommand]) addCommand(program, arg, context);
  return program;
}

/** Parses the command line and runs the command; every error ends the process with its exit status. */
export async function main(): Promise<void> {
  installExitHandlers();
  const context: ErrorContext = { flags: flagMap() };
  try {
    await buildProgram(context).parseAsync(process.argv);
  } catch (error) {
    process.exit(reportError(error, context));
  }
}
