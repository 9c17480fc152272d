import type { NotifyType } from '@downspin/protocol';
import { OVERLAY_CSS } from './overlay-style.js';

/** How long a toast stays. */
export const TOAST_MS = 8000;
const MAX_TOASTS = 5;

/**
 * Toasts and the terminate notice, drawn in a shadow root on the page so the
 * app's CSS cannot restyle or hide them (the host's own box is pinned with
 * inline !important). Server text only ever goes in as textContent.
 */
export class PageOverlay {
  private host: HTMLElement | undefined;
  private stack: HTMLElement | undefined;

  constructor(private readonly doc: Document) {}

  toast(toast: { id: string; message: string; level: NotifyType }): HTMLElement {
    const stack = this.mount();
    const box = this.doc.createElement('div');
    box.className = 'toast';
    box.dataset.level = toast.level;
    box.dataset.id = toast.id;
    box.setAttribute('role', toast.level === 'error' || toast.level === 'warning' ? 'alert' : 'status');
    box.append(this.closeButton(box), this.text('span', 'brand', 'downspin'), this.text('span', 'message', toast.message));
    // Newest at the bottom; the oldest goes when there are too many.
    while (stack.querySelectorAll('.toast').length >= MAX_TOASTS) stack.querySelector('.toast')?.remove();
    stack.append(box);
    setTimeout(() => box.remove(), TOAST_MS);
    return box;
  }

  /** The session was ended: stays until the user closes it. */
  notice(reason: string): HTMLElement {
    const stack = this.mount();
    stack.querySelector('.notice')?.remove();
    const box = this.doc.createElement('div');
    box.className = 'notice';
    box.setAttribute('role', 'alert');
    box.append(
      this.closeButton(box),
      this.text('span', 'brand', 'downspin'),
      this.text('strong', 'title', 'Your downspin session was ended.'),
      this.text('span', 'message', reason),
      this.text('span', 'hint', ' Requests through the proxy are refused from now on. Open the downspin popup to start a new session.'),
    );
    stack.prepend(box);
    return box;
  }

  /** Removes everything (consent revoked). */
  clear(): void {
    this.host?.remove();
    this.host = this.stack = undefined;
  }

  private mount(): HTMLElement {
    if (this.stack !== undefined && this.host?.isConnected) return this.stack;
    const host = this.doc.createElement('downspin-overlay');
    for (const [name, value] of Object.entries({
      all: 'initial',
      display: 'block',
      position: 'fixed',
      inset: 'auto 0 0 auto',
      width: '0',
      height: '0',
      'z-index': '2147483647',
      visibility: 'visible',
      opacity: '1',
      transform: 'none',
    })) {
      host.style.setProperty(name, value, 'important');
    }
    const root = host.attachShadow({ mode: 'open' });
    const style = this.doc.createElement('style');
    style.textContent = OVERLAY_CSS;
    const stack = this.doc.createElement('div');
    stack.className = 'stack';
    root.append(style, stack);
    this.doc.documentElement.append(host);
    this.host = host;
    this.stack = stack;
    return stack;
  }

  private text(tag: string, className: string, text: string): HTMLElement {
    const el = this.doc.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  }

  private closeButton(box: HTMLElement): HTMLElement {
    const button = this.doc.createElement('button');
    button.type = 'button';
    button.className = 'close';
    button.setAttribute('aria-label', 'Dismiss');
    button.textContent = '×';
    button.addEventListener('click', () => box.remove());
    return button;
  }
}
