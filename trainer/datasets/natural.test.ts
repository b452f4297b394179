import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../runtime/codecs/index.js';
import { datasets, locateDataset } from './locate.js';
import { listPhotos, naturalOutliers } from './natural.js';
import { areaResample, decodeGrey, integralImage, photoFromGrey, WORKING_SHORT_SIDE } from './photo.js';

/** A folder with one JPEG and one PNG of structured content, plus a file that is not a photo. */
function photoFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'goe-photos-'));
  const w = 160;
  const h = 120;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      rgba[i] = (x * 255) / w; // red ramp
      rgba[i + 1] = ((x >> 3) + (y >> 3)) % 2 ? 230 : 20; // green checker
      rgba[i + 2] = (y * 255) / h; // blue ramp
      rgba[i + 3] = 255;
    }
  }
  writeFileSync(join(dir, 'b-checker.jpg'), jpeg.encode({ width: w, height: h, data: rgba }, 90).data);
  const grey = Uint8Array.from({ length: 90 * 100 }, (_, i) => Math.round(127 + 120 * Math.sin(i / 7)));
  writeFileSync(join(dir, 'a-waves.PNG'), encodePng(grey, 90, 100, 1));
  writeFileSync(join(dir, 'notes.txt'), 'not a photo');
  return dir;
}

function std(a: Uint8Array): number {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}

describe('area resampling', () => {
  const grey = Float64Array.from([0, 100, 0, 100, 0, 100, 0, 100]); // 2 rows × 4 columns of stripes
  const photo = { path: 'p', width: 4, height: 2, integral: integralImage(grey, 4, 2) };

  it('averages whole pixels exactly', () => {
    expect([...areaResample(photo, 0, 0, 4, 2, 2, 1)]).toEqual([50, 50]);
    expect([...areaResample(photo, 1, 0, 1, 2, 1, 1)]).toEqual([100]);
  });

  it('weights fractional pixel coverage by area', () => {
    expect(areaResample(photo, 0.5, 0, 1, 1, 1, 1)[0]).toBeCloseTo(50, 12);
    expect(areaResample(photo, 0.75, 0.5, 1, 1, 1, 1)[0]).toBeCloseTo(75, 12);
  });

  it('downscales big photos to the working size, keeping the mean', () => {
    const w = 1200;
    const h = 800;
    const big = Float64Array.from({ length: w * h }, (_, i) => (i % w) % 256);
    const p = photoFromGrey('big', w, h, big);
    expect(Math.min(p.width, p.height)).toBe(WORKING_SHORT_SIDE);
    expect(p.width).toBe(768);
    const meanBig = big.reduce((s, v) => s + v, 0) / big.length;
    expect(p.integral[p.integral.length - 1] / (p.width * p.height)).toBeCloseTo(meanBig, 6);
  });

  it('turns colour grey with BT.601 luma', () => {
    const png = encodePng(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]), 1, 3, 3);
    const { grey: luma } = decodeGrey(png, 'rgb.png');
    expect([...luma].map((v) => +v.toFixed(3))).toEqual([76.245, 149.685, 29.07]);
  });
});

describe('listPhotos', () => {
  it('lists JPEG and PNG files by name, ignoring others', () => {
    const dir = photoFolder();
    expect(listPhotos(dir).map((p) => p.slice(dir.length + 1))).toEqual(['a-waves.PNG', 'b-checker.jpg']);
  });

  it('rejects an empty or missing folder', () => {
    const empty = mkdtempSync(join(tmpdir(), 'goe-empty-'));
    writeFileSync(join(empty, 'x.webp'), 'webp is not decoded');
    expect(() => listPhotos(empty)).toThrow(/holds no \.jpg, \.jpeg or \.png photographs/);
    expect(() => listPhotos(join(empty, 'missing'))).toThrow(/cannot read the photo folder/);
  });
});

describe('naturalOutliers', () => {
  const dir = photoFolder();

  it('makes deterministic, non-constant 28×28 grey crops', () => {
    const a = naturalOutliers(24, 9, { dir });
    expect(a.name).toBe('natural');
    expect(a.shape).toEqual([24, 28, 28, 1]);
    expect(naturalOutliers(24, 9, { dir }).images).toEqual(a.images);
    expect(naturalOutliers(24, 10, { dir }).images).not.toEqual(a.images);
    const stds = Array.from({ length: 24 }, (_, i) => std(a.images.subarray(i * 784, (i + 1) * 784)));
    expect(stds.filter((s) => s > 2).length).toBeGreaterThan(12);
  });

  it('makes a slice [k, k + m) equal to those crops of a bigger draw', () => {
    const big = naturalOutliers(30, 3, { dir });
    expect(naturalOutliers(7, 3, { dir, start: 11 }).images).toEqual(big.images.subarray(11 * 784, 18 * 784));
  });

  it('names a photo it cannot decode', () => {
    const bad = mkdtempSync(join(tmpdir(), 'goe-badphoto-'));
    writeFileSync(join(bad, 'broken.jpg'), Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    expect(() => naturalOutliers(1, 0, { dir: bad })).toThrow(/broken\.jpg is not a readable JPEG/);
    const sub = join(bad, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'fake.png'), 'text');
    expect(() => naturalOutliers(1, 0, { dir: sub })).toThrow(/fake\.png is neither a JPEG nor a PNG/);
  });

  it('crops the installed photographs (mate-backgrounds)', () => {
    const spec = datasets.find((d) => d.name === 'natural-photos')!;
    expect(locateDataset(spec).dir, 'apt-get install mate-backgrounds').toBeDefined();
    const s = naturalOutliers(2, 1); // each 2560×1600 JPEG takes ~0.5 s to decode: keep n small
    expect(s.shape).toEqual([2, 28, 28, 1]);
    expect(std(s.images)).toBeGreaterThan(5);
  });
});
