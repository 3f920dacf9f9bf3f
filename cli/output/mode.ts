/**
 * How a command writes for whoever reads it: `tty` (a person at a terminal: tables with colour, a live
 * progress bar), `lines` (a log, CI: plain text, a progress line now and then), `json` (a script: one
 * JSON document, or one JSON object per line for progress).
 */
export type OutputMode = 'tty' | 'lines' | 'json';

/** `--json` wins; otherwise a terminal on stdout gets the live view. */
export function outputModeOf(options: { json?: boolean }, stream: { isTTY?: boolean } = process.stdout): OutputMode {
  if (options.json) return 'json';
  return stream.isTTY ? 'tty' : 'lines';
}
