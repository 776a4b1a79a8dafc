// `flipcert serve`: the web app (dist/app/) on local HTTP (src/cli/static-server.ts).
import type { Command } from 'commander';
import type { ArgumentParsers } from '../arguments.js';
import type { ErrorContext } from '../report-error.js';
import { startServer } from '../static-server.js';

export function serveCommand(program: Command, arg: ArgumentParsers, _context: ErrorContext): void {
  program
    .command('serve')
    .description('serve the web app (dist/app/) on local HTTP; everything runs in the browser')
    .option('--port <n>', 'TCP port (0: any free port)', arg.integer('--port', 0), 8080)
    .option('--host <address>', 'address to listen on', arg.text('--host'), '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      const { url } = await startServer({ port: flags.port, host: flags.host });
      process.stdout.write(`flipcert: serving the web app at ${url} (Ctrl+C to stop)\n`);
    });
}
