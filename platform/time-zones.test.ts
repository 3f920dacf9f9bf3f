import { isKnownTimeZone } from './time-zones';

describe('isKnownTimeZone', () => {
  it('knows IANA zones and refuses anything else, the same on a repeated question', () => {
    for (let round = 0; round < 2; round++) {
      expect(isKnownTimeZone('Europe/Moscow')).toBe(true);
      expect(isKnownTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
      expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
      expect(isKnownTimeZone('')).toBe(false);
    }
  });

  it('still answers right for zones past the remembered bound', () => {
    for (let i = 0; i < 2_100; i++) expect(isKnownTimeZone(`Nowhere/Zone_${i}`)).toBe(false);
    expect(isKnownTimeZone('Asia/Tokyo')).toBe(true);
    expect(isKnownTimeZone('Nowhere/Zone_2099')).toBe(false);
  });
});
