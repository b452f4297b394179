import { CodecError } from './errors.js';

/**
 * Largest PNG goe decodes, in pixels (2^24 ≈ 16.8 M: 4096 × 4096, or a 16-megapixel photo; pngjs then holds
 * 64 MiB of RGBA, and even that size, declared in a 200-byte file, takes seconds to fill).
 * Why a limit: pngjs sizes its buffers from the IHDR before it reads any pixel data, so a 200-byte file
 * that declares 134 M × 30 pixels took 23 s to be refused (found by `goe bench fuzz`).
 */
export const PNG_MAX_PIXELS = 2 ** 24;

/**
 * Refuses a PNG whose IHDR declares more than {@link PNG_MAX_PIXELS} pixels, before anything is decoded.
 * Files too short to hold an IHDR are left to the decoder (which names what is wrong).
 * @throws {CodecError} `bad_png` naming the declared size
 */
export function checkPngSize(bytes: Uint8Array): void {
  // Signature (8), IHDR length (4) and type (4), then width and height, big-endian.
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width * height > PNG_MAX_PIXELS) {
    throw new CodecError(
      'bad_png',
      `not a readable PNG: it declares ${width}×${height} pixels, more than the ${PNG_MAX_PIXELS} goe decodes`,
      { value: `${width}x${height}` },
    );
  }
}
