import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/check/selection.ts';
import { FINDINGS_END, FINDINGS_START, replaceSection } from '../../src/findings/write-findings.ts';

describe('replaceSection', () => {
  it('replaces what is between the markers and keeps the rest', () => {
    const text = `# T\n\n## What is still broken\n\n${FINDINGS_START}\nold\ntable\n${FINDINGS_END}\n\n## Next\n`;
    expect(replaceSection(text, 'new\n', 'README.md')).toBe(`# T\n\n## What is still broken\n\n${FINDINGS_START}\nnew\n${FINDINGS_END}\n\n## Next\n`);
    expect(replaceSection(replaceSection(text, 'new\n', 'R'), 'new\n', 'R')).toBe(replaceSection(text, 'new\n', 'R'));
  });

  it('refuses a file without both markers in order, naming it', () => {
    expect(() => replaceSection('# T\n', 'x\n', 'README.md')).toThrow(UsageError);
    expect(() => replaceSection(`${FINDINGS_END}\n${FINDINGS_START}\n`, 'x\n', 'README.md')).toThrow(/^README.md has no '<!-- findings:start -->'/);
  });
});
