/**
 * Why extraction stopped: a construct the translator does not handle, or a
 * name the lookup table (models/extract-table.ts) does not know. The
 * message is one line: `file:line:column: what, and what to add`.
 */
export class ExtractError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = 'ExtractError';
  }
}
