/**
 * Text for a terminal: everything the CLI prints may hold what a user supplied
 * (file names, CSV header names, an .npy header's shape text, flag values), and
 * a control character in it would be obeyed by the terminal, not shown: ESC
 * starts escape sequences (colours, cursor moves, window titles), CR
 * overwrites the line. Every line the CLI prints goes through writeLines, so
 * such characters are shown as escapes (`\x1b`, `\r`) wherever they came from.
 */

/**
 * C0 controls but the line break, DEL and C1 controls (Unicode's Cc), and the
 * bidirectional overrides and isolates, which reorder what a line shows.
 */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\r': '\\r', '\n': '\\n' };

/** `text` with every unsafe character (see UNSAFE) and line breaks written as a visible escape. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => NAMED[char] ?? escapeCode(char.charCodeAt(0))).replace(/\n/g, '\\n');
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Writes `text` as lines (split at its line breaks), each with its unsafe characters escaped. */
export function writeLines(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.split('\n').map(escapeControls).join('\n') + '\n');
}
