import type { OutlierFormat } from '../../api/validation/index.js';

/**
 * RFC 9110 §12.5.1 content negotiation, as rows: the Accept header, the format an image model answers
 * with, and the one a text model (ndjson only) answers with; 406 is "not acceptable". Shared by the
 * unit test of negotiateFormat and the e2e test through a socket, so both check the same rules.
 */
export const NEGOTIATION_TABLE: readonly [
  rule: string,
  accept: string | undefined,
  image: OutlierFormat | 406,
  text: OutlierFormat | 406,
][] = [
  ['no Accept: the server default', undefined, 'ndjson', 'ndjson'],
  ['*/* takes the server preference', '*/*', 'ndjson', 'ndjson'],
  ['q=0 is "not acceptable", even beside */*', 'application/x-ndjson;q=0, */*', 'npy', 406],
  ['q=0 on the only served type beside a wildcard', 'application/x-ndjson;q=0, application/*', 'npy', 406],
  ['an exact type', 'application/x-npy', 'npy', 406],
  ['types are case-insensitive', 'APPLICATION/X-NPY', 'npy', 406],
  ['application/octet-stream selects safetensors', 'application/octet-stream', 'safetensors', 406],
  ['application/* takes the server preference', 'application/*', 'ndjson', 'ndjson'],
  ['image/* is png', 'image/*', 'png', 406],
  ['a type the server lacks', 'text/csv', 406, 406],
  ['text/* matches no application type', 'text/*', 406, 406],
  ['*/*;q=0 refuses everything', '*/*;q=0', 406, 406],
  ['higher q wins', 'image/*;q=0.5, application/x-npy;q=0.4', 'png', 406],
  [
    'higher q wins over the server preference',
    '*/*;q=0.1, application/x-ndjson;q=0.5, image/png;q=0.9',
    'png',
    'ndjson',
  ],
  ['ties follow the server preference, not the client order', 'image/png, application/x-npy', 'npy', 406],
  ['ties follow the server preference (other order)', 'application/x-npy, image/png', 'npy', 406],
  [
    'a more specific range overrides a wildcard (lower)',
    'application/*;q=0.9, application/x-ndjson;q=0.1',
    'npy',
    'ndjson',
  ],
  [
    'a more specific range overrides a wildcard (zero)',
    'application/*;q=0.2, application/x-npy;q=0',
    'ndjson',
    'ndjson',
  ],
  [
    'a specific q=0 beats a wildcard for each name of a format',
    'application/vnd.goe.safetensors;q=0, application/octet-stream;q=0, */*;q=0.5, application/x-ndjson;q=0, application/x-npy;q=0, application/x-npz;q=0',
    'png',
    406,
  ],
  [
    'parameters make a range more specific, not unmatched',
    'application/x-ndjson;charset=utf-8, */*;q=0.1',
    'ndjson',
    'ndjson',
  ],
  ['ranges in any order and spacing', ' image/png ; q=0.3 ,application/x-npy;q=0.2', 'png', 406],
];
