/**
 * `dmacheck extract`: read a kernel tree's kernel/dma/direct.c (and
 * direct.h), or C files given one by one, and print or write the machines
 * extracted for the entry points, with the lookup-table entries used and
 * the abstractions applied.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../../check/selection.ts';
import { ExtractError } from '../../extract/extract-error.ts';
import { DEFAULT_ENTRIES, extractFile, FRONT_END_ENTRIES, type FileExtraction } from '../../extract/extract-file.ts';
import { extractionText } from '../../extract/extraction-text.ts';
import { extractTree, readSource } from '../../extract/extract-tree.ts';
import { EXIT_OK, EXIT_USAGE, type Command } from '../command.ts';

export const EXTRACT_FORMAT = 'dmacheck-extract';
export const EXTRACT_SCHEMA_VERSION = 1;

export const extractCommand: Command = {
  name: 'extract',
  summary: "derive the entry-point machines from C source (a kernel tree's kernel/dma/direct.c, or files) through the lookup table models/extract-table.ts",
  options: [
    { name: 'tree', type: 'string', value: 'DIR', description: 'kernel source tree to read kernel/dma/direct.c (and direct.h) from', example: '--tree ~/linux' },
    { name: 'file', type: 'string', value: 'FILES', description: 'C files to read instead, comma-separated (direct.c before mapping.c: a front end calls what an earlier file defines); meta.source names them as given', example: '--file kernel/dma/direct.c' },
    { name: 'entry', type: 'string', value: 'NAMES', description: 'entry points to extract, comma-separated', default: 'every dma_direct_* entry point' },
    { name: 'out', type: 'string', value: 'FILE', description: 'write the extraction to this file instead of standard output' },
    { name: 'json', type: 'boolean', description: 'JSON instead of text', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (extract takes --tree DIR or --file FILE)`);
    const tree = values['tree'] as string | undefined;
    const files = (values['file'] as string | undefined)?.split(',').filter(Boolean);
    if ((tree === undefined) === (files === undefined)) throw new UsageError('give exactly one of --tree DIR and --file FILE[,FILE...]');
    const entries = ((values['entry'] as string | undefined) ?? [...DEFAULT_ENTRIES, ...FRONT_END_ENTRIES].join(',')).split(',').filter(Boolean);
    let result: FileExtraction[];
    try {
      result = tree !== undefined ? await extractTree(tree, entries) : [];
      // a front end in a later file calls the dma_direct_* machines extracted from an earlier one
      const callee = (name: string) => result.flatMap((r) => r.machines).find((m) => m.id === name);
      for (const f of files ?? []) result.push(await extractFile(f, readSource(f), entries, callee));
    } catch (e) {
      if (e instanceof ExtractError) {
        io.err(`dmacheck extract: ${e.message}`);
        return EXIT_USAGE;
      }
      throw e;
    }
    const text = values['json']
      ? JSON.stringify({ format: EXTRACT_FORMAT, schemaVersion: EXTRACT_SCHEMA_VERSION, files: result }, null, 2)
      : extractionText(result);
    const out = values['out'] as string | undefined;
    if (out === undefined) {
      io.out(text);
    } else {
      writeFileSync(out, `${text}\n`);
      const n = result.reduce((k, f) => k + f.machines.length, 0);
      io.out(`dmacheck extract: ${n} machine${n === 1 ? '' : 's'} written to ${out}`);
    }
    return EXIT_OK;
  },
};
