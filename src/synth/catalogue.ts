/** The provider the generator imagines: units, programmes, courses and name pools. All fictional. */

/** Units (toimipisteet). */
export const units = ['Pasila', 'Vallila', 'Myllypuro', 'Malmi', 'Herttoniemi', 'Kallio', 'Vuosaari', 'Kannelmäki'] as const;

export interface Programme {
  code: string;
  name: string;
  educationType: 'vocational' | 'upper_secondary';
  /** Share of the provider's students in this programme. */
  weight: number;
  /** Baseline dropout propensity relative to its sector (documented in fixtures/README.md). */
  risk: number;
  /** Share of women, for a realistic gender mix. */
  female: number;
}

export const programmes: readonly Programme[] = [
  { code: 'lahihoitaja', name: 'Practical nurse (lähihoitaja)', educationType: 'vocational', weight: 12, risk: 0.9, female: 0.85 },
  { code: 'ajoneuvo', name: 'Vehicle technology', educationType: 'vocational', weight: 8, risk: 1.25, female: 0.08 },
  { code: 'ict', name: 'Information and communications technology', educationType: 'vocational', weight: 8, risk: 1.1, female: 0.15 },
  { code: 'liiketoiminta', name: 'Business (liiketoiminta)', educationType: 'vocational', weight: 9, risk: 1.0, female: 0.55 },
  { code: 'ravintola', name: 'Restaurant and catering', educationType: 'vocational', weight: 8, risk: 1.2, female: 0.6 },
  { code: 'rakennus', name: 'Building (talonrakennus)', educationType: 'vocational', weight: 7, risk: 1.15, female: 0.1 },
  { code: 'sahko', name: 'Electrical engineering and automation', educationType: 'vocational', weight: 7, risk: 0.95, female: 0.07 },
  { code: 'yleislinja', name: 'Lukio, general line', educationType: 'upper_secondary', weight: 28, risk: 1.0, female: 0.57 },
  { code: 'luma', name: 'Lukio, science and mathematics line', educationType: 'upper_secondary', weight: 8, risk: 0.8, female: 0.45 },
  { code: 'musiikki', name: 'Lukio, music line', educationType: 'upper_secondary', weight: 5, risk: 0.9, female: 0.65 },
];

/** Units of one vocational qualification (180 osaamispistettä): [code suffix, credits]. */
export const vocationalUnits: readonly [string, number][] = [
  ['YTO-VIE', 11],
  ['YTO-MAT', 9],
  ['YTO-YHT', 15],
  ['P1', 25],
  ['P2', 40],
  ['P3', 40],
  ['V1', 25],
  ['V2', 15],
];

/** Lukio subjects and modules (opintopisteet): [subject, modules, credits per module]; about 150 op. */
export const lukioSubjects: readonly [string, number, number][] = [
  ['AI', 6, 2],
  ['ENA', 6, 2],
  ['RUB', 5, 2],
  ['MAY', 1, 2],
  ['MAB', 6, 2],
  ['BI', 2, 2],
  ['GE', 2, 2],
  ['FY', 2, 2],
  ['KE', 2, 2],
  ['FI', 2, 2],
  ['PS', 2, 2],
  ['HI', 3, 2],
  ['YH', 3, 2],
  ['UE', 2, 2],
  ['TE', 2, 2],
  ['LI', 2, 2],
  ['KU', 2, 2],
  ['MU', 2, 2],
  ['OP', 2, 2],
  ['SYV', 21, 2],
];

/** Home languages other than fi and sv, with relative weights (Helsinki-like). */
export const otherLanguages: readonly [string, number][] = [
  ['ru', 22],
  ['so', 14],
  ['ar', 14],
  ['et', 12],
  ['en', 10],
  ['fa', 6],
  ['ku', 5],
  ['zh', 5],
  ['vi', 5],
  ['sq', 4],
  ['es', 3],
];

export const givenNames = [
  'Aino', 'Eetu', 'Emma', 'Elias', 'Sofia', 'Leo', 'Helmi', 'Onni', 'Olivia', 'Väinö', 'Aada', 'Eino', 'Lilja', 'Oliver', 'Ella', 'Niilo',
  'Venla', 'Toivo', 'Isla', 'Aaro', 'Hilla', 'Veeti', 'Pihla', 'Lenni', 'Enni', 'Joel', 'Iida', 'Aleksi', 'Linnea', 'Mikael', 'Saga', 'Hugo',
  'Amira', 'Ahmed', 'Maria', 'Daniel', 'Sara', 'Adam', 'Noora', 'Ilja', 'Fatima', 'Ali', 'Anastasia', 'Oskari', 'Minea', 'Elmeri',
];
export const familyNames = [
  'Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen', 'Mäkelä', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen',
  'Lehtinen', 'Saarinen', 'Salminen', 'Heinonen', 'Niemi', 'Heikkilä', 'Kinnunen', 'Salonen', 'Turunen', 'Salo', 'Laitinen', 'Tuominen',
  'Rantanen', 'Karjalainen', 'Jokinen', 'Mattila', 'Savolainen', 'Lahtinen', 'Ahonen', 'Lindqvist', 'Nyberg', 'Holmström', 'Hassan',
  'Ivanova', 'Nguyen', 'Ali', 'Mohamed', 'Tamm',
];

/** Well-being survey items, annual (Likert 1–5, 5 = best). */
export { wellbeingItems as surveyItems } from '../core/vocabulary.js';
