/** DedupeWindow (src/core/socket/reliable.ts) against a plain model: it remembers exactly the last `capacity` new ids. */
import fc from 'fast-check';
import { DedupeWindow } from '../../src/core/socket/reliable';

test('duplicates are reported exactly while the id is among the last `capacity` new ids', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 6 }), fc.array(fc.integer({ min: 0, max: 9 }).map(String), { maxLength: 200 }), (capacity, ids) => {
      const window = new DedupeWindow(capacity);
      const model: string[] = [];
      for (const id of ids) {
        const seen = model.indexOf(id) >= 0;
        expect(window.check(id)).toBe(seen);
        if (!seen && capacity > 0) {
          model.push(id);
          if (model.length > capacity) model.shift();
        }
      }
      expect(window.size).toBe(model.length);
    }),
    { seed: 14, numRuns: 2000 },
  );
});
