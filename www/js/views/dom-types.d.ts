// Types for dom.js that JSDoc cannot write: a recursive alias.

/** What `h` appends: text, nodes, nothing (null, undefined, false), or lists of these, to any depth. */
export type Child = string | Node | null | undefined | false | Child[];
