// Finds a Chromium-family browser for the tests that drive a real page.
// Order: $CHROMIUM_PATH, then chromium, chromium-browser, google-chrome(-stable)
// on PATH, then the usual macOS application. None found: the browser suites
// are skipped with one loud line — unless FLIPCERT_REQUIRE_BROWSER=1 (CI sets
// it), when a missing browser is a failure, so CI can never skip them silently.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
const MAC_APPS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** Flags for headless runs on a closed network, as root (no sandbox). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser executable to use, or undefined when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return executable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES) {
    for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  }
  return MAC_APPS.find(executable);
}

export const CHROMIUM_PATH = findChromium();
const REQUIRED = process.env.FLIPCERT_REQUIRE_BROWSER === '1';

if (!CHROMIUM_PATH && REQUIRED) {
  throw new Error(
    'FLIPCERT_REQUIRE_BROWSER=1 but no Chromium-family browser was found: set CHROMIUM_PATH or install chromium',
  );
}

let warned = false;

/**
 * `describe` for suites that need the browser: skipped, with one loud line,
 * when none is installed (and not required).
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!CHROMIUM_PATH && !warned) {
    warned = true;
    console.warn(
      '\n*** flipcert: browser tests SKIPPED: no Chromium found. Install chromium (or set CHROMIUM_PATH) to run them. ***\n',
    );
  }
  (CHROMIUM_PATH ? describe : describe.skip)(name, body);
}

/** Launches the found browser headless. */
export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error('no Chromium-family browser found');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
