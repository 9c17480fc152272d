/** Keys of `storage.local`. Nothing but settings is written before consent. */
export const STORAGE_KEYS = {
  settings: 'settings',
  /** `{ id, consentAt }`: exists only while consent is given. */
  session: 'session',
  /** Client event capture switch (a second opt-in after consent). */
  capture: 'capture',
  /** `{ reason, at }` once the session was terminated. */
  terminated: 'terminated',
} as const;

/** Key of `storage.session` mirroring the background's state for the popup. */
export const STATE_KEY = 'state';
