/** Values in [0, 1] → the row dtype: uint8 as round(u·255), as the cGAN writes them, or float32 as is. */
export function unitToDtype(unitValues: Float32Array, dtype: 'uint8' | 'float32'): Uint8Array | Float32Array {
  if (dtype === 'float32') return unitValues;
  const out = new Uint8Array(unitValues.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(unitValues[i] * 255);
  return out;
}
