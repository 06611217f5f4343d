/**
 * A tiny XML 1.0 well-formedness checker for the tests: elements, attributes,
 * text, comments, CDATA, the XML declaration and the predefined and numeric
 * entities. Throws on anything malformed; returns the element tree.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: number): string {
  if (/[<]/.test(s)) throw new Error(`raw '<' at ${where}`);
  return s.replace(/&([^;]*);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare '&' at ${where}`);
    if (ent in ENTITIES) return ENTITIES[ent]!;
    const num = /^#(\d+)$/.exec(ent) ?? /^#x([0-9a-fA-F]+)$/.exec(ent);
    if (num) return String.fromCodePoint(parseInt(num[1]!, ent[1] === 'x' ? 16 : 10));
    throw new Error(`unknown entity ${m} at ${where}`);
  });
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) throw new Error('control character not allowed in XML');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipWs = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  while (i < text.length) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || !stack.length) throw new Error('bad CDATA');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(text.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      i += m[0].length;
      skipWs();
      if (text[i] !== '>') throw new Error(`bad end tag at ${i}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`end tag </${m[0]}> does not match <${open?.name}> at ${i}`);
    } else if (text[i] === '<') {
      i++;
      const m = NAME.exec(text.slice(i));
      if (!m) throw new Error(`bad start tag at ${i}`);
      i += m[0].length;
      const attrs: Record<string, string> = {};
      for (;;) {
        const before = i;
        skipWs();
        if (text[i] === '>' || text.startsWith('/>', i)) break;
        if (i === before) throw new Error(`missing space before attribute at ${i}`);
        const a = NAME.exec(text.slice(i));
        if (!a) throw new Error(`bad attribute at ${i}`);
        i += a[0].length;
        skipWs();
        if (text[i] !== '=') throw new Error(`attribute without value at ${i}`);
        i++;
        skipWs();
        const q = text[i];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute at ${i}`);
        const end = text.indexOf(q, i + 1);
        if (end < 0) throw new Error('unterminated attribute');
        if (a[0] in attrs) throw new Error(`duplicate attribute ${a[0]}`);
        attrs[a[0]] = decode(text.slice(i + 1, end), i);
        i = end + 1;
      }
      const el: XmlElement = { name: m[0], attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (text.startsWith('/>', i)) i += 2;
      else { i++; stack.push(el); }
    } else {
      const end = text.indexOf('<', i);
      const chunk = text.slice(i, end < 0 ? text.length : end);
      if (!stack.length) { if (chunk.trim()) throw new Error(`text outside the root at ${i}`); }
      else stack[stack.length - 1]!.text += decode(chunk, i);
      i += chunk.length;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}
