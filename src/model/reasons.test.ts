import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../features/index.js';
import { reasonSentences } from './reasons.js';

describe('reasonSentences', () => {
  const features = loadCatalogue();
  const reasons = [
    { feature: 'unexcused_rate_2w', family: 'performance', sensitivity: 'ordinary' as const, contribution: 0.05 },
    { feature: 'mood_change', family: 'wellbeing', sensitivity: 'welfare' as const, contribution: 0.03 },
    { feature: 'credits_behind_plan', family: 'performance', sensitivity: 'ordinary' as const, contribution: 0.01 },
  ];

  it('speaks Finnish, Swedish and English', () => {
    expect(reasonSentences(reasons, features, 'fi', { welfareVisible: true })[0]).toBe('Paljon selvittämättömiä poissaoloja viimeisen kahden viikon aikana');
    expect(reasonSentences(reasons, features, 'sv', { welfareVisible: true })[2]).toBe('Studierna ligger efter planen');
    expect(reasonSentences(reasons, features, 'en', { welfareVisible: true })).toHaveLength(3);
  });

  it('leaves welfare reasons out for roles that may not see them', () => {
    const text = reasonSentences(reasons, features, 'fi', { welfareVisible: false });
    expect(text).toEqual(['Paljon selvittämättömiä poissaoloja viimeisen kahden viikon aikana', 'Opinnot ovat jäljessä suunnitelmasta']);
    expect(text.join(' ')).not.toMatch(/[Vv]ointi/);
  });
});
