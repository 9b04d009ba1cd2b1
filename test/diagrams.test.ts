import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { README, readmeWithDiagrams, renderMachine } from '../scripts/diagrams';

describe('published diagrams', () => {
  it('README.md carries the diagrams of the current machines (run `npm run diagrams`)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readmeWithDiagrams(readme)).toBe(readme);
  });

  it('renders states, guarded and delayed transitions, finals and nesting', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: { description: 'first', on: { go: { target: 'b', guard: 'ok' } }, after: { 100: 'c' } },
        b: { initial: 'x', states: { x: { on: { next: 'y' } }, y: {} } },
        c: { type: 'final' },
      },
    });
    const text = renderMachine(m);
    expect(text).toContain('[*] --> a');
    expect(text).toContain('a --> b : go [ok]');
    expect(text).toContain('a --> c : after 100');
    expect(text).toContain('state b {');
    expect(text).toContain('b_x --> b_y : next');
    expect(text).toContain('c --> [*]');
    expect(text).toContain('note right of a : first');
  });
});
