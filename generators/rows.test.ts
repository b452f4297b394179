import { describe, expect, it } from 'vitest';
import { unitToDtype } from './rows.js';

describe('unitToDtype', () => {
  it('maps [0, 1] to uint8 exactly as Math.round(u·255), at every rounding boundary and in between', () => {
    const values: number[] = [0, 1];
    const f = new Float32Array(1);
    const bits = new Uint32Array(f.buffer);
    // Every k + 0.5 boundary, with the float32 neighbours around it.
    for (let k = 0; k < 255; k++) {
      f[0] = (k + 0.5) / 255;
      const b = bits[0];
      for (let d = -64; d <= 64; d++) {
        bits[0] = b + d;
        values.push(f[0]);
      }
    }
    for (let i = 0; i < 200_000; i++) values.push(Math.random());
    const unit = Float32Array.from(values);
    const got = unitToDtype(unit, 'uint8');
    const want = Uint8Array.from(unit, (u) => Math.round(u * 255));
    expect(Buffer.from(got).equals(Buffer.from(want))).toBe(true);
    expect(unitToDtype(unit, 'float32')).toBe(unit);
  });
});
