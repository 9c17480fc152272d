// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { describeClickTarget } from './click-target.js';

function el(html: string, selector: string): Element {
  document.body.innerHTML = html;
  return document.querySelector(selector)!;
}

describe('describeClickTarget', () => {
  it('names a button by tag, test id and label', () => {
    expect(describeClickTarget(el('<button type="button" data-testid="load-items">Load <b>items</b></button>', 'b'))).toEqual({
      target: 'button[data-testid="load-items"]',
      text: 'Load items',
    });
  });

  it('names a link by id and its text, shortened', () => {
    const long = 'word '.repeat(40);
    const described = describeClickTarget(el(`<a id="nav-about" href="/about.html?token=secret">${long}</a>`, 'a'));
    expect(described.target).toBe('a#nav-about');
    expect(described.text!.length).toBeLessThanOrEqual(80);
    expect(JSON.stringify(described)).not.toContain('secret');
  });

  it('never takes the value or text of form fields', () => {
    const input = el('<form><input type="password" id="pw" value="hunter2"></form>', 'input') as HTMLInputElement;
    input.value = 'hunter2';
    expect(describeClickTarget(input)).toEqual({ target: 'input[type="password"]#pw' });
    const area = el('<textarea data-testid="note">my address is …</textarea>', 'textarea');
    expect(describeClickTarget(area)).toEqual({ target: 'textarea[data-testid="note"]' });
    const submit = el('<input type="submit" value="Pay 100 EUR to Alice">', 'input');
    expect(JSON.stringify(describeClickTarget(submit))).not.toContain('Alice');
  });

  it('takes no text from inside editable regions', () => {
    expect(describeClickTarget(el('<div contenteditable="true"><button>typed secret</button></div>', 'button'))).toEqual({ target: 'button' });
  });

  it('leaves out ids and test ids that do not look like identifiers', () => {
    expect(describeClickTarget(el('<button id="user-jane@example.com" data-testid="a b">Go</button>', 'button'))).toEqual({ target: 'button', text: 'Go' });
  });

  it('falls back to the clicked element itself', () => {
    expect(describeClickTarget(el('<main><p class="x">Some paragraph</p></main>', 'p'))).toEqual({ target: 'p' });
  });
});
