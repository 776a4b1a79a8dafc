import { readFileSync } from 'node:fs';

/**
 * The package version, read at run time from the package.json next to the
 * bundle's folder (dist/cli.js → package.json), which npm always installs.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return pkg.name === 'flipcert' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
