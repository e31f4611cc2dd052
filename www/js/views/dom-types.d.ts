// A type for dom.js that JSDoc cannot write (a recursive alias), global so that no import names this file:
// scripts/package.mjs follows imports to decide what the npm package holds.

/** What `h` appends: text, nodes, nothing (null, undefined, false), or lists of these, to any depth. */
type DomChild = string | Node | null | undefined | false | DomChild[];
