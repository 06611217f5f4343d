/**
 * C parsing with tree-sitter (web-tree-sitter and the tree-sitter-c
 * grammar's wasm, both from npm: no native build, nothing fetched at run
 * time). Gives a file's function definitions by name, with where they are.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export type { Node as CNode } from 'web-tree-sitter';

export interface CFunction {
  readonly name: string;
  readonly file: string;
  /** 1-based line and column of the definition */
  readonly line: number;
  readonly column: number;
  readonly isStatic: boolean;
  /** the declared return type, white space normalised: `void *`, `struct page *`, `int`, `void` */
  readonly returnType: string;
  readonly params: readonly string[];
  readonly body: Node;
  readonly node: Node;
}

export interface CFile {
  readonly file: string;
  readonly functions: ReadonlyMap<string, CFunction>;
}

let parser: Promise<Parser> | undefined;

/** The parser, with the C grammar loaded once per process. */
export function cParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const c = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
    const p = new Parser();
    p.setLanguage(c);
    return p;
  })();
  return parser;
}

/** 1-based line and column of a node. */
export function position(node: Node): { line: number; column: number } {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
}

/** The identifier a (possibly pointer or parenthesised) declarator declares. */
export function declaredName(decl: Node | null): string | undefined {
  for (let d = decl; d; ) {
    if (d.type === 'identifier' || d.type === 'field_identifier') return d.text;
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c?.type.endsWith('declarator') || c?.type === 'identifier') ?? null;
  }
  return undefined;
}

function pointerDepth(decl: Node | null): number {
  let depth = 0;
  for (let d = decl; d && d.type !== 'function_declarator'; d = d.childForFieldName('declarator')) if (d.type === 'pointer_declarator') depth++;
  return depth;
}

function functionDeclarator(decl: Node | null): Node | undefined {
  for (let d = decl; d; d = d.childForFieldName('declarator')) if (d.type === 'function_declarator') return d;
  return undefined;
}

/** Parse `text` (the contents of `file`) and index its function definitions. */
export async function parseC(file: string, text: string): Promise<CFile> {
  const tree = (await cParser()).parse(text);
  if (!tree) throw new Error(`${file}: tree-sitter returned no tree`);
  const functions = new Map<string, CFunction>();
  for (const node of tree.rootNode.descendantsOfType('function_definition')) {
    if (!node) continue;
    const decl = node.childForFieldName('declarator');
    const fd = functionDeclarator(decl);
    const name = declaredName(fd?.childForFieldName('declarator') ?? null);
    const body = node.childForFieldName('body');
    if (!fd || !name || !body) continue;
    const params = (fd.childForFieldName('parameters')?.namedChildren ?? [])
      .filter((p): p is Node => p?.type === 'parameter_declaration')
      .map((p) => declaredName(p.childForFieldName('declarator')))
      .filter((n): n is string => n !== undefined);
    const type = node.childForFieldName('type')?.text.replace(/\s+/g, ' ') ?? 'int';
    const depth = pointerDepth(decl);
    const isStatic = node.namedChildren.some((c) => c?.type === 'storage_class_specifier' && c.text === 'static');
    functions.set(name, {
      name, file, ...position(node), isStatic, params, body, node,
      returnType: depth ? `${type} ${'*'.repeat(depth)}` : type,
    });
  }
  return { file, functions };
}
