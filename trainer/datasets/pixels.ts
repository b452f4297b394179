/** `PIXEL_TO_FLOAT[v]` = v / 255 as float32: one table so every path converts identically. */
const PIXEL_TO_FLOAT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The classifier input for pixel value `v` (0–255): `v / 255`, rounded to float32. */
export function pixelToFloat(v: number): number {
  return PIXEL_TO_FLOAT[v];
}

/**
 * The inverse of {@link pixelToFloat} for a value in [0, 1]: `round(x · 255)`, values outside [0, 1]
 * clipped first. Used wherever float images (noise, float `.npy` files) become uint8.
 */
export function quantizePixel(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 255 : Math.round(x * 255);
}
