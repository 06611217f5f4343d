/**
 * Plain-text helpers for mail-format output: word wrapping to a column
 * width (a word longer than the width is cut between names, never inside
 * one), ASCII-only text, and shell commands wrapped with backslash
 * continuations.
 */

/** Replace what is not printable ASCII (a path or a model string could carry it) by `?`. */
export function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e\n]/g, '?');
}

/** A character a name (C identifier, page name) is made of: a word is never cut next to one. */
const inName = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_.]/.test(c);

/**
 * Where to cut a word too long for `room` columns: after the last
 * punctuation that fits and is not inside a name (`(`, `,`, `/`, `;`, `>`,
 * ...); else after the first name, which may run past `room` up to `hard`
 * columns; else at `hard`.
 */
function breakPoint(word: string, room: number, hard: number): number {
  for (let i = Math.min(room, word.length - 1); i > 0; i--) if (!(inName(word[i - 1]) && inName(word[i]))) return i;
  let i = 1;
  while (i < word.length && inName(word[i - 1]) && inName(word[i])) i++;
  return Math.min(i, hard);
}

/**
 * Wrap `text` to `width` columns. Continuation lines start with `hang`
 * spaces. A word longer than the room is cut between names; a name longer
 * than the room runs on, up to `hard` columns (default `width`), and is
 * cut only past that.
 */
export function wrap(text: string, width: number, hang = 0, hard = width): string[] {
  const lines: string[] = [];
  let cur = '';
  const room = () => width - (lines.length ? hang : 0);
  const hardRoom = () => Math.max(room(), hard - (lines.length ? hang : 0));
  const push = () => {
    lines.push((lines.length ? ' '.repeat(hang) : '') + cur);
    cur = '';
  };
  for (let word of ascii(text).split(/\s+/).filter((w) => w.length > 0)) {
    if (cur && cur.length + 1 + word.length <= room()) { cur += ` ${word}`; continue; }
    if (cur) push();
    while (word.length > room()) {
      const cut = breakPoint(word, room(), hardRoom());
      if (cut >= word.length) break;
      cur = word.slice(0, cut);
      word = word.slice(cut);
      push();
    }
    cur = word;
  }
  if (cur || lines.length === 0) push();
  return lines;
}

/** Quote a shell word if it needs it. */
export function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell command as lines of at most `width` columns (a word `> FILE` is
 * a redirection, kept on one line): `indent` before the
 * first line, `indent + 4` before continuations, ` \` at the end of every
 * line but the last. A single word too long for a line is split with a
 * backslash-newline inside the word (the shell removes it), its rest
 * starting at column 0.
 */
export function commandLines(words: readonly string[], width: number, indent: number): string[] {
  const lines: string[] = [];
  let cur = ' '.repeat(indent);
  let fresh = true;
  const cont = ' '.repeat(indent + 4);
  for (const raw of words) {
    const w = raw.startsWith('> ') ? `> ${shellWord(ascii(raw.slice(2)))}` : shellWord(ascii(raw));
    if (!fresh && cur.length + 1 + w.length + 2 <= width) { cur += ` ${w}`; continue; }
    if (!fresh) { lines.push(`${cur} \\`); cur = cont; }
    if (cur.length + w.length + 2 <= width) { cur += w; fresh = false; continue; }
    // Too long for any line: cut inside the word.
    let rest = w;
    while (cur.length + rest.length + 2 > width) {
      const n = Math.max(1, width - cur.length - 1);
      lines.push(`${cur}${rest.slice(0, n)}\\`);
      rest = rest.slice(n);
      cur = '';
    }
    cur += rest;
    fresh = false;
  }
  lines.push(cur);
  return lines;
}
