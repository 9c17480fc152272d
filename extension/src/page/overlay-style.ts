/** The overlay's own styles, inside its shadow root: the page's CSS cannot reach them. */
export const OVERLAY_CSS = `
:host { all: initial; }
.stack {
  position: fixed; right: 16px; bottom: 16px; display: flex; flex-direction: column; gap: 8px;
  max-width: min(380px, calc(100vw - 32px)); pointer-events: none;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a;
}
.toast, .notice {
  pointer-events: auto; box-sizing: border-box; padding: 10px 12px; border-radius: 8px;
  background: #ffffff; border: 1px solid #cbd5e1; border-left: 4px solid #1d4ed8;
  box-shadow: 0 4px 16px rgba(15, 23, 42, 0.18); overflow-wrap: anywhere; white-space: pre-wrap;
}
.toast[data-level="success"] { border-left-color: #15803d; }
.toast[data-level="warning"] { border-left-color: #b45309; }
.toast[data-level="error"] { border-left-color: #b91c1c; }
.brand { display: block; font-size: 11px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase; color: #1d4ed8; }
.notice { border-left-color: #b91c1c; }
.notice .brand { color: #b91c1c; }
.notice strong { display: block; margin: 2px 0 4px; }
.close {
  float: right; margin: -4px -4px 0 8px; border: 0; background: transparent; color: #475569;
  font: inherit; font-size: 16px; line-height: 1; cursor: pointer; padding: 4px;
}
`;
