import { describe, expect, it } from 'vitest';
import { NEGOTIATION_TABLE } from '../../test/helpers/negotiation-table.js';
import { SERVED_FORMATS } from '../outliers/plan.js';
import { negotiateFormat } from './media-types.js';

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'ndjson'],
    ['', 'ndjson'],
    ['*/*', 'ndjson'],
    ['application/x-npy', 'npy'],
    ['application/octet-stream', 'safetensors'],
    ['application/vnd.goe.safetensors', 'safetensors'],
    ['image/*', 'png'],
    ['text/html, application/x-npy;q=0.5, application/x-ndjson;q=0.9', 'ndjson'],
    ['application/x-npy;q=0, */*;q=0.1', 'ndjson'],
    ['IMAGE/PNG', 'png'],
  ])('Accept %j → %s', (accept, format) => {
    expect(negotiateFormat(undefined, accept)).toBe(format);
  });

  it.each(NEGOTIATION_TABLE)('%s: Accept %j → image %s, text %s', (_, accept, image, text) => {
    for (const [served, want] of [
      [SERVED_FORMATS.image, image],
      [SERVED_FORMATS.text, text],
    ] as const) {
      if (want === 406) {
        expect(() => negotiateFormat(undefined, accept, served)).toThrow(
          expect.objectContaining({
            slug: 'not-acceptable',
            status: 406,
            extra: { headers: { Vary: 'Accept' } },
          }),
        );
      } else {
        expect(negotiateFormat(undefined, accept, served)).toBe(want);
      }
    }
  });

  it('lets `format` override Accept, even one that names nothing served', () => {
    expect(negotiateFormat('npy', 'text/csv')).toBe('npy');
  });

  it('refuses an Accept that names nothing served (406)', () => {
    expect(() => negotiateFormat(undefined, 'text/csv, application/x-npy;q=0')).toThrow(
      expect.objectContaining({ slug: 'not-acceptable', status: 406 }),
    );
  });

  it('matches Accept among the formats a model serves', () => {
    expect(negotiateFormat(undefined, 'application/x-npy, */*;q=0.1', ['ndjson'])).toBe('ndjson');
    expect(() => negotiateFormat(undefined, 'image/png', ['ndjson'])).toThrow(
      expect.objectContaining({
        slug: 'not-acceptable',
        message: expect.stringContaining('application/x-ndjson'),
      }),
    );
  });
});
