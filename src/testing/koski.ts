/**
 * KOSKI-shaped test documents of fictitious people, built at run time (no identity code sits in
 * the source): the project's own fixtures, never copies of KOSKI's examples.
 */
type Json = Record<string, unknown>;

/** A made-up identity code with a valid check character (individual number 900–999: temporary codes). */
export function testIdentityCode(ddmmyy: string, sign: string, nnn: number): string {
  const n = String(nnn).padStart(3, '0');
  return `${ddmmyy}${sign}${n}${'0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(ddmmyy + n) % 31]}`;
}

const koodi = (koodiarvo: string, koodistoUri: string, fi?: string) => ({ koodiarvo, koodistoUri, ...(fi ? { nimi: { fi } } : {}) });
export const period = (alku: string, tila: string) => ({ alku, tila: koodi(tila, 'koskiopiskeluoikeudentila'), opintojenRahoitus: koodi('1', 'opintojenrahoitus') });
const evaluation = (grade: string, scale: string, päivä?: string, hyväksytty = true) => ({ arvosana: koodi(grade, scale), ...(päivä ? { päivä } : {}), hyväksytty });
const school = { oid: '1.2.246.562.10.52251087186', oppilaitosnumero: koodi('10105', 'oppilaitosnumero'), nimi: { fi: 'Testin ammattiopisto' } };
const site = { oid: '1.2.246.562.10.42456023292', nimi: { fi: 'Testin ammattiopisto, Pasila' } };

/** A vocational unit (tutkinnon osa) in osaamispisteet; `osaAlueet` makes it a common unit. */
export function unit(code: string, osp: number | null, e?: { grade: string; date?: string; passed?: boolean }, osaAlueet: Json[] = []): Json {
  return {
    koulutusmoduuli: { tunniste: koodi(code, 'tutkinnonosat'), pakollinen: true, ...(osp === null ? {} : { laajuus: { arvo: osp, yksikkö: koodi('6', 'opintojenlaajuusyksikko') } }) },
    ...(e ? { arviointi: [evaluation(e.grade, 'arviointiasteikkoammatillinen15', e.date, e.passed ?? true)] } : {}),
    ...(osaAlueet.length ? { osasuoritukset: osaAlueet } : {}),
    tyyppi: koodi('ammatillisentutkinnonosa', 'suorituksentyyppi'),
  };
}

/** An osa-alue of a common unit. */
export function osaAlue(code: string, osp: number, e?: { grade: string; date?: string }): Json {
  return {
    koulutusmoduuli: { tunniste: koodi(code, 'ammatillisenoppiaineet'), pakollinen: true, laajuus: { arvo: osp, yksikkö: koodi('6', 'opintojenlaajuusyksikko') } },
    ...(e ? { arviointi: [evaluation(e.grade, 'arviointiasteikkoammatillinen15', e.date)] } : {}),
    tyyppi: koodi('ammatillisentutkinnonosanosaalue', 'suorituksentyyppi'),
  };
}

/** A vocational study right (ammatillinen perustutkinto). */
export function vocational(o: { start: string; states: [string, string][]; units?: Json[]; planned?: string; lisätiedot?: Json; sourceId?: string; oid?: string; type?: string }): Json {
  return {
    ...(o.oid ? { oid: o.oid } : {}),
    ...(o.sourceId ? { lähdejärjestelmänId: { id: o.sourceId, lähdejärjestelmä: koodi('primus', 'lahdejarjestelma') } } : {}),
    oppilaitos: school,
    ...(o.planned ? { arvioituPäättymispäivä: o.planned } : {}),
    tila: { opiskeluoikeusjaksot: o.states.map(([d, s]) => period(d, s)) },
    ...(o.lisätiedot ? { lisätiedot: o.lisätiedot } : {}),
    tyyppi: koodi(o.type ?? 'ammatillinenkoulutus', 'opiskeluoikeudentyyppi'),
    alkamispäivä: o.start,
    suoritukset: [
      {
        koulutusmoduuli: { tunniste: koodi('351101', 'koulutus', 'Sähkö- ja automaatioalan perustutkinto'), perusteenDiaarinumero: 'OPH-2263-2019' },
        suoritustapa: koodi('reformi', 'ammatillisentutkinnonsuoritustapa'),
        toimipiste: site,
        suorituskieli: koodi('FI', 'kieli'),
        osasuoritukset: o.units ?? [],
        tyyppi: koodi('ammatillinentutkinto', 'suorituksentyyppi'),
      },
    ],
  };
}

/** A lukio study right in LOPS 2015 courses (kurssi = 2 op): subjects with their courses. */
export function lukioCourses(o: { start: string; states: [string, string][]; subjects: { code: string; courses: { code: string; grade?: string; date?: string }[] }[] }): Json {
  return {
    oppilaitos: { ...school, nimi: { fi: 'Testin lukio' } },
    tila: { opiskeluoikeusjaksot: o.states.map(([d, s]) => period(d, s)) },
    tyyppi: koodi('lukiokoulutus', 'opiskeluoikeudentyyppi'),
    alkamispäivä: o.start,
    suoritukset: [
      {
        koulutusmoduuli: { tunniste: koodi('309902', 'koulutus') },
        oppimäärä: koodi('nuortenops', 'lukionoppimaara'),
        toimipiste: { oid: '1.2.246.562.10.14613773812', nimi: { fi: 'Testin lukio' } },
        suorituskieli: koodi('FI', 'kieli'),
        osasuoritukset: o.subjects.map((s) => ({
          koulutusmoduuli: { tunniste: koodi(s.code, 'koskioppiaineetyleissivistava') },
          arviointi: [evaluation('8', 'arviointiasteikkoyleissivistava')],
          osasuoritukset: s.courses.map((c) => ({
            koulutusmoduuli: { tunniste: koodi(c.code, 'lukionkurssit'), laajuus: { arvo: 1, yksikkö: koodi('4', 'opintojenlaajuusyksikko') } },
            ...(c.grade ? { arviointi: [evaluation(c.grade, 'arviointiasteikkoyleissivistava', c.date, c.grade !== '4')] } : {}),
            tyyppi: koodi('lukionkurssi', 'suorituksentyyppi'),
          })),
          tyyppi: koodi('lukionoppiaine', 'suorituksentyyppi'),
        })),
        tyyppi: koodi('lukionoppimaara', 'suorituksentyyppi'),
      },
    ],
  };
}

/** One person's document. `hetu: null` leaves the identity code out (an OID only). */
export function koskiDocument(person: { hetu: string | null; oid?: string; given?: string; family?: string; turvakielto?: boolean; language?: string }, rights: Json[]): Json {
  return {
    henkilö: {
      ...(person.hetu ? { hetu: person.hetu } : {}),
      ...(person.oid ? { oid: person.oid } : {}),
      etunimet: `${person.given ?? 'Testi'} Maria`,
      kutsumanimi: person.given ?? 'Testi',
      sukunimi: person.family ?? 'Koekäyttäjä',
      ...(person.turvakielto ? { turvakielto: true } : {}),
      ...(person.language ? { äidinkieli: koodi(person.language, 'kieli') } : {}),
    },
    opiskeluoikeudet: rights,
  };
}
