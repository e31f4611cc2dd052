// Which rows of a Summary's security lists are flagged, shared by the page's Security section and the
// Worker's alerts (worker/src/alerts.js), so a webhook never calls Burst what the page does not.

// Failed sign-ins within 10 minutes from which an account or address is marked as a burst: people mistype
// a password a few times, not ten times in ten minutes.
export const BURST_THRESHOLD = 10;
// Accounts failing from one address from which it is marked as spraying.
export const SPRAY_THRESHOLD = 5;

/** 'Burst' for a byAccount or byIp row with BURST_THRESHOLD failures or more in 10 minutes, else null. */
export const burstFlag = (row) => (row.maxFailedIn10Min >= BURST_THRESHOLD ? 'Burst' : null);

/** 'Spraying' for a byIp row failing for SPRAY_THRESHOLD accounts or more, else its burstFlag. */
export const ipFlag = (row) => (row.accounts >= SPRAY_THRESHOLD ? 'Spraying' : burstFlag(row));
