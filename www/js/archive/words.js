// What the archive's refusals mean to the person at the page: the Worker's codes where the API's words
// (errors.js) would speak of an API key the reader never gave.

import { explainError } from '../errors.js';

const ARCHIVE_WORDS = {
  AUTH: {
    title: 'This archive is not open to you.',
    next: 'Ask whoever runs your organisation’s Worker for access (a view link, or Cloudflare Access), or choose OpenAthens API and use an API key.',
  },
  NOT_PUBLIC: {
    title: 'This archive is not published.',
    next: 'Its owner has not opened it to readers. Choose OpenAthens API and use an API key, or ask for access.',
  },
  EXPIRED: {
    title: 'This view link has expired.',
    next: 'Ask for a new link.',
  },
  OUT_OF_SCOPE: {
    title: 'This view link does not cover those dates.',
    next: 'Choose dates inside the link’s range.',
  },
  DATE_OUT_OF_RANGE: {
    title: 'The archive cannot answer for those dates.',
    next: 'Ask for at most 366 days at a time, none after today (UTC).',
  },
  BAD_DATE: {
    title: 'Choose the days of the range.',
    next: 'Pick a preset, or a From date on or before the To date.',
  },
  SERVER: {
    title: 'The archive had a problem on its side.',
    next: 'Try again later; if it keeps happening, the Worker’s owner can see why in its log.',
  },
  NETWORK: {
    title: 'The archive could not be reached.',
    next: 'Check your connection and try again.',
  },
};

// A view link's reader never chose a credential: AUTH means the link itself is not (or no longer) good.
const LINK_WORDS = {
  AUTH: {
    title: 'This view link is not valid.',
    next: 'It may have been changed on the way, or its owner has revoked every link. Ask for a new link.',
  },
};

/**
 * {title, next, detail} for an error from the archive.
 * @param {{code: string, message: string}} error
 * @param {{viewLink?: boolean}} [how]  `viewLink`: the reader came with a view link's token
 */
export function explainArchiveError(error, { viewLink = false } = {}) {
  const words = (viewLink ? LINK_WORDS[error.code] : undefined) ?? ARCHIVE_WORDS[error.code];
  return words ? { ...words, detail: `${error.message} (${error.code})` } : explainError(error);
}
