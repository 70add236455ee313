import { describe, expect, it } from 'vitest';
import { caught, expectKiinniError } from '../testing/errors.js';
import { defaultMemoryLimit, parseConfig } from './config.js';

const defaultConfigToday = () => parseConfig('', 'kiinni.yaml').web.today;

describe('parseConfig', () => {
  it('normalises a valid config with paths relative to the file', () => {
    const c = parseConfig('provider:\n  name: Stadin ammattiopisto\ningest:\n  profiles_dir: profiles\n', '/etc/kiinni/kiinni.yaml');
    expect(c).toMatchObject({ providerName: 'Stadin ammattiopisto', ingest: { profilesDir: '/etc/kiinni/profiles', failOnQuarantine: false } });
  });

  it('gives DuckDB half the machine\'s memory, at most 2 GB and at least 256 MB, unless the config names a limit', () => {
    const gib = 2 ** 30;
    expect(defaultMemoryLimit(24 * gib)).toBe('2048MB');
    expect(defaultMemoryLimit(3 * gib)).toBe('1536MB');
    expect(defaultMemoryLimit(2 * gib)).toBe('1024MB');
    expect(defaultMemoryLimit(256 * 2 ** 20)).toBe('256MB');
    expect(parseConfig('', 'kiinni.yaml').warehouse.memoryLimit).toBe(defaultMemoryLimit());
    expect(parseConfig('warehouse:\n  memory_limit: 6GB\n', 'kiinni.yaml').warehouse.memoryLimit).toBe('6GB');
  });

  it('names an unknown key', async () => {
    const err = await caught(() => parseConfig('ingest:\n  profile_dir: x\n', 'kiinni.yaml'));
    expectKiinniError(err, { code: 'CONFIG_INVALID', message: /kiinni\.yaml: invalid configuration: ingest\.profile_dir: unknown key/ });
  });

  it('names the key and what was expected for a bad value', async () => {
    const err = await caught(() => parseConfig('warehouse:\n  memory_limit: lots\n', 'kiinni.yaml'));
    expectKiinniError(err, { code: 'CONFIG_INVALID', message: /warehouse\.memory_limit: expected a size like "2GB"/ });
  });

  it('takes the workspace\'s "today" as a calendar date, and nothing else', async () => {
    expect(parseConfig('web:\n  today: 2026-02-20\n', 'kiinni.yaml').web.today).toBe('2026-02-20');
    expect(defaultConfigToday()).toBeUndefined();
    const err = await caught(() => parseConfig('web:\n  today: 2026-02-30\n', 'kiinni.yaml'));
    expect(String((err as Error).message)).toMatch(/web\.today/);
  });

  it('takes display names for programmes and units, one or one per language (Finnish required)', async () => {
    const c = parseConfig('display_names:\n  programmes:\n    ict: { fi: Tieto- ja viestintätekniikka, sv: Informations- och kommunikationsteknik }\n  units:\n    Pasila: Pasilan toimipiste\n', 'kiinni.yaml');
    expect(c.displayNames.programmes['ict']).toEqual({ fi: 'Tieto- ja viestintätekniikka', sv: 'Informations- och kommunikationsteknik' });
    expect(c.displayNames.units['Pasila']).toBe('Pasilan toimipiste');
    const err = await caught(() => parseConfig('display_names:\n  units:\n    Pasila: { sv: Böle }\n', 'kiinni.yaml'));
    expect(String((err as Error).message)).toMatch(/display_names/);
  });

  it('reports the line of a YAML syntax error', async () => {
    const err = await caught(() => parseConfig('provider:\n  name: "unclosed\n', 'kiinni.yaml'));
    expectKiinniError(err, { code: 'CONFIG_INVALID', message: /kiinni\.yaml line \d+: not valid YAML/ });
  });
});
