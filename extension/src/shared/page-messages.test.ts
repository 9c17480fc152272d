import { describe, expect, it } from 'vitest';
import { asPageMessage } from './page-messages.js';

describe('asPageMessage', () => {
  it('takes the background messages a page understands', () => {
    expect(asPageMessage({ downspin: 'toast', id: 'n1', message: 'Hi', level: 'info' })).toEqual({ downspin: 'toast', id: 'n1', message: 'Hi', level: 'info' });
    expect(asPageMessage({ downspin: 'terminated', reason: 'done' })).toEqual({ downspin: 'terminated', reason: 'done' });
    expect(asPageMessage({ downspin: 'capture', enabled: true, batchSize: 10, flushIntervalMs: 2000 })).toMatchObject({ enabled: true });
    expect(asPageMessage({ downspin: 'stop' })).toEqual({ downspin: 'stop' });
  });

  it('keeps only the known fields of a toast', () => {
    expect(asPageMessage({ downspin: 'toast', id: 'n1', message: 'Hi', level: 'info', html: '<b>x</b>' })).toEqual({ downspin: 'toast', id: 'n1', message: 'Hi', level: 'info' });
  });

  it.each([null, 'toast', 42, {}, { downspin: 'eval', code: 'x' }, { downspin: 'toast', id: 'n', message: 5, level: 'info' }, { downspin: 'toast', id: 'n', message: 'x', level: 'fatal' }, { downspin: 'toast', id: 'n', message: 'x'.repeat(501), level: 'info' }, { downspin: 'capture', enabled: 'yes', batchSize: 1, flushIntervalMs: 1 }, { downspin: 'capture', enabled: true, batchSize: 0, flushIntervalMs: 1 }])(
    'refuses %j',
    (value) => {
      expect(asPageMessage(value)).toBeUndefined();
    },
  );
});
