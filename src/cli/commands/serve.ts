// `flipcert serve`: the web app (dist/app/) on local HTTP (src/cli/static-server.ts).
import type { Command } from 'commander';
import type { ArgumentParsers } from '../arguments.js';
import type { ErrorContext } from '../report-error.js';
import { startServer } from '../static-server.js';
import { writeLines } from '../terminal-text.js';

export function serveCommand(program: Command, arg: ArgumentParsers, _context: ErrorContext): void {
  program
    .command('serve')
    .description('serve the web app (dist/app/) on local HTTP; everything runs in the browser')
    .option('--port <n>', 'TCP port (0: any free port)', arg.integer('--port', 0), 8080)
    .option('--host <address>', 'address to listen on (this machine only by default; another address serves the network, with a warning)', arg.text('--host'), '127.0.0.1')
    .action(async (flags: { port: number; host: string }) => {
      const { url, loopback } = await startServer({ port: flags.port, host: flags.host });
      if (!loopback) {
        writeLines(
          process.stderr,
          `flipcert: warning: --host ${flags.host} serves the app to other machines: anyone who can reach this address can open it (the default, 127.0.0.1, serves this machine only)`,
        );
      }
      writeLines(process.stdout, `flipcert: serving the web app at ${url} (Ctrl+C to stop)`);
    });
}
