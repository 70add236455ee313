import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { languages, resolutionOutcomes } from '../core/vocabulary.js';
import { commandOptions, schemaOf } from './command-options.js';
import { buildProgram } from './program.js';

const find = (root: Command, path: string[]): Command => path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, root);

describe('options declared once', () => {
  it('gives commander the choices, defaults and mandatory flags of the schema the command parses with', () => {
    const program = buildProgram({ exitCode: 0 });
    const resolve = find(program, ['triggers', 'resolve']).options;
    const outcome = resolve.find((o) => o.long === '--outcome')!;
    expect(outcome.argChoices).toEqual([...resolutionOutcomes]);
    expect(outcome.mandatory).toBe(true);
    const report = find(program, ['report', 'build']).options;
    expect(report.find((o) => o.long === '--lang')!.argChoices).toEqual([...languages]);
    expect(report.find((o) => o.long === '--bootstrap')!.defaultValue).toBe(500);
    expect(find(program, ['fixtures', 'generate']).options.find((o) => o.long === '--students')!.defaultValue).toBe(600);
    // …and the schema is the one the command parses with: the same default comes out of it.
    expect(schemaOf(commandOptions.reportBuild).parse({ out: 'x' })).toMatchObject({ lang: 'fi', bootstrap: 500 });
  });

  it('refuses an option whose key does not match its flag', async () => {
    const { declareOptions, option } = await import('./command-options.js');
    const { Command } = await import('commander');
    const { z } = await import('zod');
    expect(() => declareOptions(new Command('x'), { asOf: option('--as-at <date>', 'x', z.string()) })).toThrow(/--as-at <date> is declared under the key asOf/);
  });
});
