import { describe, expect, it } from 'vitest';
import { RowPlaces } from './row-places.js';

describe('RowPlaces', () => {
  it("gives back each row's place or its kept record, past several growths", () => {
    const places = new RowPlaces();
    const n = 1000;
    for (let i = 0; i < n; i++) {
      const offset = i * 10 + 2 ** 40;
      if (i % 3 === 0) places.add(offset, offset + 10, i + 1);
      else if (i % 3 === 1) places.addRecord({ offset, end: offset + 10, line: i + 1, text: '{"a":1}' });
      else places.addRecord({ offset, end: offset + 10, line: i + 1, text: undefined, value: { i } });
    }
    expect(places.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const offset = i * 10 + 2 ** 40;
      expect(places.end(i)).toBe(offset + 10);
      const rec = places.record(i);
      expect(rec).toMatchObject({ offset, end: offset + 10, line: i + 1 });
      if (i % 3 === 0) expect(rec.text).toBeUndefined();
      if (i % 3 === 1) expect(rec.text).toBe('{"a":1}');
      if (i % 3 === 2) expect(rec.value).toEqual({ i });
    }
  });
});
