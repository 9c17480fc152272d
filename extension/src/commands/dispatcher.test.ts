import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, MAX_SERVER_MESSAGE_CHARS, type DispatchOutcome } from './dispatcher.js';
import { COMMAND_HANDLERS } from './handlers/index.js';
import type { CommandContext, CommandHandlers } from './types.js';

function fakeContext(): CommandContext & { calls: () => number } {
  const context = {
    welcomed: vi.fn(),
    modeChanged: vi.fn(),
    showToast: vi.fn(),
    terminated: vi.fn(),
  };
  return { ...context, calls: () => Object.values(context).reduce((sum, fn) => sum + fn.mock.calls.length, 0) };
}

function setup(handlers: CommandHandlers = COMMAND_HANDLERS) {
  const context = fakeContext();
  const outcomes: DispatchOutcome[] = [];
  const dispatch = createDispatcher({ handlers, context, onOutcome: (outcome) => outcomes.push(outcome) });
  return { context, outcomes, dispatch };
}

const valid = {
  welcome: { type: 'welcome', sessionHash: '0123456789ab', mode: 'none', shaping: 'no shaping' },
  mode: { type: 'mode', mode: 'downspin', shaping: 'latency 2000 ms', version: 3 },
  notify: { type: 'notify', id: 'n-1', message: 'Please retry checkout', level: 'warning' },
  terminate: { type: 'terminate', reason: 'Test over' },
};

describe('command dispatcher', () => {
  it('runs the one handler of each known message type with the parsed message', async () => {
    const { context, dispatch, outcomes } = setup();
    for (const message of Object.values(valid)) await dispatch(JSON.stringify(message));
    expect(outcomes).toEqual(['handled', 'handled', 'handled', 'handled']);
    expect(context.welcomed).toHaveBeenCalledWith({ sessionHash: '0123456789ab', mode: 'none', shaping: 'no shaping' });
    expect(context.modeChanged).toHaveBeenCalledWith({ mode: 'downspin', shaping: 'latency 2000 ms', version: 3 });
    expect(context.showToast).toHaveBeenCalledWith({ id: 'n-1', message: 'Please retry checkout', level: 'warning' });
    expect(context.terminated).toHaveBeenCalledWith('Test over');
  });

  it.each([
    ['not JSON', 'notify: hello'],
    ['truncated JSON', '{"type":"notify","id":"n","message":"hi"'],
    ['JSON null', 'null'],
    ['a JSON string', '"notify"'],
    ['an array', JSON.stringify([valid.notify])],
    ['no type', JSON.stringify({ message: 'hello' })],
    ['a non-string type', JSON.stringify({ type: 42 })],
    ['notify without message', JSON.stringify({ type: 'notify', id: 'n', level: 'info' })],
    ['notify with an empty message', JSON.stringify({ ...valid.notify, message: '' })],
    ['notify with a message over 500 characters', JSON.stringify({ ...valid.notify, message: 'x'.repeat(501) })],
    ['notify with an unknown level', JSON.stringify({ ...valid.notify, level: 'critical' })],
    ['notify with an extra key (html)', JSON.stringify({ ...valid.notify, html: '<img src=x onerror=alert(1)>' })],
    ['mode with an unknown mode', JSON.stringify({ ...valid.mode, mode: 'turbo' })],
    ['mode with a negative version', JSON.stringify({ ...valid.mode, version: -1 })],
    ['mode with a string version', JSON.stringify({ ...valid.mode, version: '3' })],
    ['terminate with a number reason', JSON.stringify({ type: 'terminate', reason: 1 })],
    ['welcome with an extra key', JSON.stringify({ ...valid.welcome, script: 'alert(1)' })],
    ['a prototype-polluting notify', '{"type":"notify","id":"n","message":"hi","level":"info","__proto__":{"polluted":true}}'],
  ])('drops a malformed message (%s): no handler runs, nothing throws', async (_name, raw) => {
    const { context, dispatch, outcomes } = setup();
    await expect(dispatch(raw)).resolves.toBe('malformed');
    expect(outcomes).toEqual(['malformed']);
    expect(context.calls()).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['eval', 'script', 'exec', 'redirect', 'hello', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''])(
    'drops a message of unknown type "%s": no handler runs',
    async (type) => {
      const { context, dispatch, outcomes } = setup();
      await expect(dispatch(JSON.stringify({ type, code: 'alert(1)', message: 'x' }))).resolves.toBe('unknown');
      expect(outcomes).toEqual(['unknown']);
      expect(context.calls()).toBe(0);
    },
  );

  it.each([
    ['a binary frame', new ArrayBuffer(8)],
    ['a Blob', new Blob(['{"type":"notify"}'])],
    ['undefined', undefined],
    ['a number', 42],
    ['an already parsed object', valid.notify],
    ['a message larger than the channel allows', JSON.stringify({ ...valid.notify, id: 'x'.repeat(MAX_SERVER_MESSAGE_CHARS) })],
  ])('drops %s unread', async (_name, raw) => {
    const { context, dispatch } = setup();
    await expect(dispatch(raw)).resolves.toBe('malformed');
    expect(context.calls()).toBe(0);
  });

  it('counts a handler that throws or rejects as failed, without throwing', async () => {
    const throwing: CommandHandlers = {
      ...COMMAND_HANDLERS,
      notify: () => {
        throw new Error('no tab');
      },
      terminate: () => Promise.reject(new Error('storage full')),
    };
    const { dispatch, outcomes } = setup(throwing);
    await expect(dispatch(JSON.stringify(valid.notify))).resolves.toBe('failed');
    await expect(dispatch(JSON.stringify(valid.terminate))).resolves.toBe('failed');
    await expect(dispatch(JSON.stringify(valid.mode))).resolves.toBe('handled');
    expect(outcomes).toEqual(['failed', 'failed', 'handled']);
  });

  it('keeps dropping and handling after a flood of garbage', async () => {
    const { context, dispatch, outcomes } = setup();
    const garbage = ['{', '[]', '{"type":"nope"}', '{"type":"notify"}', 'null', '{"type":"__proto__"}'];
    for (let i = 0; i < 600; i++) await dispatch(garbage[i % garbage.length]);
    await dispatch(JSON.stringify(valid.notify));
    expect(outcomes.filter((o) => o === 'malformed')).toHaveLength(400);
    expect(outcomes.filter((o) => o === 'unknown')).toHaveLength(200);
    expect(outcomes.at(-1)).toBe('handled');
    expect(context.showToast).toHaveBeenCalledTimes(1);
  });

  it('survives an outcome listener that throws', async () => {
    const context = fakeContext();
    const dispatch = createDispatcher({
      handlers: COMMAND_HANDLERS,
      context,
      onOutcome: () => {
        throw new Error('counter broke');
      },
    });
    await expect(dispatch('garbage')).resolves.toBe('malformed');
    await expect(dispatch(JSON.stringify(valid.notify))).resolves.toBe('handled');
  });

  it('has exactly one handler per protocol message type', () => {
    expect(Object.keys(COMMAND_HANDLERS).sort()).toEqual(['mode', 'notify', 'terminate', 'welcome']);
    expect(Object.isFrozen(COMMAND_HANDLERS)).toBe(true);
  });
});
