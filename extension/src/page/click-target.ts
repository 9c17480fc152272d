/** Elements a click is really about: the nearest of these above the clicked node. */
const INTERACTIVE = 'a,button,summary,label,select,textarea,input,[role="button"],[role="link"],[role="tab"],[role="menuitem"],[role="checkbox"],[data-testid]';
/** Elements whose visible text names the action (never form fields, whose text is user data). */
const LABELLED = new Set(['a', 'button', 'summary']);
const LABELLED_ROLES = new Set(['button', 'link', 'tab', 'menuitem']);
const SAFE_TOKEN = /^[A-Za-z][\w-]{0,47}$/;
const MAX_TARGET = 256;
const MAX_TEXT = 80;

/**
 * A short, non-sensitive description of what was clicked, e.g.
 * `button[data-testid="load-items"]` and its label "Load items". Never a
 * form field's value or text typed by the user; ids and test ids only when
 * they look like identifiers.
 */
export function describeClickTarget(node: Element): { target: string; text?: string } {
  const element = node.closest(INTERACTIVE) ?? node;
  const tag = element.tagName.toLowerCase();
  let target = tag;
  if (tag === 'input') target += `[type="${safeToken(element.getAttribute('type') ?? 'text') ?? 'text'}"]`;
  const id = safeToken(element.id);
  if (id !== undefined) target += `#${id}`;
  const testId = safeToken(element.getAttribute('data-testid') ?? '');
  if (testId !== undefined) target += `[data-testid="${testId}"]`;
  const role = safeToken(element.getAttribute('role') ?? '');
  if (role !== undefined) target += `[role="${role}"]`;
  const text = labelOf(element, tag, role);
  return text === undefined ? { target: target.slice(0, MAX_TARGET) } : { target: target.slice(0, MAX_TARGET), text };
}

function labelOf(element: Element, tag: string, role: string | undefined): string | undefined {
  if (!LABELLED.has(tag) && !(role !== undefined && LABELLED_ROLES.has(role))) return undefined;
  // Text inside an editable region is what the user typed.
  if (element.closest('[contenteditable]:not([contenteditable="false"])') !== null) return undefined;
  const label = element.getAttribute('aria-label') ?? element.textContent ?? '';
  const words = label.replace(/\s+/g, ' ').trim();
  return words === '' ? undefined : words.slice(0, MAX_TEXT);
}

function safeToken(value: string): string | undefined {
  return SAFE_TOKEN.test(value) ? value : undefined;
}
