/**
 * A FIFO of byte chunks as they arrive from the network, read back in exact-size pieces. It is what lets
 * the incremental readers accept arbitrary chunk boundaries (1 byte, or many rows at once) without
 * re-concatenating everything they have buffered on each push.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #head = 0; // index of the first unread chunk
  #offset = 0; // bytes already read from that chunk
  #length = 0;
  #consumed = 0;

  /** Unread bytes. */
  get length(): number {
    return this.#length;
  }

  /** Bytes read so far (the stream offset of the next unread byte). */
  get consumed(): number {
    return this.#consumed;
  }

  /** Appends a chunk; the queue keeps a reference, so callers must not mutate it afterwards. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** A fresh copy of the next `n` bytes, without consuming them. Requires `n <= length`. */
  peek(n: number): Uint8Array {
    return this.#copy(n, false);
  }

  /** A fresh copy of the next `n` bytes, consumed. Requires `n <= length`. */
  read(n: number): Uint8Array {
    return this.#copy(n, true);
  }

  #copy(n: number, consume: boolean): Uint8Array {
    if (n > this.#length) throw new RangeError(`ByteQueue: asked for ${n} bytes, have ${this.#length}`);
    const first = this.#chunks[this.#head];
    // Fast path: the whole piece lies in the first chunk (the usual case for large network chunks).
    if (first !== undefined && first.length - this.#offset >= n) {
      const out = first.slice(this.#offset, this.#offset + n);
      if (consume) this.#advance(n);
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let index = this.#head;
    let offset = this.#offset;
    while (filled < n) {
      const chunk = this.#chunks[index];
      const take = Math.min(chunk.length - offset, n - filled);
      out.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (offset === chunk.length) {
        index += 1;
        offset = 0;
      }
    }
    if (consume) this.#advance(n);
    return out;
  }

  #advance(n: number): void {
    this.#length -= n;
    this.#consumed += n;
    let left = n;
    while (left > 0) {
      const chunk = this.#chunks[this.#head];
      const take = Math.min(chunk.length - this.#offset, left);
      left -= take;
      this.#offset += take;
      if (this.#offset === chunk.length) {
        this.#head += 1;
        this.#offset = 0;
      }
    }
    if (this.#length === 0) {
      this.#chunks = [];
      this.#head = 0;
      this.#offset = 0;
      return;
    }
    // Drop read chunks now and then, so the array neither grows without bound nor shifts on every read.
    if (this.#head > 64 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
