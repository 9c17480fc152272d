// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PageOverlay, TOAST_MS } from './overlay.js';

beforeEach(() => {
  vi.useFakeTimers();
  document.documentElement.innerHTML = '<head></head><body></body>';
});
afterEach(() => {
  vi.useRealTimers();
});

const root = (): ShadowRoot => document.querySelector('downspin-overlay')!.shadowRoot!;

describe('PageOverlay', () => {
  it('shows a toast in a shadow root, as text only', () => {
    const overlay = new PageOverlay(document);
    overlay.toast({ id: 'n1', message: '<img src=x onerror="window.pwned=1"> Deploy done', level: 'success' });
    const toast = root().querySelector('.toast')!;
    expect(toast.querySelector('.message')!.textContent).toBe('<img src=x onerror="window.pwned=1"> Deploy done');
    expect(toast.querySelector('img')).toBeNull();
    expect(toast.getAttribute('data-level')).toBe('success');
    expect(document.body.querySelector('.toast')).toBeNull();
  });

  it('pins the host box with !important so page CSS cannot hide it', () => {
    new PageOverlay(document).toast({ id: 'n1', message: 'hi', level: 'info' });
    const host = document.querySelector('downspin-overlay') as HTMLElement;
    expect(host.style.getPropertyPriority('display')).toBe('important');
    expect(host.style.getPropertyValue('display')).toBe('block');
    expect(host.style.getPropertyValue('z-index')).toBe('2147483647');
  });

  it('removes a toast after a while and keeps at most five', () => {
    const overlay = new PageOverlay(document);
    for (let i = 0; i < 7; i++) overlay.toast({ id: `n${i}`, message: `m${i}`, level: 'info' });
    expect([...root().querySelectorAll('.toast .message')].map((m) => m.textContent)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    vi.advanceTimersByTime(TOAST_MS);
    expect(root().querySelectorAll('.toast')).toHaveLength(0);
  });

  it('shows the terminate notice until closed, with the reason as text', () => {
    const overlay = new PageOverlay(document);
    const notice = overlay.notice('Test run finished <script>');
    vi.advanceTimersByTime(60_000);
    expect(root().querySelector('.notice')).toBe(notice);
    expect(notice.textContent).toContain('Your downspin session was ended.');
    expect(notice.querySelector('.message')!.textContent).toBe('Test run finished <script>');
    (notice.querySelector('button.close') as HTMLButtonElement).click();
    expect(root().querySelector('.notice')).toBeNull();
  });

  it('comes back if the page removed it, and goes away on clear', () => {
    const overlay = new PageOverlay(document);
    overlay.toast({ id: 'a', message: 'one', level: 'info' });
    document.querySelector('downspin-overlay')!.remove();
    overlay.toast({ id: 'b', message: 'two', level: 'info' });
    expect(root().querySelector('.message')!.textContent).toBe('two');
    overlay.clear();
    expect(document.querySelector('downspin-overlay')).toBeNull();
  });
});
