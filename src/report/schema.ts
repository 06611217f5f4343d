/**
 * The published JSON Schema of results.json (reports/schema/results.schema.json
 * is the one source) and a small validator for the subset of JSON Schema
 * 2020-12 it uses, so dmacheck can refuse a malformed results.json at run
 * time (nightly --previous, verify --resume) without a runtime dependency.
 * The tests check this validator against ajv on the same schema.
 *
 * Supported keywords: type, const, enum, properties, required,
 * additionalProperties, items, prefixItems, minItems, maxItems, minimum,
 * maximum, $ref (local `#/$defs/...`). Annotations (description, title,
 * format, $schema) are ignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Results } from '../check/results.ts';

export const RESULTS_SCHEMA_PATH = fileURLToPath(new URL('../../reports/schema/results.schema.json', import.meta.url));

type Schema = boolean | { readonly [k: string]: unknown };

let cached: Schema | undefined;

/** The published schema, parsed. */
export function resultsSchema(): Schema {
  cached ??= JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')) as Schema;
  return cached;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  return want === got || (want === 'number' && got === 'integer');
}

const ptr = (path: string) => path || '/';

/** Errors of `value` against `schema` (empty when valid), each `/json/pointer: problem`; at most `limit`. */
export function validateAgainst(schema: Schema, value: unknown, root: Schema = schema, limit = 20): string[] {
  const errors: string[] = [];
  const visit = (s: Schema, v: unknown, path: string): void => {
    if (errors.length >= limit) return;
    if (s === true) return;
    if (s === false) { errors.push(`${ptr(path)}: not allowed`); return; }
    if (typeof s['$ref'] === 'string') {
      const ref = s['$ref'];
      const m = /^#\/\$defs\/(.+)$/.exec(ref);
      const defs = typeof root === 'object' ? (root['$defs'] as Record<string, Schema> | undefined) : undefined;
      const target = m ? defs?.[m[1]!] : undefined;
      if (target === undefined) throw new Error(`schema: unsupported $ref ${ref}`);
      visit(target, v, path);
    }
    if ('const' in s && JSON.stringify(s['const']) !== JSON.stringify(v)) {
      errors.push(`${ptr(path)}: must be ${JSON.stringify(s['const'])}`);
      return;
    }
    if (Array.isArray(s['enum']) && !s['enum'].some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errors.push(`${ptr(path)}: must be one of ${s['enum'].map((e) => JSON.stringify(e)).join(', ')}`);
      return;
    }
    if (typeof s['type'] === 'string' && !typeMatches(s['type'], v)) {
      errors.push(`${ptr(path)}: must be ${s['type']}, not ${typeOf(v)}`);
      return;
    }
    if (typeof v === 'number') {
      if (typeof s['minimum'] === 'number' && v < s['minimum']) errors.push(`${ptr(path)}: must be >= ${s['minimum']}`);
      if (typeof s['maximum'] === 'number' && v > s['maximum']) errors.push(`${ptr(path)}: must be <= ${s['maximum']}`);
    }
    if (Array.isArray(v)) {
      if (typeof s['minItems'] === 'number' && v.length < s['minItems']) errors.push(`${ptr(path)}: must have at least ${s['minItems']} items`);
      if (typeof s['maxItems'] === 'number' && v.length > s['maxItems']) errors.push(`${ptr(path)}: must have at most ${s['maxItems']} items`);
      const prefix = Array.isArray(s['prefixItems']) ? (s['prefixItems'] as Schema[]) : [];
      v.forEach((item, i) => {
        const itemSchema = i < prefix.length ? prefix[i] : (s['items'] as Schema | undefined);
        if (itemSchema !== undefined) visit(itemSchema, item, `${path}/${i}`);
      });
    }
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      const props = (s['properties'] ?? {}) as Record<string, Schema>;
      for (const k of (s['required'] ?? []) as string[]) if (!(k in obj)) errors.push(`${ptr(path)}: missing required '${k}'`);
      for (const [k, item] of Object.entries(obj)) {
        const sub = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (k in props) visit(props[k]!, item, sub);
        else if (s['additionalProperties'] === false) errors.push(`${ptr(path)}: unknown key '${k}'`);
        else if (s['additionalProperties'] !== undefined) visit(s['additionalProperties'] as Schema, item, sub);
      }
    }
  };
  visit(schema, value, '');
  return errors;
}

/** Errors of a results.json value against the published schema. */
export function validateResults(value: unknown): string[] {
  return validateAgainst(resultsSchema(), value);
}

/** A one-line problem with a results file (the CLI turns it into exit code 2). */
export class ResultsFileError extends Error {}

/** Read and validate `DIR/results.json` (or a results.json path); throws ResultsFileError naming the file and the problem. */
export function readResultsFile(dirOrFile: string): Results {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'results.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ResultsFileError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ResultsFileError(`${file}: not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const errors = validateResults(value);
  if (errors.length) throw new ResultsFileError(`${file}: not a dmacheck results.json: ${errors[0]}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  return value as Results;
}
