// `flipcert serve` started as a user would start it, for tests of what it prints and serves.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeCli {
  child: ChildProcess;
  /** Its first line on stdout (the URL it serves at). */
  line: string;
  /** What it wrote on stderr so far. */
  stderr: () => string;
}

/** Starts `flipcert serve --port 0 …args` and resolves once it has printed its first line. Kill `child` when done. */
export async function startServeCli(args: string[] = []): Promise<ServeCli> {
  const child = spawn('node', ['dist/cli.js', 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const line = await new Promise<string>((done, fail) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) done(out);
      });
      child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    return { child, line, stderr: () => stderr };
  } catch (error) {
    child.kill();
    throw error;
  }
}
