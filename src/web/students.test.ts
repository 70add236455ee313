import { describe, expect, it } from 'vitest';
import { msg } from '../i18n/index.js';
import { bandDisagreement } from './routes/students.js';

describe('risk band against trigger severity', () => {
  it('names the disagreement both ways, and stays quiet when they agree or there is no band', () => {
    const live = (severity: string) => ({ status: 'open', severity });
    expect(bandDisagreement('high', [live('medium')])).toBe('band_higher');
    expect(bandDisagreement('raised', [live('high')])).toBe('severity_higher');
    expect(bandDisagreement('high', [live('high')])).toBeNull();
    expect(bandDisagreement('high', [])).toBeNull();
    expect(bandDisagreement('high', [{ status: 'resolved', severity: 'medium' }])).toBeNull();
    expect(bandDisagreement(undefined, [live('high')])).toBeNull();
    expect(msg('fi', 'web.band_vs_severity', { direction: 'severity_higher', band: 'kohonnut' })).toMatch(/^Heräte on kiireellinen, vaikka riskiarvio on kohonnut: /);
    expect(msg('sv', 'web.band_vs_severity', { direction: 'band_higher', band: 'hög' })).toMatch(/^Riskbedömningen är hög fast signalerna är mindre brådskande: /);
  });
});
