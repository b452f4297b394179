import { describe, expect, it } from 'vitest';
import { ByteQueue } from './byte-queue.js';

describe('ByteQueue', () => {
  it('reads exact pieces across chunk boundaries and counts what it consumed', () => {
    const queue = new ByteQueue();
    queue.push(Uint8Array.of(1, 2));
    queue.push(new Uint8Array(0));
    queue.push(Uint8Array.of(3));
    queue.push(Uint8Array.of(4, 5, 6));
    expect(queue.length).toBe(6);
    expect(Array.from(queue.peek(4))).toEqual([1, 2, 3, 4]);
    expect(Array.from(queue.read(1))).toEqual([1]);
    expect(Array.from(queue.read(3))).toEqual([2, 3, 4]);
    expect(queue.consumed).toBe(4);
    expect(Array.from(queue.read(2))).toEqual([5, 6]);
    expect(queue.length).toBe(0);
    expect(() => queue.read(1)).toThrow(RangeError);
  });

  it('returns copies that do not alias the pushed chunks', () => {
    const queue = new ByteQueue();
    const chunk = Uint8Array.of(9, 9, 9, 9);
    queue.push(chunk);
    const piece = queue.read(2);
    chunk[0] = 0;
    expect(Array.from(piece)).toEqual([9, 9]);
    expect(piece.byteOffset).toBe(0);
  });

  it('stays correct over many tiny chunks', () => {
    const queue = new ByteQueue();
    const out: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      queue.push(Uint8Array.of(i % 256));
      if (queue.length >= 3) out.push(...queue.read(3));
    }
    out.push(...queue.read(queue.length));
    expect(out).toEqual(Array.from({ length: 1000 }, (_, i) => i % 256));
  });
});
